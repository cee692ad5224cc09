using System;
using System.Collections.Generic;
using Backprop.Generated;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Training;

/// <summary>
/// A hand-written single Dense layer <c>y = f(W x + b)</c> with exact gradients: softmax for cross-entropy, sigmoid for
/// binary cross-entropy, identity for mean squared error and hinge. Keeps the training tests independent of the generator.
/// </summary>
internal sealed class LinearModel : INetwork
{
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private readonly float[] _state;
    private readonly TensorInfo[] _tensors;
    private readonly float[] _z;

    public LinearModel(int inputSize, int outputSize, Loss loss, int stateSize = 0)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Loss = loss;
        _parameters = new float[outputSize * inputSize + outputSize];
        _gradients = new float[_parameters.Length];
        _state = new float[stateSize];
        _z = new float[outputSize];
        var tensors = new List<TensorInfo>
        {
            new("layers.0.weight", 0, TensorRole.Weight, TensorStorage.Parameters, 0, outputSize, inputSize),
            new("layers.0.bias", 0, TensorRole.Bias, TensorStorage.Parameters, outputSize * inputSize, outputSize),
        };
        if (stateSize > 0) tensors.Add(new TensorInfo("layers.0.running_mean", 0, TensorRole.BatchNormRunningMean, TensorStorage.State, 0, stateSize));
        _tensors = tensors.ToArray();
    }

    public int InputSize { get; }
    public int OutputSize { get; }
    public int ParameterCount => _parameters.Length;
    public Loss Loss { get; }
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public Span<float> State => _state;
    public IReadOnlyList<TensorInfo> Tensors => _tensors;

    /// <summary>Counts Backward calls; records the sample count of each when <see cref="BatchSizes"/> is set.</summary>
    public int BackwardCalls { get; private set; }
    public List<int>? BatchSizes { get; set; }
    public List<float>? SeenFirstInputs { get; set; }

    /// <summary>When set, the Backward call with this 1-based number writes +infinity into this gradient index.</summary>
    public (int Call, int Index)? Poison { get; set; }

    /// <summary>Called after each Backward with its 1-based number.</summary>
    public Action<int>? AfterBackward { get; set; }

    /// <summary>When true, each Backward also increments State[0] (stands in for running statistics).</summary>
    public bool TouchState { get; set; }

    public void InitializeParameters(int seed) =>
        LayerInitializer.Initialize(_parameters.AsSpan(0, OutputSize * InputSize), _parameters.AsSpan(OutputSize * InputSize),
            InputSize, OutputSize, Init.XavierUniform, Activation.Linear, seed, 0);

    public void ZeroGradients() => Array.Clear(_gradients);

    public long TrainingStep { get; set; }

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int k = CheckLengths(inputs.Length, outputs.Length);
        Span<float> z = stackalloc float[OutputSize];
        for (int s = 0; s < k; s++)
        {
            Logits(inputs.Slice(s * InputSize, InputSize), z);
            Activate(z, outputs.Slice(s * OutputSize, OutputSize));
        }
    }

    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        int k = CheckLengths(inputs.Length, targets.Length);
        BackwardCalls++;
        BatchSizes?.Add(k);
        int w = OutputSize * InputSize;
        double lossSum = 0;
        Span<float> z = _z;
        Span<float> y = stackalloc float[OutputSize];
        float perElement = Loss == Loss.CrossEntropy ? 1f / k : 1f / (k * OutputSize);
        for (int s = 0; s < k; s++)
        {
            ReadOnlySpan<float> x = inputs.Slice(s * InputSize, InputSize);
            ReadOnlySpan<float> t = targets.Slice(s * OutputSize, OutputSize);
            SeenFirstInputs?.Add(x[0]);
            Logits(x, z);
            Activate(z, y);
            float tSum = 0;
            for (int o = 0; o < OutputSize; o++) tSum += t[o];
            for (int o = 0; o < OutputSize; o++)
            {
                float dz;
                switch (Loss)
                {
                    case Loss.CrossEntropy:
                        dz = y[o] * tSum - t[o];
                        break;
                    case Loss.BinaryCrossEntropy:
                        lossSum += Math.Max(z[o], 0) - z[o] * t[o] + Math.Log(1 + Math.Exp(-Math.Abs(z[o])));
                        dz = y[o] - t[o];
                        break;
                    case Loss.MeanSquaredError:
                        lossSum += (double)(z[o] - t[o]) * (z[o] - t[o]);
                        dz = 2 * (z[o] - t[o]);
                        break;
                    default:
                        lossSum += Math.Max(0, 1 - t[o] * z[o]);
                        dz = 1 - t[o] * z[o] > 0 ? -t[o] : 0;
                        break;
                }
                dz *= perElement;
                for (int i = 0; i < InputSize; i++) _gradients[o * InputSize + i] += dz * x[i];
                _gradients[w + o] += dz;
            }
            if (Loss == Loss.CrossEntropy)
            {
                double max = double.NegativeInfinity;
                for (int o = 0; o < OutputSize; o++) max = Math.Max(max, z[o]);
                double sum = 0;
                for (int o = 0; o < OutputSize; o++) sum += Math.Exp(z[o] - max);
                double lse = max + Math.Log(sum);
                for (int o = 0; o < OutputSize; o++) lossSum += t[o] * (lse - z[o]);
            }
        }
        if (TouchState && _state.Length > 0) _state[0] += 1;
        if (Poison is (int call, int index) && call == BackwardCalls) _gradients[index] = float.PositiveInfinity;
        AfterBackward?.Invoke(BackwardCalls);
        return (float)(Loss == Loss.CrossEntropy ? lossSum / k : lossSum / ((double)k * OutputSize));
    }

    private void Logits(ReadOnlySpan<float> x, Span<float> z)
    {
        int w = OutputSize * InputSize;
        for (int o = 0; o < OutputSize; o++)
        {
            float sum = _parameters[w + o];
            for (int i = 0; i < InputSize; i++) sum += _parameters[o * InputSize + i] * x[i];
            z[o] = sum;
        }
    }

    private void Activate(ReadOnlySpan<float> z, Span<float> y)
    {
        switch (Loss)
        {
            case Loss.CrossEntropy:
                float max = float.NegativeInfinity;
                foreach (float v in z) max = Math.Max(max, v);
                float sum = 0;
                for (int o = 0; o < z.Length; o++) sum += y[o] = MathF.Exp(z[o] - max);
                for (int o = 0; o < z.Length; o++) y[o] /= sum;
                break;
            case Loss.BinaryCrossEntropy:
                for (int o = 0; o < z.Length; o++) y[o] = 1f / (1f + MathF.Exp(-z[o]));
                break;
            default:
                z.CopyTo(y);
                break;
        }
    }

    private int CheckLengths(int inputs, int outputs)
    {
        if (inputs == 0 || inputs % InputSize != 0 || outputs != inputs / InputSize * OutputSize)
            throw new ArgumentException("Lengths are not whole, equal numbers of samples.");
        return inputs / InputSize;
    }
}

