using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Backprop.Generated;
using Xunit;
using Xunit.Abstractions;
using static Backprop.Generated.Tests.Weights.SafeTensorsBytes;

namespace Backprop.Generated.Tests.Weights;

/// <summary>Every malformed or mismatched file gives a <see cref="WeightsFileException"/> naming the file, the tensor and the problem, and changes nothing.</summary>
public sealed class WeightsBadFileTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ITestOutputHelper _output;

    public WeightsBadFileTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// Loads <paramref name="content"/> from a file and from a non-seekable stream into a filled network; both must
    /// throw <see cref="WeightsFileException"/> and leave the network unchanged. Returns the file load's exception
    /// after checking it names the file, <paramref name="tensor"/> and each of <paramref name="phrases"/>.
    /// </summary>
    private WeightsFileException Rejected(byte[] content, string? tensor, params string[] phrases) =>
        Rejected(FakeNetwork.Small(), content, tensor, phrases);

    private WeightsFileException Rejected(FakeNetwork network, byte[] content, string? tensor, params string[] phrases)
    {
        network.Fill(7);
        float[] parameters = network.ParametersCopy();
        float[] state = network.StateCopy();
        string path = _temp.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, content);

        var ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(path));
        _output.WriteLine(ex.Message);
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Equal(parameters, network.ParametersCopy());
        Assert.Equal(state, network.StateCopy());
        Assert.Equal(path, ex.FileName);
        Assert.StartsWith($"Weights file '{path}'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(tensor, ex.TensorName);
        if (tensor is not null) Assert.Contains($"tensor '{WeightsFileException.Printable(tensor)}'", ex.Message, StringComparison.Ordinal);
        foreach (string phrase in phrases) Assert.Contains(phrase, ex.Message, StringComparison.Ordinal);

        var fromPipe = Assert.Throws<WeightsFileException>(() => network.LoadWeights(new NonSeekableStream(content), "pipe"));
        Assert.Equal("pipe", fromPipe.FileName);
        Assert.Equal(parameters, network.ParametersCopy());
        Assert.Equal(state, network.StateCopy());
        return ex;
    }

    private static byte[] WithHeader(string header) => File(header, SmallData());

    private static string[] Replace(int index, string entry)
    {
        string[] entries = SmallEntries();
        entries[index] = entry;
        return entries;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void FileShorterThan8Bytes(int length) =>
        Rejected(new byte[length], null, $"the file is {length} bytes long, shorter than the 8-byte header length");

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void HeaderLengthOver100MB(ulong declared)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
        Rejected(bytes, null, $"the header length is {declared} bytes, over the limit of 100000000");
    }

    [Fact]
    public void HeaderLengthPastTheEndOfTheFile() =>
        Rejected(File(Encoding.UTF8.GetBytes("{}"), Array.Empty<byte>(), pad: false, declaredLength: 1000), null,
            "the header length is 1000 bytes, past the end of the file: only 2 bytes follow the length field");

    [Fact]
    public void HeaderNotUtf8()
    {
        byte[] header = Encoding.UTF8.GetBytes(Object(SmallEntries()));
        header[2] = 0xFF; // inside the first name
        Rejected(File(header, SmallData()), null, "the header is not valid UTF-8 (invalid byte 0xff at byte 2 of the header)");
    }

    [Fact]
    public void HeaderNotStartingWithABrace() =>
        Rejected(WithHeader(" " + Object(SmallEntries())), null, "the header must be a JSON object starting with '{', but its first byte is 0x20");

    [Fact]
    public void HeaderAJsonArray() =>
        Rejected(WithHeader("[1,2]"), null, "must be a JSON object");

    [Theory]
    [InlineData("{\"layers.0.bias\":")]
    [InlineData("{'layers.0.bias':1}")]
    [InlineData("{\"__metadata__\":{},}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\" /* c */}}")]
    [InlineData("{} {}")]
    [InlineData("{\"\\ud800\":1}")]
    public void HeaderNotJson(string header) =>
        Rejected(WithHeader(header), null, "the header is not valid JSON");

    [Fact]
    public void EntryNotAnObject() =>
        Rejected(WithHeader(Object(Replace(0, "\"layers.0.bias\":[0,8]"))), "layers.0.bias", "the entry is an array, expected an object with dtype, shape and data_offsets");

    [Theory]
    [InlineData("dtype")]
    [InlineData("shape")]
    [InlineData("data_offsets")]
    public void EntryMissingAField(string field)
    {
        string entry = field switch
        {
            "dtype" => "\"layers.0.bias\":{\"shape\":[2],\"data_offsets\":[0,8]}",
            "shape" => "\"layers.0.bias\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}",
            _ => "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2]}",
        };
        Rejected(WithHeader(Object(Replace(0, entry))), "layers.0.bias", $"the entry has no '{field}' field");
    }

    [Fact]
    public void EntryWithAFieldTwice() =>
        Rejected(WithHeader(Object(Replace(0, "\"layers.0.bias\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"))),
            "layers.0.bias", "the entry has the field 'dtype' twice");

    [Theory]
    [InlineData("[-2]", "shape holds the number -2, expected non-negative integers below 2^64")]
    [InlineData("[2.5]", "shape holds the number 2.5, expected non-negative integers")]
    [InlineData("[18446744073709551616]", "shape holds the number 18446744073709551616")]
    [InlineData("[\"2\"]", "shape holds a string, expected non-negative integers")]
    [InlineData("2", "shape is a number, expected an array of non-negative integers")]
    public void ShapeNotAnArrayOfNonNegativeIntegers(string shape, string phrase) =>
        Rejected(WithHeader(Object(Replace(0, $"\"layers.0.bias\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,8]}}"))), "layers.0.bias", phrase);

    [Theory]
    [InlineData("[0,8,9]", "data_offsets holds 3 numbers, expected 2 ([begin, end])")]
    [InlineData("[8]", "data_offsets holds 1 number, expected 2")]
    [InlineData("[0,-8]", "data_offsets holds the number -8")]
    [InlineData("{\"begin\":0}", "data_offsets is an object, expected an array")]
    public void DataOffsetsNotAPair(string offsets, string phrase) =>
        Rejected(WithHeader(Object(Replace(0, $"\"layers.0.bias\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{offsets}}}"))), "layers.0.bias", phrase);

    [Theory]
    [InlineData("F128")]
    [InlineData("f32")]
    [InlineData("")]
    public void UnknownDtype(string dtype) =>
        Rejected(WithHeader(Object(Replace(0, Entry("layers.0.bias", dtype, new[] { 2 }, 0, 8)))), "layers.0.bias", $"unknown dtype \"{dtype}\"");

    [Fact]
    public void DtypeNotAString() =>
        Rejected(WithHeader(Object(Replace(0, "\"layers.0.bias\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}"))), "layers.0.bias", "dtype is a number, expected a string");

    [Fact]
    public void MetadataNotAnObjectOfStrings()
    {
        Rejected(WithHeader(Object(SmallEntries().Prepend("\"__metadata__\":{\"format\":1}").ToArray())), null,
            "'__metadata__' entry 'format' is a number, expected a string");
        Rejected(WithHeader(Object(SmallEntries().Prepend("\"__metadata__\":[\"pt\"]").ToArray())), null,
            "'__metadata__' is an array, expected an object of strings");
        Rejected(WithHeader(Object(SmallEntries().Prepend("\"__metadata__\":{}").Prepend("\"__metadata__\":{}").ToArray())), null,
            "the header has '__metadata__' twice");
    }

    [Fact]
    public void OffsetsOverlap() =>
        Rejected(WithHeader(Object(Replace(1, Entry("layers.0.bn.running_mean", "F32", new[] { 2 }, 4, 12)))), "layers.0.bn.running_mean",
            "data_offsets [4, 12] overlap tensor 'layers.0.bias' [0, 8]; expected to start at 8");

    [Fact]
    public void OffsetsLeaveAGap() =>
        Rejected(File(Object(Replace(2, Entry("layers.0.weight", "F32", new[] { 2, 3 }, 20, 44))), SmallData().Concat(new byte[4]).ToArray()),
            "layers.0.weight", "data_offsets [20, 44] leave a gap of 4 bytes after tensor 'layers.0.bn.running_mean' [8, 16]; expected to start at 16");

    [Fact]
    public void OffsetsLeaveAGapAtTheStart() =>
        Rejected(File(Object(
                Entry("layers.0.bias", "F32", new[] { 2 }, 4, 12),
                Entry("layers.0.bn.running_mean", "F32", new[] { 2 }, 12, 20),
                Entry("layers.0.weight", "F32", new[] { 2, 3 }, 20, 44)), new byte[44]),
            "layers.0.bias", "data_offsets [4, 12] leave a gap of 4 bytes at the start of the data; expected to start at 0");

    [Fact]
    public void OffsetsEndBeforeTheyBegin() =>
        Rejected(WithHeader(Object(Replace(2, Entry("layers.0.weight", "F32", new[] { 2, 3 }, 40, 16)))), "layers.0.weight", "data_offsets [40, 16] end before they begin");

    [Fact]
    public void DataLengthInconsistentWithDtypeAndShape() =>
        Rejected(File(Object(Replace(2, Entry("layers.0.weight", "F32", new[] { 2, 3 }, 16, 36))), SmallData().Take(36).ToArray()),
            "layers.0.weight", "data_offsets [16, 36] hold 20 bytes, but dtype F32 and shape [2, 3] need 24");

    [Fact]
    public void ShapeWhoseByteCountOverflows() =>
        Rejected(WithHeader(Object(Replace(2, "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[9223372036854775808,4],\"data_offsets\":[16,40]}"))),
            "layers.0.weight", "shape [9223372036854775808, 4] of dtype F32 overflows a 64-bit byte count");

    [Fact]
    public void SubByteDtypeWithAPartialByte() =>
        Rejected(File(Object(SmallEntries().Append(Entry("layers.0.bn.num_batches_tracked", "F4", new[] { 3 }, 40, 41)).ToArray()), SmallData().Append((byte)0).ToArray()),
            "layers.0.bn.num_batches_tracked", "shape [3] of dtype F4 is 12 bits, not a whole number of bytes");

    [Fact]
    public void OffsetsRunPastTheData() =>
        Rejected(File(Object(SmallEntries()), SmallData().Take(36).ToArray()), "layers.0.weight",
            "data_offsets [16, 40] run past the end of the data section, which is 36 bytes");

    [Fact]
    public void TrailingBytesAfterTheData() =>
        Rejected(File(Object(SmallEntries()), SmallData().Concat(new byte[] { 1, 2, 3 }).ToArray()), null,
            "there are 3 trailing bytes after the data: the header's tensors end at data byte 40, the data section is 43 bytes");

    [Fact]
    public void DuplicateNames() =>
        Rejected(WithHeader(Object(SmallEntries().Append(Entry("layers.0.bias", "F32", new[] { 2 }, 40, 48)).ToArray())), "layers.0.bias",
            "the name appears twice in the header");

    [Fact]
    public void MissingTensor() =>
        Rejected(File(Object(SmallEntries()[0], Entry("layers.0.weight", "F32", new[] { 2, 3 }, 8, 32)), SmallData().Take(32).ToArray()),
            "layers.0.bn.running_mean", "the network's tensor is missing from the file (expected F32 [2])");

    [Fact]
    public void UnexpectedTensor() =>
        Rejected(File(Object(SmallEntries().Append(Entry("layers.1.weight", "F32", new[] { 1 }, 40, 44)).ToArray()), SmallData().Concat(new byte[4]).ToArray()),
            "layers.1.weight", "unexpected tensor: the network has no tensor of that name (it has layers.0.weight, layers.0.bias, layers.0.bn.running_mean)");

    [Fact]
    public void UnexpectedNonFloatTensor_IsRejectedUnlessItIsNumBatchesTracked() =>
        Rejected(File(Object(SmallEntries().Append(Entry("layers.0.bn.steps", "I64", Array.Empty<int>(), 40, 48)).ToArray()), SmallData().Concat(new byte[8]).ToArray()),
            "layers.0.bn.steps", "unexpected tensor");

    [Fact]
    public void ShapeMismatch() =>
        Rejected(WithHeader(Object(Replace(2, Entry("layers.0.weight", "F32", new[] { 3, 2 }, 16, 40)))), "layers.0.weight", "shape is [3, 2], expected [2, 3]");

    [Fact]
    public void RankMismatch() =>
        Rejected(WithHeader(Object(Replace(2, Entry("layers.0.weight", "F32", new[] { 6 }, 16, 40)))), "layers.0.weight", "shape is [6], expected [2, 3]");

    [Fact]
    public void DtypeMismatch() =>
        Rejected(File(Object(Replace(2, Entry("layers.0.weight", "F16", new[] { 2, 3 }, 16, 28))), SmallData().Take(28).ToArray()),
            "layers.0.weight", "dtype is F16, expected F32");

    [Fact]
    public void NamesWithControlCharactersAreEscapedInMessages()
    {
        var ex = Rejected(File(Object(SmallEntries().Append(Entry("evil\\n\\u0007", "F32", new[] { 1 }, 40, 44)).ToArray()), SmallData().Concat(new byte[4]).ToArray()),
            "evil\n\a", "unexpected tensor", "tensor 'evil\\u000a\\u0007'");
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedDataOnANonSeekableStream_NamesTheTensorItEndsIn()
    {
        byte[] content = File(Object(SmallEntries()), SmallData().Take(30).ToArray());
        var network = FakeNetwork.Small().Fill(7);
        float[] before = network.ParametersCopy();
        var ex = Assert.Throws<WeightsFileException>(() => network.LoadWeights(new NonSeekableStream(content), "pipe"));
        _output.WriteLine(ex.Message);
        Assert.Equal("layers.0.weight", ex.TensorName);
        Assert.Contains("the file ends 30 bytes into the data section, inside data_offsets [16, 40]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.ParametersCopy());
    }

    [Fact]
    public void TrailingBytesOnANonSeekableStream()
    {
        byte[] content = File(Object(SmallEntries()), SmallData().Append((byte)9).ToArray());
        var ex = Assert.Throws<WeightsFileException>(() => FakeNetwork.Small().LoadWeights(new NonSeekableStream(content), "pipe"));
        _output.WriteLine(ex.Message);
        Assert.Contains("trailing bytes after the data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderPastTheEndOfANonSeekableStream()
    {
        byte[] content = File(Encoding.UTF8.GetBytes("{}"), Array.Empty<byte>(), pad: false, declaredLength: 99_000_000);
        var ex = Assert.Throws<WeightsFileException>(() => FakeNetwork.Small().LoadWeights(new NonSeekableStream(content), "pipe"));
        _output.WriteLine(ex.Message);
        Assert.Contains("the header length is 99000000 bytes, past the end of the file: only 2 bytes follow the length field", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomlyCorruptedFiles_OnlyEverGiveWeightsFileException_AndChangeNothingWhenRejected()
    {
        byte[] good = File(Object(SmallEntries().Prepend("\"__metadata__\":{\"format\":\"pt\"}").ToArray()), SmallData());
        var random = new DeterministicRandom(2024);
        var network = FakeNetwork.Small();
        int rejected = 0;
        for (int round = 0; round < 3000; round++)
        {
            byte[] bad = (byte[])good.Clone();
            switch (random.NextInt(4))
            {
                case 0: // flip a few bytes
                    for (int k = 1 + random.NextInt(3); k > 0; k--) bad[random.NextInt(bad.Length)] = (byte)random.NextInt(256);
                    break;
                case 1: // truncate
                    bad = bad.Take(random.NextInt(bad.Length)).ToArray();
                    break;
                case 2: // change a digit of the header into another digit
                    int at = 8 + random.NextInt(bad.Length - 8 - 40);
                    if (bad[at] >= (byte)'0' && bad[at] <= (byte)'9') bad[at] = (byte)('0' + random.NextInt(10));
                    else bad[random.NextInt(8)] = (byte)random.NextInt(256);
                    break;
                default: // damage the length prefix
                    bad[random.NextInt(8)] ^= (byte)(1 << random.NextInt(8));
                    break;
            }
            network.Fill(round);
            float[] parameters = network.ParametersCopy();
            float[] state = network.StateCopy();
            try
            {
                network.LoadWeights(new MemoryStream(bad), "fuzz");
            }
            catch (WeightsFileException)
            {
                rejected++;
                Assert.Equal(parameters, network.ParametersCopy());
                Assert.Equal(state, network.StateCopy());
            }
        }
        _output.WriteLine($"{rejected} of 3000 corrupted files rejected");
        Assert.True(rejected > 1500);
    }
}
