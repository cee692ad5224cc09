using System;
using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// Runs the pieces of one mini-batch on several threads for generated <c>Backward</c> methods
/// (<c>MaxDegreeOfParallelism</c> above 1): the calling thread is worker 0, long-lived background threads are workers
/// 1, 2, …; every worker gets the same input and target spans and its index, and which chunks of the batch a worker
/// takes depends only on that index and the worker count, never on timing. Allocates nothing after the first call
/// with a given worker count. Not for user code.
/// </summary>
/// <remarks>
/// The spans are pinned for the duration of <see cref="Run"/> and handed to the worker threads as pointers, so batch
/// data on the caller's stack works too. Calls from different threads take turns (one batch on the workers at a time).
/// A worker's exception is rethrown on the calling thread once every worker has finished.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class BatchWorkers
{
    /// <summary>The piece of a batch that worker <paramref name="worker"/> does; returns its summed loss.</summary>
    public delegate float Work(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int worker);

    /// <summary>The most workers one call may use.</summary>
    public const int MaxWorkers = 64;

    private static readonly object Gate = new();
    private static Worker[] _threads = Array.Empty<Worker>();

    /// <summary>
    /// Runs <paramref name="work"/> for workers 0 to <paramref name="workers"/> − 1 at once (0 on this thread) and
    /// writes each worker's result to <paramref name="results"/>[worker].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">workers is not 1 to <see cref="MaxWorkers"/>, or results is shorter.</exception>
    public static void Run(int workers, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Work work, Span<float> results)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (workers < 1 || workers > MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(workers), workers, $"Expected 1 to {MaxWorkers} workers.");
        if (results.Length < workers)
            throw new ArgumentOutOfRangeException(nameof(results), results.Length, $"Expected room for {workers} results.");
        if (workers == 1)
        {
            results[0] = work(inputs, targets, 0);
            return;
        }
        lock (Gate)
        {
            Worker[] threads = EnsureThreads(workers - 1);
            fixed (float* pi = inputs)
            fixed (float* pt = targets)
            {
                for (int w = 1; w < workers; w++)
                {
                    threads[w - 1].Start(work, pi, inputs.Length, pt, targets.Length, w);
                }
                Exception? error = null;
                try
                {
                    results[0] = work(inputs, targets, 0);
                }
                catch (Exception e)
                {
                    error = e;
                }
                // Every worker must be done before the spans are unpinned, even when worker 0 failed.
                for (int w = 1; w < workers; w++)
                {
                    Worker t = threads[w - 1];
                    t.WaitDone();
                    results[w] = t.Result;
                    if (t.Error is not null)
                    {
                        error ??= t.Error;
                        t.Error = null;
                    }
                }
                if (error is not null)
                {
                    ExceptionDispatchInfo.Capture(error).Throw();
                }
            }
        }
    }

    private static Worker[] EnsureThreads(int count)
    {
        if (_threads.Length < count)
        {
            var grown = new Worker[count];
            Array.Copy(_threads, grown, _threads.Length);
            for (int i = _threads.Length; i < count; i++)
            {
                grown[i] = new Worker(i + 1);
            }
            _threads = grown;
        }
        return _threads;
    }

    /// <summary>One background thread that runs a piece of work when started and signals when it is done.</summary>
    private sealed class Worker
    {
        // Spin a little before blocking: batches arrive back to back during training, and waking a blocked thread
        // costs tens of microseconds.
        private const int SpinCount = 2000;

        private readonly ManualResetEventSlim _start = new(false, SpinCount);
        private readonly ManualResetEventSlim _done = new(false, SpinCount);
        private Work? _work;
        private float* _inputs, _targets;
        private int _inputLength, _targetLength, _index;

        public Worker(int index)
        {
            var thread = new Thread(Loop)
            {
                IsBackground = true,
                Name = "Backprop.Generated batch worker " + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            thread.Start();
        }

        public float Result { get; private set; }

        public Exception? Error { get; set; }

        public void Start(Work work, float* inputs, int inputLength, float* targets, int targetLength, int index)
        {
            _work = work;
            _inputs = inputs;
            _inputLength = inputLength;
            _targets = targets;
            _targetLength = targetLength;
            _index = index;
            _done.Reset();
            _start.Set();
        }

        public void WaitDone() => _done.Wait();

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                try
                {
                    Result = _work!(new ReadOnlySpan<float>(_inputs, _inputLength), new ReadOnlySpan<float>(_targets, _targetLength), _index);
                }
                catch (Exception e)
                {
                    Result = float.NaN;
                    Error = e;
                }
                _work = null;
                _done.Set();
            }
        }
    }
}