/// <summary>Parameters and gradients only (weight [3, 5] then bias [3]), for optimizer tests that set gradients by hand.</summary>
internal sealed class ParameterBag : INetwork
{
    public const int Out = 3, In = 5;
    private readonly float[] _parameters = new float[Out * In + Out];
    private readonly float[] _gradients = new float[Out * In + Out];
    private readonly TensorInfo[] _tensors =
    [
        new("layers.0.weight", 0, TensorRole.Weight, TensorStorage.Parameters, 0, Out, In),
        new("layers.0.bias", 0, TensorRole.Bias, TensorStorage.Parameters, Out * In, Out),
    ];

    public int InputSize => In;
    public int OutputSize => Out;
    public int ParameterCount => _parameters.Length;
    public Loss Loss => Loss.MeanSquaredError;
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public Span<float> State => Span<float>.Empty;
    public IReadOnlyList<TensorInfo> Tensors => _tensors;
    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => throw new NotSupportedException();
    public void ZeroGradients() => Array.Clear(_gradients);

    public long TrainingStep { get; set; }
    public void InitializeParameters(int seed) => throw new NotSupportedException();
}

internal static class TestData
{
    /// <summary>A 3-class problem with 4 features: class c has feature c raised; deterministic noise.</summary>
    public static Dataset Blobs(int count, int seed, int classes = 3, int features = 4, bool flipLabels = false)
    {
        var rng = new DeterministicRandom(seed, 7);
        var inputs = new float[count * features];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            int c = s % classes;
            labels[s] = flipLabels ? (c + 1) % classes : c;
            for (int f = 0; f < features; f++)
            {
                inputs[s * features + f] = (float)(rng.NextNormal() * 0.7 + (f == c ? 2.0 : 0.0));
            }
        }
        return Dataset.FromLabels(inputs, features, labels, classes);
    }

    /// <summary>Synchronous progress sink (System.Progress posts asynchronously).</summary>
    public sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
