using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Generated;

/// <summary>
/// An optimizer: updates a network's parameters from its accumulated gradients, keeping whatever per-parameter state
/// (momentum, moment estimates) the rule needs.
/// </summary>
public interface IOptimizer
{
    /// <summary>
    /// The step size used by the next <see cref="Step"/>. Learning-rate schedules set it once per epoch.
    /// Must be finite and at least 0.
    /// </summary>
    float LearningRate { get; set; }

    /// <summary>Applies one update to <paramref name="network"/>'s parameters. Does not zero the gradients.</summary>
    void Step(INetwork network);

    /// <summary>Writes the optimizer's state (step count, learning rate, per-parameter buffers) to <paramref name="stream"/>.</summary>
    void SaveState(Stream stream);

    /// <summary>
    /// Replaces the optimizer's state with one written by <see cref="SaveState"/> of an optimizer of the same type and
    /// hyper-parameters. Continuing from the restored state gives bit-identical results to never having stopped.
    /// </summary>
    void LoadState(Stream stream);

    /// <summary>Forgets all state, as if no step had been taken; the next <see cref="Step"/> may use another network.</summary>
    void ResetState();
}

/// <summary>
/// Base class of the built-in optimizers: validates the learning rate, allocates the per-parameter buffers once (on the
/// first <see cref="Step"/>), counts steps, and saves and loads state in a small binary format.
/// </summary>
/// <remarks>
/// The state is bound to the length of <see cref="INetwork.Parameters"/> on the first step; stepping a network with a
/// different parameter count throws until <see cref="ResetState"/> is called. Steps allocate nothing.
/// <para>Arithmetic follows <c>torch.optim</c>'s single-tensor implementations operation by operation; scalar factors
/// such as <c>lr / (1 - beta1^t)</c> are computed in double and rounded to float, as PyTorch does. No fused
/// multiply-add is used, so results are bit-identical on every machine.</para>
/// </remarks>
public abstract class Optimizer : IOptimizer
{
    private const int Magic = 0x5450_4F42; // "BOPT" little-endian
    private const int FormatVersion = 1;

    private float _learningRate;
    private float[][] _buffers = [];
    private int _parameterCount = -1;

