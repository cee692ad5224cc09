using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Weights;

/// <summary>
/// The layers of tests/reference/make_pytorch_sequential.py's 13-module nn.Sequential: Linear(3, 5), BatchNorm1d(5),
/// ReLU, Dropout, Linear(5, 4), Tanh, Linear(4, 4), ReLU, Linear(4, 4), ReLU, Linear(4, 3), Sigmoid, Linear(3, 2).
/// </summary>
[Network(Loss.MeanSquaredError)]
[Input(3)]
[Dense(5)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.1)]
[Dense(4, Activation.Tanh)]
[Dense(4, Activation.ReLU)]
[Dense(4, Activation.ReLU)]
[Dense(3, Activation.Sigmoid)]
[Dense(2)]
public partial class SequentialTwin
{
}

/// <summary>The same network with the file's weights baked in, paired by module order at build time.</summary>
[Network(Loss.MeanSquaredError, Weights = "pytorch_sequential.safetensors", WeightNames = WeightNames.ModuleOrder)]
[Input(3)]
[Dense(5)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.1)]
[Dense(4, Activation.Tanh)]
[Dense(4, Activation.ReLU)]
[Dense(4, Activation.ReLU)]
[Dense(3, Activation.Sigmoid)]
[Dense(2)]
public partial class SequentialBaked
{
}

/// <summary>
/// PyTorch state_dict names: <see cref="WeightNames.ModuleOrder"/>, a name delegate, and messages that list what the
/// file holds. The file is written by tests/reference/make_pytorch_sequential.py (committed with its expected values).
/// </summary>
public sealed class WeightsPyTorchNamesTests : IDisposable
{
    private static readonly string Sequential = Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_sequential.safetensors");
    private static readonly Dictionary<string, float[]> Expected =
        SafeTensorsBytes.ReadExpected(Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_sequential.expected.txt"));
    private static readonly float[] FixedInput = { 0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f, -2f, 0.125f, 1f };

    // The network's tensor -> the nn.Sequential's (modules 0, 1, 4, 6, 8, 10, 12 hold tensors).
    private static readonly Dictionary<string, string> PyTorchName = new()
    {
        ["layers.0.weight"] = "0.weight", ["layers.0.bias"] = "0.bias",
        ["layers.0.bn.weight"] = "1.weight", ["layers.0.bn.bias"] = "1.bias",
        ["layers.0.bn.running_mean"] = "1.running_mean", ["layers.0.bn.running_var"] = "1.running_var",
        ["layers.1.weight"] = "4.weight", ["layers.1.bias"] = "4.bias",
        ["layers.2.weight"] = "6.weight", ["layers.2.bias"] = "6.bias",
        ["layers.3.weight"] = "8.weight", ["layers.3.bias"] = "8.bias",
        ["layers.4.weight"] = "10.weight", ["layers.4.bias"] = "10.bias",
        ["layers.5.weight"] = "12.weight", ["layers.5.bias"] = "12.bias",
    };

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static void AssertHoldsThePyTorchValues(INetwork network)
    {
        Assert.Equal(PyTorchName.Keys.OrderBy(n => n, StringComparer.Ordinal), network.Tensors.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal));
        foreach (TensorInfo t in network.Tensors)
        {
            float[] actual = NetworkLayout.Slice(network, t).ToArray();
            Assert.Equal(WeightsRoundTripTests.Bits(Expected[PyTorchName[t.Name]]), WeightsRoundTripTests.Bits(actual));
        }
    }

    private static float[] Output(IInferenceNetwork network)
    {
        var output = new float[6];
        network.Forward(FixedInput, output);
        return output;
    }

