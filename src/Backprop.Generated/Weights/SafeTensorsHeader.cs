using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Backprop.Generated;

/// <summary>One tensor entry of a safetensors header.</summary>
internal sealed class SafeTensorsEntry
{
    public SafeTensorsEntry(string name, string dtype, ulong[] shape, ulong begin, ulong end)
    {
        Name = name;
        Dtype = dtype;
        Shape = shape;
        Begin = begin;
        End = end;
    }

    public string Name { get; }

    public string Dtype { get; }

    public ulong[] Shape { get; }

    /// <summary>First byte of the tensor's data, relative to the start of the data section.</summary>
    public ulong Begin { get; }

    /// <summary>One past the last byte of the tensor's data, relative to the start of the data section.</summary>
    public ulong End { get; }

    public string OffsetsText => $"[{Begin.ToString(CultureInfo.InvariantCulture)}, {End.ToString(CultureInfo.InvariantCulture)}]";

    public static string ShapeText(IEnumerable<ulong> shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>
/// Parses and validates a safetensors header the way the reference implementation does: UTF-8, a JSON object
/// starting with <c>{</c>, an optional string-to-string <c>__metadata__</c>, and per tensor a known dtype, a shape
/// and data offsets that tile the data section exactly, in offset order, with sizes matching dtype times shape.
/// Stricter than the reference in one way: a name that appears twice is an error rather than last-one-wins.
/// </summary>
internal sealed class SafeTensorsHeader
{
    private const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(List<SafeTensorsEntry> entries, Dictionary<string, SafeTensorsEntry> byName, Dictionary<string, string>? metadata, ulong dataLength)
    {
        Entries = entries;
        ByName = byName;
        Metadata = metadata;
        DataLength = dataLength;
    }

    /// <summary>The tensors in data-offset order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, SafeTensorsEntry> ByName { get; }

    /// <summary>The <c>__metadata__</c> map, or <see langword="null"/> when absent or null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>The size of the data section the header describes: the end of the last tensor.</summary>
    public ulong DataLength { get; }

    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> header, string file)
    {
        CheckUtf8(header, file);
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            string first = header.Length == 0 ? "it is empty" : $"its first byte is 0x{header[0]:x2}";
            throw new WeightsFileException(file, null, $"the header must be a JSON object starting with '{{', but {first}");
        }

        var entries = new List<SafeTensorsEntry>();
        var byName = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        bool sawMetadata = false;
        var reader = new Utf8JsonReader(header, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        try
        {
            reader.Read(); // StartObject: the first byte is '{'.
            while (true)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                if (name == MetadataKey)
                {
                    if (sawMetadata) throw new WeightsFileException(file, null, "the header has '__metadata__' twice");
                    sawMetadata = true;
                    metadata = ReadMetadata(ref reader, file);
                    continue;
                }
                if (byName.ContainsKey(name)) throw new WeightsFileException(file, name, "the name appears twice in the header");
                SafeTensorsEntry entry = ReadEntry(ref reader, name, file);
                byName.Add(name, entry);
                entries.Add(entry);
            }
            if (reader.Read())
            {
                throw new WeightsFileException(file, null, $"the header has more JSON after its object, at byte {reader.TokenStartIndex} of the header");
            }
        }
        catch (JsonException ex)
        {
            throw new WeightsFileException(file, null, "the header is not valid JSON: " + ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            // GetString on a string with an escaped lone surrogate.
            throw new WeightsFileException(file, null, "the header is not valid JSON: " + ex.Message, ex);
        }

        // As the reference does: order by data offsets, then demand that they tile [0, end) exactly.
        var ordered = new List<SafeTensorsEntry>(entries);
        ordered.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        ulong position = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry e in ordered)
        {
            if (e.End < e.Begin)
            {
                throw new WeightsFileException(file, e.Name, $"data_offsets {e.OffsetsText} end before they begin");
            }
            if (e.Begin < position)
            {
                throw new WeightsFileException(file, e.Name,
                    $"data_offsets {e.OffsetsText} overlap tensor '{WeightsFileException.Printable(previous!.Name)}' {previous.OffsetsText}; expected to start at {position}");
            }
            if (e.Begin > position)
            {
                string after = previous is null ? "at the start of the data" : $"after tensor '{WeightsFileException.Printable(previous.Name)}' {previous.OffsetsText}";
                throw new WeightsFileException(file, e.Name,
                    $"data_offsets {e.OffsetsText} leave a gap of {e.Begin - position} bytes {after}; expected to start at {position}");
            }
            ulong expectedBytes = ByteSize(e, file);
            if (e.End - e.Begin != expectedBytes)
            {
                throw new WeightsFileException(file, e.Name,
                    $"data_offsets {e.OffsetsText} hold {e.End - e.Begin} bytes, but dtype {e.Dtype} and shape {SafeTensorsEntry.ShapeText(e.Shape)} need {expectedBytes}");
            }
            position = e.End;
            previous = e;
        }
        return new SafeTensorsHeader(ordered, byName, metadata, position);
    }

