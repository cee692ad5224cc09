using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Weights;

/// <summary>The same layout as the MLP in tests/reference/make_pytorch_small.py.</summary>
[Network(Loss.MeanSquaredError)]
[Input(3)]
[Dense(4, Activation.ReLU)]
[Dense(2)]
public partial class WeightsMlp
{
}

/// <summary>Weights files on a network emitted by the source generator.</summary>
public sealed class WeightsGeneratedNetworkTests : IDisposable
{
    private static readonly float[] FixedInput = { 0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f };
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void GeneratedNetwork_SaveThenLoad_GivesTheSameParametersAndOutputs()
    {
        var source = new WeightsMlp(seed: 1);
        string path = _temp.File("mlp.safetensors");
        source.SaveWeights(path);

        var target = new WeightsMlp(seed: 2);
        Assert.NotEqual(source.Parameters.ToArray(), target.Parameters.ToArray());
        target.LoadWeights(path);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());

        var a = new float[4];
        var b = new float[4];
        ((INetwork)source).Forward(FixedInput, a);
        ((INetwork)target).Forward(FixedInput, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void GeneratedNetwork_LoadsAPyTorchFile_AndReproducesPyTorchsOutput()
    {
        var network = new WeightsMlp();
        network.LoadWeights(Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_mlp.safetensors"));
        Dictionary<string, float[]> expected = SafeTensorsBytes.ReadExpected(Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_mlp.expected.txt"));

        foreach (TensorInfo t in ((INetwork)network).Tensors)
        {
            Assert.Equal(expected[t.Name], t.Slice(network.Parameters).ToArray());
        }
        var output = new float[4];
        ((INetwork)network).Forward(FixedInput, output);
        float[] torch = expected["output"];
        for (int i = 0; i < output.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - torch[i]) <= 1e-6f * Math.Max(1f, Math.Abs(torch[i])), $"output[{i}] = {output[i]:R}, PyTorch {torch[i]:R}");
        }
    }

    [Fact]
    public void GeneratedNetwork_WithoutBatchNorm_RejectsTheBatchNormFile_AndIsUnchanged()
    {
        var network = new WeightsMlp(seed: 3);
        float[] before = network.Parameters.ToArray();
        var ex = Assert.Throws<WeightsFileException>(() =>
            network.LoadWeights(Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_small.safetensors")));
        Assert.Equal("layers.0.bn.bias", ex.TensorName);
        Assert.Contains("unexpected tensor: the network has no tensor of that name (it has layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Parameters.ToArray());
    }
}
