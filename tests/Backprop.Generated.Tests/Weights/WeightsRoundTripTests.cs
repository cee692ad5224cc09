using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Weights;

public sealed class WeightsRoundTripTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SaveThenLoad_RestoresParametersAndStateBitForBit()
    {
        var source = FakeNetwork.Small().Fill(3);
        // Values whose bits must survive: -0, subnormal, infinities, NaN with a payload, extremes.
        source.Parameters[0] = -0f;
        source.Parameters[1] = float.Epsilon;
        source.Parameters[2] = float.PositiveInfinity;
        source.Parameters[3] = BitConverter.Int32BitsToSingle(0x7FC0_1234);
        source.Parameters[4] = float.MaxValue;
        source.State[1] = float.NegativeInfinity;
        string path = _temp.File("small.safetensors");

        source.SaveWeights(path);
        var target = FakeNetwork.Small().Fill(99);
        target.LoadWeights(path);

        Assert.Equal(Bits(source.ParametersCopy()), Bits(target.ParametersCopy()));
        Assert.Equal(Bits(source.StateCopy()), Bits(target.StateCopy()));
        Assert.Equal(new[] { path }, _temp.Entries());
    }

    [Fact]
    public void Save_WritesTheReferenceLayout_TensorsSortedByNameWithContiguousOffsets()
    {
        var network = FakeNetwork.Small().Fill(1);
        string path = _temp.File("small.safetensors");
        network.SaveWeights(path);
        byte[] bytes = File.ReadAllBytes(path);

        string header = SafeTensorsBytes.HeaderText(bytes);
        Assert.Equal(
            SafeTensorsBytes.Object(SafeTensorsBytes.SmallEntries()).PadRight(header.Length),
            header);
        Assert.Equal(0, header.Length % 8);
        byte[] expectedData = SafeTensorsBytes.Floats(
            network.Parameters[6], network.Parameters[7], // layers.0.bias
            network.State[0], network.State[1], // layers.0.bn.running_mean
            network.Parameters[0], network.Parameters[1], network.Parameters[2], // layers.0.weight
            network.Parameters[3], network.Parameters[4], network.Parameters[5]);
        Assert.Equal(expectedData, bytes.Skip(8 + header.Length).ToArray());
    }

    [Fact]
    public void Save_MatchesTheReferenceImplementationsOwnTestVectorByteForByte()
    {
        // safetensors' Rust test `test_serialization`: one F32 tensor "attn.0" of shape [1, 2, 3] holding 0..5.
        var network = new FakeNetwork(new TensorInfo("attn.0", 0, TensorRole.Weight, TensorStorage.Parameters, 0, 1, 2, 3));
        for (int i = 0; i < 6; i++) network.Parameters[i] = i;
        byte[] expected =
        {
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        };
        var stream = new MemoryStream();
        network.SaveWeights(stream);
        Assert.Equal(expected, stream.ToArray());

        var back = new FakeNetwork(new TensorInfo("attn.0", 0, TensorRole.Weight, TensorStorage.Parameters, 0, 1, 2, 3));
        back.LoadWeights(new MemoryStream(expected));
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, back.ParametersCopy());
    }

    [Fact]
    public void Save_WithMetadata_MatchesTheReferenceTestVectorForAnEmptyFile()
    {
        // safetensors' Rust test `test_empty` with metadata {"framework": "pt"}.
        var network = new FakeNetwork();
        byte[] expected =
        {
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        };
        var stream = new MemoryStream();
        network.SaveWeights(stream, new Dictionary<string, string> { ["framework"] = "pt" });
        Assert.Equal(expected, stream.ToArray());
        network.LoadWeights(new MemoryStream(expected));

        var plain = new MemoryStream();
        network.SaveWeights(plain);
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32 }, plain.ToArray());
    }

    [Fact]
    public void Save_OrdersNamesAsUtf8Bytes_NotNumerically()
    {
        var network = new FakeNetwork(
            new TensorInfo("layers.2.weight", 2, TensorRole.Weight, TensorStorage.Parameters, 0, 1, 1),
            new TensorInfo("layers.10.weight", 10, TensorRole.Weight, TensorStorage.Parameters, 1, 1, 1));
        var stream = new MemoryStream();
        network.SaveWeights(stream);
        string header = SafeTensorsBytes.HeaderText(stream.ToArray());
        Assert.True(header.IndexOf("layers.10.weight", StringComparison.Ordinal) < header.IndexOf("layers.2.weight", StringComparison.Ordinal));
    }

    [Fact]
    public void StreamOverloads_RoundTrip_AndLoadReadsANonSeekableStream()
    {
        var source = FakeNetwork.LikePyTorchSmall().Fill(5);
        var stream = new MemoryStream();
        source.SaveWeights(stream);

        var target = FakeNetwork.LikePyTorchSmall();
        target.LoadWeights(new NonSeekableStream(stream.ToArray()));
        Assert.Equal(source.ParametersCopy(), target.ParametersCopy());
        Assert.Equal(source.StateCopy(), target.StateCopy());
    }

    [Fact]
    public void LoadFromStream_ReadsFromTheCurrentPosition()
    {
        byte[] file = SafeTensorsBytes.SmallFile();
        var stream = new MemoryStream();
        stream.Write(new byte[] { 1, 2, 3 });
        stream.Write(file);
        stream.Position = 3;
        var network = FakeNetwork.Small();
        network.LoadWeights(stream);
        Assert.Equal(new float[] { 10, 11, 12, 13, 14, 15, 1, 2 }, network.ParametersCopy());
        Assert.Equal(new float[] { -1, -2 }, network.StateCopy());
    }

    [Fact]
    public void Load_IgnoresUnknownFieldsInAnEntry_AsTheReferenceDoes()
    {
        string[] entries = SafeTensorsBytes.SmallEntries();
        entries[0] = entries[0].Replace("{\"dtype\"", "{\"comment\":{\"nested\":[1,2]},\"dtype\"", StringComparison.Ordinal);
        var network = FakeNetwork.Small();
        network.LoadWeights(new MemoryStream(SafeTensorsBytes.File(SafeTensorsBytes.Object(entries), SafeTensorsBytes.SmallData())));
        Assert.Equal(new float[] { 1, 2 }, network.ParametersCopy()[6..]);
    }

    [Fact]
    public void Load_AcceptsAnyOffsetOrderInTheHeader_AndUnpaddedHeaders()
    {
        string[] entries = SafeTensorsBytes.SmallEntries().Reverse().ToArray();
        string header = SafeTensorsBytes.Object(entries.Prepend("\"__metadata__\":null").ToArray());
        var network = FakeNetwork.Small();
        network.LoadWeights(new MemoryStream(SafeTensorsBytes.File(header, SafeTensorsBytes.SmallData(), pad: false)));
        Assert.Equal(new float[] { 10, 11, 12, 13, 14, 15, 1, 2 }, network.ParametersCopy());
    }

    [Fact]
    public void PortableByteOrderPath_MatchesTheNativePath()
    {
        float[] values = Enumerable.Range(0, 257).Select(i => BitConverter.Int32BitsToSingle(i * 0x01010101 + 7)).ToArray();
        var native = new byte[values.Length * 4];
        var portable = new byte[values.Length * 4];
        LittleEndianFloats.Write(values, native);
        LittleEndianFloats.WritePortable(values, portable);
        Assert.Equal(native, portable);
        Assert.Equal(SafeTensorsBytes.Floats(values), portable);

        var back = new float[values.Length];
        LittleEndianFloats.ReadPortable(portable, back);
        Assert.Equal(Bits(values), Bits(back));
        LittleEndianFloats.Read(native, back);
        Assert.Equal(Bits(values), Bits(back));
    }

    [Fact]
    public void BrokenNetworkDescriptions_AreRejectedBeforeAnythingIsWritten()
    {
        var duplicate = new FakeNetwork(
            new TensorInfo("w", 0, TensorRole.Weight, TensorStorage.Parameters, 0, 1),
            new TensorInfo("w", 0, TensorRole.Weight, TensorStorage.Parameters, 1, 1));
        string path = _temp.File("dup.safetensors");
        Assert.Throws<InvalidOperationException>(() => duplicate.SaveWeights(path));
        Assert.Empty(_temp.Entries());
    }

    internal static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
