using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Backprop.Generated;

/// <summary>
/// Writes a network's tensors as a safetensors file laid out as the reference implementation lays it out: tensors
/// ordered by name (they are all F32), the header as compact JSON with <c>__metadata__</c> first, padded with spaces
/// to a multiple of 8 bytes, then the raw little-endian data.
/// </summary>
internal static class SafeTensorsWriter
{
    private const int ChunkFloats = 16 * 1024;

    public static void Write(INetwork network, Stream stream, IReadOnlyDictionary<string, string>? metadata)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        IReadOnlyList<TensorInfo> tensors = NetworkLayout.Check(network);

        // The reference sorts by dtype (all F32 here), then by name compared as UTF-8 bytes.
        var ordered = new List<TensorInfo>(tensors);
        ordered.Sort((a, b) => CompareUtf8(a.Name, b.Name));

        byte[] header = BuildHeader(ordered, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);

        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkFloats * sizeof(float));
        try
        {
            foreach (TensorInfo t in ordered)
            {
                for (int start = 0; start < t.Length; start += ChunkFloats)
                {
                    int count = Math.Min(ChunkFloats, t.Length - start);
                    LittleEndianFloats.Write(NetworkLayout.Slice(network, t).Slice(start, count), chunk);
                    stream.Write(chunk, 0, count * sizeof(float));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static byte[] BuildHeader(List<TensorInfo> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // serde_json escapes only quotes, backslashes and control characters; the relaxed encoder comes closest.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                var keys = new List<string>(metadata.Keys);
                keys.Sort(CompareUtf8);
                json.WriteStartObject("__metadata__");
                foreach (string key in keys) json.WriteString(key, metadata[key]);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (TensorInfo t in ordered)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", SafeTensorsDtype.F32);
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += (long)t.Length * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padding = (8 - buffer.WrittenCount % 8) % 8;
        byte[] header = new byte[buffer.WrittenCount + padding];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static int CompareUtf8(string a, string b)
    {
        if (a == b) return 0;
        byte[] x = Encoding.UTF8.GetBytes(a);
        byte[] y = Encoding.UTF8.GetBytes(b);
        return x.AsSpan().SequenceCompareTo(y);
    }
}