    /// <summary>Validates and stores the initial learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not a positive finite number.</exception>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate > 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number.");
        _learningRate = learningRate;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a finite number >= 0.");
            _learningRate = value;
        }
    }

    /// <summary>Number of steps taken since construction or the last <see cref="ResetState"/> (PyTorch's <c>step</c>).</summary>
    public long StepCount { get; private set; }

    /// <summary>The hyper-parameters other than the learning rate, e.g. <c>beta1=0.9, beta2=0.999</c>; empty when none.
    /// Saved with the state (after the type name); loading checks that they match.</summary>
    protected abstract string Configuration { get; }

    /// <summary>How many per-parameter float buffers the rule keeps (0 for plain SGD).</summary>
    protected abstract int BufferCount { get; }

    /// <summary>
    /// Applies the update rule. <paramref name="step"/> is the 1-based step number (already incremented); the buffers
    /// (<see cref="GetBuffer"/>) hold zeros before the first step.
    /// </summary>
    protected abstract void Update(INetwork network, Span<float> parameters, ReadOnlySpan<float> gradients, long step);

    /// <summary>Per-parameter buffer <paramref name="index"/> (0 to <see cref="BufferCount"/> - 1), as long as the parameters.</summary>
    protected Span<float> GetBuffer(int index) => _buffers[index];

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The network's gradients are not as long as its parameters.</exception>
    /// <exception cref="InvalidOperationException">The state belongs to a network with another parameter count.</exception>
    public void Step(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Span<float> parameters = network.Parameters;
        Span<float> gradients = network.Gradients;
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"The network has {parameters.Length} parameters but {gradients.Length} gradients.", nameof(network));
        if (_parameterCount != parameters.Length)
        {
            if (_parameterCount >= 0)
                throw new InvalidOperationException(
                    $"This optimizer's state belongs to a network with {_parameterCount} parameters, not {parameters.Length}. Call ResetState() or use a new optimizer.");
            Bind(parameters.Length);
        }
        StepCount++;
        Update(network, parameters, gradients, StepCount);
    }

    /// <inheritdoc/>
    public void ResetState()
    {
        StepCount = 0;
        _parameterCount = -1;
        _buffers = [];
    }

    /// <inheritdoc/>
    public void SaveState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Identity);
        writer.Write(_learningRate);
        writer.Write(StepCount);
        writer.Write(_parameterCount);
        writer.Write(_buffers.Length);
        writer.Flush();
        foreach (float[] buffer in _buffers)
        {
            WriteFloats(stream, buffer);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The data is not an optimizer state, or was saved by another optimizer
    /// type or hyper-parameters. The current state is then left unchanged.</exception>
    public void LoadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadInt32() != Magic) throw new InvalidDataException("The data is not an optimizer state (wrong magic number).");
            int version = reader.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"Optimizer state format version {version} is not supported (expected {FormatVersion}).");
            string configuration = reader.ReadString();
            if (configuration != Identity)
                throw new InvalidDataException($"The state was saved by {configuration}, but this optimizer is {Identity}.");
            float learningRate = reader.ReadSingle();
            if (!(learningRate >= 0) || float.IsInfinity(learningRate)) throw new InvalidDataException($"The saved learning rate {learningRate} is invalid.");
            long stepCount = reader.ReadInt64();
            int parameterCount = reader.ReadInt32();
            int bufferCount = reader.ReadInt32();
            if (stepCount < 0 || parameterCount < -1) throw new InvalidDataException("The optimizer state is corrupt.");
            int expectedBuffers = parameterCount < 0 ? 0 : BufferCount;
            if (bufferCount != expectedBuffers)
                throw new InvalidDataException($"The state holds {bufferCount} buffers, {Identity} needs {expectedBuffers}.");
            var buffers = new float[bufferCount][];
            for (int b = 0; b < bufferCount; b++)
            {
                buffers[b] = new float[parameterCount];
                ReadFloats(stream, buffers[b]);
            }
            _learningRate = learningRate;
            StepCount = stepCount;
            _parameterCount = parameterCount;
            _buffers = buffers;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The optimizer state ends early.", e);
        }
    }

    /// <summary>The type, learning rate and hyper-parameters, e.g. <c>Adam(lr=0.001, beta1=0.9, ...)</c>.</summary>
    public override string ToString()
    {
        string lr = "lr=" + Format(_learningRate);
        return Configuration.Length == 0 ? $"{GetType().Name}({lr})" : $"{GetType().Name}({lr}, {Configuration})";
    }

    private string Identity => $"{GetType().Name}({Configuration})";

    /// <summary>Formats a hyper-parameter for <see cref="Configuration"/>: round-trip, invariant culture.</summary>
    protected static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Validates a hyper-parameter: finite and within [<paramref name="min"/>, <paramref name="max"/>]
    /// (<paramref name="max"/> exclusive when <paramref name="maxExclusive"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside the range.</exception>
    protected static float Check(float value, string name, float min, float max, bool maxExclusive = false)
    {
        bool ok = float.IsFinite(value) && value >= min && (maxExclusive ? value < max : value <= max);
        if (!ok)
        {
            string range = float.IsPositiveInfinity(max) ? $"a finite number >= {Format(min)}" : $"in [{Format(min)}, {Format(max)}{(maxExclusive ? ")" : "]")}";
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {range}.");
        }
        return value;
    }

    private void Bind(int parameterCount)
    {
        var buffers = new float[BufferCount][];
        for (int b = 0; b < buffers.Length; b++)
        {
            buffers[b] = new float[parameterCount];
        }
        _buffers = buffers;
        _parameterCount = parameterCount;
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        Span<byte> bytes = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes, v);
            stream.Write(bytes);
        }
    }

    private static void ReadFloats(Stream stream, float[] values)
    {
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = BinaryPrimitives.ReverseEndianness(bits[i]);
            }
        }
    }
}