    private static void AssertPyTorchOutput(float[] output)
    {
        float[] torch = Expected["output"];
        Assert.Equal(torch.Length, output.Length);
        for (int i = 0; i < output.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - torch[i]) <= 1e-6f * Math.Max(1f, Math.Abs(torch[i])), $"output[{i}] = {output[i]:R}, PyTorch {torch[i]:R}");
        }
    }

    [Fact]
    public void ModuleOrder_loads_an_nn_Sequential_state_dict_in_one_call_and_reproduces_PyTorch()
    {
        var network = new SequentialTwin(seed: 3);
        network.LoadWeights(Sequential, WeightNames.ModuleOrder);
        AssertHoldsThePyTorchValues(network);
        AssertPyTorchOutput(Output(network));
    }

    [Fact]
    public void ModuleOrder_baked_at_build_time_gives_the_same_bits_as_loading_at_run_time()
    {
        var loaded = new SequentialTwin(seed: 3);
        loaded.LoadWeights(Sequential, WeightNames.ModuleOrder);
        float[] baked = Output(new SequentialBaked());
        Assert.Equal(WeightsRoundTripTests.Bits(Output(loaded)), WeightsRoundTripTests.Bits(baked));
        AssertPyTorchOutput(baked);
        Assert.Equal(WeightsRoundTripTests.Bits(loaded.Parameters.ToArray()), WeightsRoundTripTests.Bits(SequentialBaked.Parameters.ToArray()));
        Assert.Equal(WeightsRoundTripTests.Bits(loaded.State.ToArray()), WeightsRoundTripTests.Bits(SequentialBaked.State.ToArray()));
    }

    [Fact]
    public void ModuleOrder_from_a_stream_and_a_name_delegate_load_the_same_values()
    {
        var fromStream = new SequentialTwin(seed: 3);
        using (var stream = new NonSeekableStream(File.ReadAllBytes(Sequential)))
        {
            fromStream.LoadWeights(stream, WeightNames.ModuleOrder, "pipe");
        }
        AssertHoldsThePyTorchValues(fromStream);

        var byDelegate = new SequentialTwin(seed: 3);
        var asked = new List<string>();
        byDelegate.LoadWeights(Sequential, t =>
        {
            asked.Add(t.Name);
            return PyTorchName[t.Name];
        });
        AssertHoldsThePyTorchValues(byDelegate);
        Assert.Equal(byDelegate.Tensors.Select(t => t.Name), asked);
    }

    [Fact]
    public void The_network_s_own_names_fail_with_a_message_that_lists_what_the_file_holds()
    {
        var network = new SequentialTwin(seed: 3);
        float[] before = network.Parameters.ToArray();
        var ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(Sequential));
        Assert.Equal("layers.0.weight", ex.TensorName);
        Assert.Contains("the network's tensor is missing from the file (expected F32 [5, 3]); the file holds 0.bias F32 [5], 0.weight F32 [5, 3], 1.bias F32 [5], " +
            "1.num_batches_tracked I64 [], 1.running_mean F32 [5], 1.running_var F32 [5], 1.weight F32 [5], 10.bias F32 [3], 10.weight F32 [3, 4], 12.bias F32 [2], " +
            "12.weight F32 [2, 3], 4.bias F32 [4], 4.weight F32 [4, 5], 6.bias F32 [4], 6.weight F32 [4, 4], 8.bias F32 [4] and 1 more", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void ModuleOrder_with_a_layer_too_many_names_both_sides_and_changes_nothing()
    {
        var network = new WeightsMlp(seed: 1); // two Dense layers; the Sequential file has seven modules
        float[] before = network.Parameters.ToArray();
        var ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(Sequential, WeightNames.ModuleOrder));
        Assert.Null(ex.TensorName);
        Assert.Contains("WeightNames.ModuleOrder pairs the file's modules with the network's layers in order, but the file has 7 modules " +
            "(0: bias weight, 1: bias running_mean running_var weight, 4: bias weight, 6: bias weight, 8: bias weight, 10: bias weight, 12: bias weight) " +
            "and the network 2 modules (layers.0: weight bias, layers.1: weight bias); the file holds 0.bias F32 [5]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void A_renamed_tensor_of_the_wrong_shape_names_both_the_file_s_tensor_and_the_network_s()
    {
        var network = new SequentialTwin(seed: 3);
        Dictionary<string, string> swapped = new(PyTorchName) { ["layers.2.weight"] = "8.weight", ["layers.3.weight"] = "6.weight" };
        // Same shapes [4, 4]: a swap loads (the delegate is trusted) ...
        network.LoadWeights(Sequential, t => swapped[t.Name]);
        // ... a pairing of different shapes does not.
        Dictionary<string, string> wrong = new(PyTorchName) { ["layers.1.weight"] = "6.weight", ["layers.2.weight"] = "4.weight" };
        var ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(Sequential, t => wrong[t.Name]));
        Assert.Equal("6.weight", ex.TensorName);
        Assert.Contains("shape is [4, 4], expected [4, 5] (read by the network's 'layers.1.weight' by the nameInFile mapping)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_delegate_that_reads_a_tensor_twice_or_leaves_one_unread_or_returns_null_is_rejected()
    {
        var network = new SequentialTwin(seed: 3);
        Dictionary<string, string> twice = new(PyTorchName) { ["layers.2.weight"] = "8.weight" };
        var ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(Sequential, t => twice[t.Name]));
        Assert.Equal("8.weight", ex.TensorName);
        Assert.Contains("both the network's 'layers.2.weight' and 'layers.3.weight' read this tensor by the nameInFile mapping", ex.Message, StringComparison.Ordinal);

        Dictionary<string, string> missing = new(PyTorchName) { ["layers.5.bias"] = "13.bias" };
        ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(Sequential, t => missing[t.Name]));
        Assert.Equal("13.bias", ex.TensorName);
        Assert.Contains("the network's tensor 'layers.5.bias' reads this tensor by the nameInFile mapping, but it is missing from the file (expected F32 [2]); the file holds 0.bias F32 [5]", ex.Message, StringComparison.Ordinal);

        var nullName = Assert.Throws<ArgumentException>(() => network.LoadWeights(Sequential, t => t.Name == "layers.1.bias" ? null! : PyTorchName[t.Name]));
        Assert.Contains("nameInFile returned null for the network's tensor 'layers.1.bias'", nullName.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Natural_order_compares_numbers_as_numbers_and_parts_one_by_one()
    {
        string[] names = { "10", "encoder.10", "2", "fc2", "encoder.2", "1", "fc1", "encoder", "01x", "0" };
        string[] sorted = names.OrderBy(n => n, Comparer<string>.Create(WeightNameMatching.NaturalCompare)).ToArray();
        Assert.Equal(new[] { "0", "1", "2", "10", "01x", "encoder", "encoder.2", "encoder.10", "fc1", "fc2" }, sorted);
    }

    [Fact]
    public void The_generated_Tensors_list_is_the_shared_layout()
    {
        var expected = new List<TensorSpec>();
        TensorLayout.AddDense(expected, 0, 0, 3, 5);
        TensorLayout.AddBatchNorm(expected, 0, 20, 0, 5);
        int offset = 30;
        int fanIn = 5;
        foreach ((int layer, int units) in new[] { (1, 4), (2, 4), (3, 4), (4, 3), (5, 2) })
        {
            TensorLayout.AddDense(expected, layer, offset, fanIn, units);
            offset += fanIn * units + units;
            fanIn = units;
        }
        var network = new SequentialTwin(seed: 3);
        Assert.Equal(offset, network.Parameters.Length);
        Assert.Equal(expected.Select(TensorInfo.From).Select(t => t.ToString()), network.Tensors.Select(t => t.ToString()));
        Assert.Equal(expected.Select(t => (t.Layer, t.Role)), network.Tensors.Select(t => (t.Layer, t.Role)));
    }
}