    private static void CheckUtf8(ReadOnlySpan<byte> header, string file)
    {
        Span<char> scratch = stackalloc char[256];
        int consumed = 0;
        while (consumed < header.Length)
        {
            var status = Utf8.ToUtf16(header.Slice(consumed), scratch, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            consumed += read;
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                throw new WeightsFileException(file, null, $"the header is not valid UTF-8 (invalid byte 0x{header[consumed]:x2} at byte {consumed} of the header)");
            }
            if (status == System.Buffers.OperationStatus.Done) break;
        }
    }

    private static Dictionary<string, string>? ReadMetadata(ref Utf8JsonReader reader, string file)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeightsFileException(file, null, $"'__metadata__' is {Describe(reader.TokenType)}, expected an object of strings");
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) return metadata;
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new WeightsFileException(file, null,
                    $"'__metadata__' entry '{WeightsFileException.Printable(key)}' is {Describe(reader.TokenType)}, expected a string");
            }
            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new WeightsFileException(file, null, $"'__metadata__' has the key '{WeightsFileException.Printable(key)}' twice");
            }
        }
    }

    private static SafeTensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, string file)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeightsFileException(file, name, $"the entry is {Describe(reader.TokenType)}, expected an object with dtype, shape and data_offsets");
        }
        string? dtype = null;
        ulong[]? shape = null;
        ulong[]? offsets = null;
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype":
                    if (dtype is not null) throw Duplicate(file, name, field);
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new WeightsFileException(file, name, $"dtype is {Describe(reader.TokenType)}, expected a string such as \"F32\"");
                    }
                    dtype = reader.GetString()!;
                    if (SafeTensorsDtype.BitSize(dtype) == 0)
                    {
                        throw new WeightsFileException(file, name, $"unknown dtype \"{WeightsFileException.Printable(dtype)}\"");
                    }
                    break;
                case "shape":
                    if (shape is not null) throw Duplicate(file, name, field);
                    shape = ReadUnsignedArray(ref reader, name, field, file);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw Duplicate(file, name, field);
                    offsets = ReadUnsignedArray(ref reader, name, field, file);
                    if (offsets.Length != 2)
                    {
                        throw new WeightsFileException(file, name, $"data_offsets holds {offsets.Length} {(offsets.Length == 1 ? "number" : "numbers")}, expected 2 ([begin, end])");
                    }
                    break;
                default:
                    // The reference ignores fields it does not know; so do we.
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }
        if (dtype is null) throw Missing(file, name, "dtype");
        if (shape is null) throw Missing(file, name, "shape");
        if (offsets is null) throw Missing(file, name, "data_offsets");
        return new SafeTensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static ulong[] ReadUnsignedArray(ref Utf8JsonReader reader, string name, string field, string file)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new WeightsFileException(file, name, $"{field} is {Describe(reader.TokenType)}, expected an array of non-negative integers");
        }
        var values = new List<ulong>();
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndArray) return values.ToArray();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong value))
            {
                string text = reader.TokenType == JsonTokenType.Number
                    ? "the number " + Encoding.UTF8.GetString(reader.ValueSpan)
                    : Describe(reader.TokenType);
                throw new WeightsFileException(file, name, $"{field} holds {text}, expected non-negative integers below 2^64");
            }
            values.Add(value);
        }
    }

    private static ulong ByteSize(SafeTensorsEntry e, string file)
    {
        ulong elements = 1;
        ulong bits;
        try
        {
            foreach (ulong d in e.Shape) elements = checked(elements * d);
            bits = checked(elements * (ulong)SafeTensorsDtype.BitSize(e.Dtype));
        }
        catch (OverflowException)
        {
            throw new WeightsFileException(file, e.Name, $"shape {SafeTensorsEntry.ShapeText(e.Shape)} of dtype {e.Dtype} overflows a 64-bit byte count");
        }
        if (bits % 8 != 0)
        {
            throw new WeightsFileException(file, e.Name, $"shape {SafeTensorsEntry.ShapeText(e.Shape)} of dtype {e.Dtype} is {bits} bits, not a whole number of bytes");
        }
        return bits / 8;
    }

    private static WeightsFileException Duplicate(string file, string name, string field) =>
        new(file, name, $"the entry has the field '{field}' twice");

    private static WeightsFileException Missing(string file, string name, string field) =>
        new(file, name, $"the entry has no '{field}' field");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
