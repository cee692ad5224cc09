using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Backprop.Generated.Tests.Weights;

/// <summary>Builds safetensors files byte by byte, good or deliberately bad, independently of the library's writer.</summary>
internal static class SafeTensorsBytes
{
    public static string Entry(string name, string dtype, int[] shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{end}]}}";

    public static string Object(params string[] members) => "{" + string.Join(",", members) + "}";

    /// <summary>Length prefix + header (padded with spaces to 8 like the reference) + data.</summary>
    public static byte[] File(string header, byte[] data, bool pad = true) => File(Encoding.UTF8.GetBytes(header), data, pad);

    public static byte[] File(byte[] header, byte[] data, bool pad = true, ulong? declaredLength = null)
    {
        int padding = pad ? (8 - header.Length % 8) % 8 : 0;
        var bytes = new byte[8 + header.Length + padding + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)(header.Length + padding));
        header.CopyTo(bytes, 8);
        bytes.AsSpan(8 + header.Length, padding).Fill((byte)' ');
        data.CopyTo(bytes, 8 + header.Length + padding);
        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>The three entries of <see cref="FakeNetwork.Small"/> laid out as the reference orders them (by name).</summary>
    public static string[] SmallEntries() => new[]
    {
        Entry("layers.0.bias", "F32", new[] { 2 }, 0, 8),
        Entry("layers.0.bn.running_mean", "F32", new[] { 2 }, 8, 16),
        Entry("layers.0.weight", "F32", new[] { 2, 3 }, 16, 40),
    };

    /// <summary>A valid file for <see cref="FakeNetwork.Small"/>: bias 1..2, running mean -1..-2, weight 10..15.</summary>
    public static byte[] SmallFile() => File(Object(SmallEntries()), SmallData());

    public static byte[] SmallData() => Floats(1, 2, -1, -2, 10, 11, 12, 13, 14, 15);

    /// <summary>Parses the header of a file made by anyone, for assertions.</summary>
    public static string HeaderText(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        return Encoding.UTF8.GetString(file, 8, (int)n);
    }

    /// <summary>Reads tests/reference/pytorch_small.expected.txt: name to float values from exact bit patterns.</summary>
    public static Dictionary<string, float[]> ReadExpected(string path)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string line in System.IO.File.ReadAllLines(path))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            string name = line.Substring(0, line.IndexOf(' '));
            string[] hex = line.Substring(line.IndexOf(':') + 1).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            result[name] = hex.Select(h => BitConverter.Int32BitsToSingle(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
        }
        return result;
    }
}

/// <summary>A read-only stream that cannot seek, as a pipe or network stream.</summary>
internal sealed class NonSeekableStream : Stream
{
    private readonly Stream _inner;

    public NonSeekableStream(byte[] bytes) => _inner = new MemoryStream(bytes, writable: false);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() { }

    // Returns at most 3 bytes per call to exercise short reads.
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 3));

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Passes writes through until <c>limit</c> bytes have been written, then throws as a full disk or a crash would.</summary>
internal sealed class FailingWriteStream : Stream
{
    private readonly Stream _inner;
    private long _remaining;

    public FailingWriteStream(Stream inner, long limit)
    {
        _inner = inner;
        _remaining = limit;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > _remaining)
        {
            _inner.Write(buffer.Slice(0, (int)_remaining));
            _remaining = 0;
            throw new IOException("Injected failure: no space left on device.");
        }
        _inner.Write(buffer);
        _remaining -= buffer.Length;
    }
}
