using System;
using System.Collections.Generic;
using Backprop.Generated;

namespace Backprop.Generated.Tests.Weights;

/// <summary>A hand-written <see cref="INetwork"/> with only storage and tensor descriptions, so the weights tests do not need the generator.</summary>
internal sealed class FakeNetwork : INetwork
{
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private readonly float[] _state;
    private readonly TensorInfo[] _tensors;

    public FakeNetwork(params TensorInfo[] tensors)
    {
        _tensors = tensors;
        int p = 0, s = 0;
        foreach (TensorInfo t in tensors)
        {
            if (t.Storage == TensorStorage.State) s = Math.Max(s, t.Offset + t.Length);
            else p = Math.Max(p, t.Offset + t.Length);
        }
        _parameters = new float[p];
        _gradients = new float[p];
        _state = new float[s];
    }

    /// <summary>Input(3) -> Dense(2) with a batch-norm running mean as state: three tensors, one of them State.</summary>
    public static FakeNetwork Small() => new(
        new TensorInfo("layers.0.weight", 0, TensorRole.Weight, TensorStorage.Parameters, 0, 2, 3),
        new TensorInfo("layers.0.bias", 0, TensorRole.Bias, TensorStorage.Parameters, 6, 2),
        new TensorInfo("layers.0.bn.running_mean", 0, TensorRole.BatchNormRunningMean, TensorStorage.State, 0, 2));

    /// <summary>The layout of the model in tests/reference/make_pytorch_small.py: Input(3) -> Dense(4)+BN -> Dense(2).</summary>
    public static FakeNetwork LikePyTorchSmall() => new(
        new TensorInfo("layers.0.weight", 0, TensorRole.Weight, TensorStorage.Parameters, 0, 4, 3),
        new TensorInfo("layers.0.bias", 0, TensorRole.Bias, TensorStorage.Parameters, 12, 4),
        new TensorInfo("layers.0.bn.weight", 0, TensorRole.BatchNormWeight, TensorStorage.Parameters, 16, 4),
        new TensorInfo("layers.0.bn.bias", 0, TensorRole.BatchNormBias, TensorStorage.Parameters, 20, 4),
        new TensorInfo("layers.1.weight", 1, TensorRole.Weight, TensorStorage.Parameters, 24, 2, 4),
        new TensorInfo("layers.1.bias", 1, TensorRole.Bias, TensorStorage.Parameters, 32, 2),
        new TensorInfo("layers.0.bn.running_mean", 0, TensorRole.BatchNormRunningMean, TensorStorage.State, 0, 4),
        new TensorInfo("layers.0.bn.running_var", 0, TensorRole.BatchNormRunningVariance, TensorStorage.State, 4, 4));

    /// <summary>Fills parameters and state with distinct values derived from <paramref name="seed"/>.</summary>
    public FakeNetwork Fill(int seed)
    {
        for (int i = 0; i < _parameters.Length; i++) _parameters[i] = seed + 0.5f * i + 0.125f;
        for (int i = 0; i < _state.Length; i++) _state[i] = -seed - 0.25f * i - 1f;
        return this;
    }

    public float[] ParametersCopy() => (float[])_parameters.Clone();

    public float[] StateCopy() => (float[])_state.Clone();

    public int InputSize => 3;

    public int OutputSize => 2;

    public int ParameterCount => _parameters.Length;

    public Loss Loss => Loss.MeanSquaredError;

    public Span<float> Parameters => _parameters;

    public Span<float> Gradients => _gradients;

    public Span<float> State => _state;

    public IReadOnlyList<TensorInfo> Tensors => _tensors;

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => throw new NotSupportedException();

    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();

    public void ZeroGradients() => Array.Clear(_gradients);

    public long TrainingStep { get; set; }

    public void InitializeParameters(int seed) => Fill(seed);
}
