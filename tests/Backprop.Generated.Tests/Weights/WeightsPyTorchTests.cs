using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Weights;

/// <summary>
/// A file written the way PyTorch's safetensors writes a state_dict (tests/reference/make_pytorch_small.py): F32
/// tensors, an I64 <c>num_batches_tracked</c> placed first, and <c>__metadata__ = {"format": "pt"}</c>.
/// </summary>
public sealed class WeightsPyTorchTests : IDisposable
{
    private static readonly string Reference = Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_small.safetensors");
    private static readonly string Expected = Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_small.expected.txt");
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PyTorchFile_LoadsAsIs_WithEveryValueBitForBit()
    {
        var network = FakeNetwork.LikePyTorchSmall();
        network.LoadWeights(Reference);

        Dictionary<string, float[]> expected = SafeTensorsBytes.ReadExpected(Expected);
        Assert.Equal(network.Tensors.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), expected.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (TensorInfo t in network.Tensors)
        {
            float[] actual = NetworkLayout.Slice(network, t).ToArray();
            Assert.Equal(WeightsRoundTripTests.Bits(expected[t.Name]), WeightsRoundTripTests.Bits(actual));
        }
    }

    [Fact]
    public void PyTorchFile_RoundTrips_ThroughSaveAndLoad_WithTheSameF32EntriesAndBytes()
    {
        var network = FakeNetwork.LikePyTorchSmall();
        network.LoadWeights(Reference);
        string path = _temp.File("resaved.safetensors");
        network.SaveWeights(path, new Dictionary<string, string> { ["format"] = "pt" });

        var again = FakeNetwork.LikePyTorchSmall();
        again.LoadWeights(path);
        Assert.Equal(WeightsRoundTripTests.Bits(network.ParametersCopy()), WeightsRoundTripTests.Bits(again.ParametersCopy()));
        Assert.Equal(WeightsRoundTripTests.Bits(network.StateCopy()), WeightsRoundTripTests.Bits(again.StateCopy()));

        // Same tensors in the same order with the same data bytes; only the ignored I64 counter (8 bytes, first) is gone.
        byte[] original = File.ReadAllBytes(Reference);
        byte[] resaved = File.ReadAllBytes(path);
        string originalHeader = SafeTensorsBytes.HeaderText(original);
        string resavedHeader = SafeTensorsBytes.HeaderText(resaved);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"},\"layers.0.bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},", originalHeader, StringComparison.Ordinal);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"},\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},", resavedHeader, StringComparison.Ordinal);
        byte[] originalFloats = original.Skip(8 + originalHeader.Length + 8).ToArray();
        byte[] resavedData = resaved.Skip(8 + resavedHeader.Length).ToArray();
        Assert.Equal(originalFloats, resavedData);
    }
}
