using System;
using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The driver of the mini-batch path of a generated Dense-only network's <c>Backward</c>: it owns the chunk buffers,
/// decides how many samples go through the chunk kernels, and runs the network's chunk method on one thread or deals
/// chunks round-robin to several (<see cref="BatchWorkers"/>), then adds the workers' gradients in worker order so the
/// result never depends on timing. The network supplies only what is its own: its chunk method (the layer sequence
/// over a chunk of <see cref="BatchKernels.Chunk"/> samples) and the size of its chunk buffer. Made on a network's
/// first batch <c>Backward</c>; allocates nothing afterwards, except once per larger worker count. Used by generated
/// code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class BatchBackward
{
    /// <summary>
    /// A network's chunk method: chunks <paramref name="worker"/>, worker + workers, … of the k samples (every chunk
    /// but a last one of fewer than <see cref="BatchKernels.MinSamples"/> samples), using <paramref name="chunk"/> as scratch and
    /// adding gradients to <paramref name="gradients"/>; returns the summed loss of its samples.
    /// </summary>
    public delegate float ChunkMethod(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int k, float gradScale, int worker, int workers, Span<float> chunk, Span<float> gradients);

    private readonly int _chunkFloats;
    private readonly AlignedFloats _gradients;
    private readonly ChunkMethod _method;
    private readonly AlignedFloats _chunk;
    private readonly BatchWorkers.Work _work;
    private AlignedFloats[] _workerChunks = Array.Empty<AlignedFloats>();
    private AlignedFloats[] _workerGradients = Array.Empty<AlignedFloats>();
    private float[] _workerLosses = Array.Empty<float>();
    private int _samples, _workers;
    private float _gradScale;

    /// <summary>A driver for a network whose chunk method needs <paramref name="chunkFloats"/> floats of scratch.</summary>
    /// <param name="chunkFloats">Floats of one worker's chunk buffer.</param>
    /// <param name="gradients">The network's gradients (worker 0 adds into them directly).</param>
    /// <param name="method">The network's chunk method.</param>
    public BatchBackward(int chunkFloats, AlignedFloats gradients, ChunkMethod method)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkFloats);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(method);
        _chunkFloats = chunkFloats;
        _gradients = gradients;
        _method = method;
        _chunk = new AlignedFloats(chunkFloats);
        _work = Work;
    }

    /// <summary>
    /// Checks a <c>MaxDegreeOfParallelism</c> value: 1 to <see cref="BatchWorkers.MaxWorkers"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">It is outside that range.</exception>
    public static int CheckDegreeOfParallelism(int value)
    {
        if (value < 1 || value > BatchWorkers.MaxWorkers)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"MaxDegreeOfParallelism must be 1 to {BatchWorkers.MaxWorkers}.");
        }
        return value;
    }

    /// <summary>
    /// The first <paramref name="done"/> of the k samples through the chunk method (all but a last chunk of fewer than
    /// <see cref="BatchKernels.MinSamples"/>, which the caller does per sample), on up to <paramref name="maxDegreeOfParallelism"/>
    /// threads when there are at least two chunks' worth; returns their summed loss.
    /// </summary>
    public float Run(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int k, float gradScale, int maxDegreeOfParallelism, out int done)
    {
        int chunks = (k - BatchKernels.MinSamples) / BatchKernels.Chunk + 1;
        done = Math.Min(k, chunks * BatchKernels.Chunk);
        return maxDegreeOfParallelism > 1 && k >= 2 * BatchKernels.Chunk
            ? RunParallel(inputs, targets, k, chunks, gradScale, maxDegreeOfParallelism)
            : _method(inputs, targets, k, gradScale, 0, 1, _chunk.Span, _gradients.Span);
    }

    private float RunParallel(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int k, int chunks, float gradScale, int maxDegreeOfParallelism)
    {
        int workers = Math.Min(maxDegreeOfParallelism, chunks);
        if (_workerChunks.Length < workers)
        {
            // worker 0 is the calling thread (the network's gradients and this driver's chunk buffer); 1, 2, … own theirs
            int had = _workerChunks.Length;
            Array.Resize(ref _workerChunks, workers);
            Array.Resize(ref _workerGradients, workers);
            for (int w = Math.Max(had, 1); w < workers; w++)
            {
                _workerChunks[w] = new AlignedFloats(_chunkFloats);
                _workerGradients[w] = new AlignedFloats(_gradients.Length);
            }
            _workerLosses = new float[workers];
        }
        _samples = k;
        _workers = workers;
        _gradScale = gradScale;
        BatchWorkers.Run(workers, inputs, targets, _work, _workerLosses);
        // The fixed reduction order: the gradients of worker 1, then 2, … are added to the network's (worker 0 added its
        // own chunks there already), and the losses in worker order.
        Span<float> g = _gradients.Span;
        for (int w = 1; w < workers; w++) BatchKernels.Add(g, _workerGradients[w].Span);
        float total = 0f;
        for (int w = 0; w < workers; w++) total += _workerLosses[w];
        return total;
    }

    /// <summary>Worker w of a parallel batch: chunks w, w + n, w + 2n, … into its own buffers (cleared first).</summary>
    private float Work(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int worker)
    {
        if (worker == 0)
        {
            return _method(inputs, targets, _samples, _gradScale, 0, _workers, _chunk.Span, _gradients.Span);
        }
        Span<float> gradients = _workerGradients[worker].Span;
        gradients.Clear();
        return _method(inputs, targets, _samples, _gradScale, worker, _workers, _workerChunks[worker].Span, gradients);
    }
}
