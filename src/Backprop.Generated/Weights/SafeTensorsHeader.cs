using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

// Compiled into the runtime (LoadWeights) and, linked, into the generator (baked weights), which is netstandard2.0:
// hence byte arrays, no System.Text.Json and a small JSON reader of its own. Both read files with exactly these rules
// and messages. See Enums.cs for the namespace switch.
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>A safetensors file breaks the format: <see cref="Exception.Message"/> says how, <see cref="Tensor"/> where.</summary>
internal sealed class SafeTensorsFormatException : Exception
{
    public SafeTensorsFormatException(string problem, string? tensor = null)
        : base(problem) => Tensor = tensor;

    /// <summary>The tensor the problem concerns, or null when it concerns the whole file.</summary>
    public string? Tensor { get; }
}

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

    /// <summary>How a message shows the tensor: <c>name F32 [2, 3]</c>.</summary>
    public string Description => $"{SafeTensorsHeader.Printable(Name)} {Dtype} {ShapeText(Shape)}";

    public static string ShapeText(IEnumerable<ulong> shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>
/// Parses and validates a safetensors file's framing and header the way the reference implementation does: an 8-byte
/// little-endian header length of at most 100 MB, a UTF-8 header that is a JSON object starting with <c>{</c>, an
/// optional string-to-string <c>__metadata__</c>, and per tensor a known dtype, a shape and data offsets that tile the
/// data section exactly, in offset order, with sizes matching dtype times shape; nothing after the data. Stricter than
/// the reference in one way: a name that appears twice is an error rather than last-one-wins. Every problem is a
/// <see cref="SafeTensorsFormatException"/>; nothing else is thrown for any input.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The reference implementation's limit on the header length.</summary>
    public const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>Names of tensors a file may hold that networks do not: PyTorch's batch-norm step counter.</summary>
    public const string IgnoredSuffix = ".num_batches_tracked";

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

    /// <summary>The <c>__metadata__</c> map, or null when absent or null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>The size of the data section the header describes: the end of the last tensor.</summary>
    public ulong DataLength { get; }

    /// <summary>
    /// The header length from the first <paramref name="got"/> bytes of <paramref name="prefix"/> (8 unless the file is
    /// shorter), checked against the limit and, when known, against the <paramref name="following"/> bytes after it.
    /// </summary>
    public static ulong ReadLength(byte[] prefix, int got, ulong? following)
    {
        if (got < 8)
        {
            throw new SafeTensorsFormatException($"the file is {got} bytes long, shorter than the 8-byte header length that starts a safetensors file");
        }
        ulong length = 0;
        for (int i = 7; i >= 0; i--) length = (length << 8) | prefix[i];
        if (length > MaxHeaderBytes)
        {
            throw new SafeTensorsFormatException($"the header length is {length} bytes, over the limit of {MaxHeaderBytes}");
        }
        if (following is ulong available && length > available)
        {
            throw HeaderPastEnd(length, available);
        }
        return length;
    }

    /// <summary>The error for a header length that runs past the <paramref name="following"/> bytes there are.</summary>
    public static SafeTensorsFormatException HeaderPastEnd(ulong length, ulong following) =>
        new($"the header length is {length} bytes, past the end of the file: only {following} bytes follow the length field");

    /// <summary>Parses the <paramref name="count"/> header bytes at <paramref name="offset"/> of <paramref name="bytes"/>.</summary>
    public static SafeTensorsHeader Parse(byte[] bytes, int offset, int count)
    {
        CheckUtf8(bytes, offset, count);
        if (count == 0 || bytes[offset] != (byte)'{')
        {
            string first = count == 0 ? "it is empty" : $"its first byte is 0x{bytes[offset]:x2}";
            throw new SafeTensorsFormatException($"the header must be a JSON object starting with '{{', but {first}");
        }
        var reader = new HeaderReader(Encoding.UTF8.GetString(bytes, offset, count));
        reader.Read(out List<SafeTensorsEntry> entries, out Dictionary<string, SafeTensorsEntry> byName, out Dictionary<string, string>? metadata);

        // As the reference does: order by data offsets, then demand that they tile [0, end) exactly.
        var ordered = new List<SafeTensorsEntry>(entries);
        ordered.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        ulong position = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry e in ordered)
        {
            if (e.End < e.Begin)
            {
                throw new SafeTensorsFormatException($"data_offsets {e.OffsetsText} end before they begin", e.Name);
            }
            if (e.Begin < position)
            {
                throw new SafeTensorsFormatException(
                    $"data_offsets {e.OffsetsText} overlap tensor '{Printable(previous!.Name)}' {previous.OffsetsText}; expected to start at {position}", e.Name);
            }
            if (e.Begin > position)
            {
                string after = previous is null ? "at the start of the data" : $"after tensor '{Printable(previous.Name)}' {previous.OffsetsText}";
                throw new SafeTensorsFormatException(
                    $"data_offsets {e.OffsetsText} leave a gap of {e.Begin - position} bytes {after}; expected to start at {position}", e.Name);
            }
            ulong expectedBytes = ByteSize(e);
            if (e.End - e.Begin != expectedBytes)
            {
                throw new SafeTensorsFormatException(
                    $"data_offsets {e.OffsetsText} hold {e.End - e.Begin} bytes, but dtype {e.Dtype} and shape {SafeTensorsEntry.ShapeText(e.Shape)} need {expectedBytes}", e.Name);
            }
            position = e.End;
            previous = e;
        }
        return new SafeTensorsHeader(ordered, byName, metadata, position);
    }

    /// <summary>Checks that a data section of <paramref name="dataBytes"/> bytes is exactly what the header describes.</summary>
    public void CheckDataLength(ulong dataBytes)
    {
        if (dataBytes == DataLength) return;
        if (dataBytes > DataLength)
        {
            throw new SafeTensorsFormatException(
                $"there are {dataBytes - DataLength} trailing bytes after the data: the header's tensors end at data byte {DataLength}, the data section is {dataBytes} bytes");
        }
        foreach (SafeTensorsEntry e in Entries)
        {
            if (e.End > dataBytes)
            {
                throw new SafeTensorsFormatException($"data_offsets {e.OffsetsText} run past the end of the data section, which is {dataBytes} bytes", e.Name);
            }
        }
    }

    /// <summary>What the file holds, for messages: <c>a F32 [2, 3], b F32 [2]</c>, at most <paramref name="shown"/> tensors.</summary>
    public string Contents(int shown = 16)
    {
        if (Entries.Count == 0) return "no tensors";
        var parts = new List<string>();
        for (int i = 0; i < Entries.Count && i < shown; i++) parts.Add(Entries[i].Description);
        string list = string.Join(", ", parts);
        return Entries.Count <= shown ? list : $"{list} and {Entries.Count - shown} more";
    }

    /// <summary>A name from a file made safe for a message: control characters escaped, long names shortened.</summary>
    public static string Printable(string name)
    {
        const int MaxChars = 200;
        var sb = new StringBuilder(Math.Min(name.Length, MaxChars) + 8);
        foreach (char c in name)
        {
            if (sb.Length >= MaxChars)
            {
                sb.Append("...");
                break;
            }
            if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), as the reference demands.</summary>
    private static void CheckUtf8(byte[] bytes, int offset, int count)
    {
        int end = offset + count;
        int i = offset;
        while (i < end)
        {
            byte b = bytes[i];
            int need;
            int min;
            if (b < 0x80) { i++; continue; }
            if (b >= 0xC2 && b <= 0xDF) { need = 1; min = 0x80; }
            else if (b >= 0xE0 && b <= 0xEF) { need = 2; min = 0x800; }
            else if (b >= 0xF0 && b <= 0xF4) { need = 3; min = 0x10000; }
            else throw NotUtf8(bytes, i, offset);
            if (i + need >= end) throw NotUtf8(bytes, i, offset);
            int code = b & (0x3F >> need);
            for (int k = 1; k <= need; k++)
            {
                byte c = bytes[i + k];
                if ((c & 0xC0) != 0x80) throw NotUtf8(bytes, i, offset);
                code = (code << 6) | (c & 0x3F);
            }
            if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) throw NotUtf8(bytes, i, offset);
            i += need + 1;
        }
    }

    private static SafeTensorsFormatException NotUtf8(byte[] bytes, int at, int offset) =>
        new($"the header is not valid UTF-8 (invalid byte 0x{bytes[at]:x2} at byte {at - offset} of the header)");

    private static ulong ByteSize(SafeTensorsEntry e)
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
            throw new SafeTensorsFormatException($"shape {SafeTensorsEntry.ShapeText(e.Shape)} of dtype {e.Dtype} overflows a 64-bit byte count", e.Name);
        }
        if (bits % 8 != 0)
        {
            throw new SafeTensorsFormatException($"shape {SafeTensorsEntry.ShapeText(e.Shape)} of dtype {e.Dtype} is {bits} bits, not a whole number of bytes", e.Name);
        }
        return bits / 8;
    }

    /// <summary>The JSON a safetensors header may hold (RFC 8259, no comments or trailing commas), read from its text.</summary>
    private sealed class HeaderReader
    {
        private const int MaxDepth = 64;
        private readonly string _json;
        private int _pos;

        public HeaderReader(string json) => _json = json;

        public void Read(out List<SafeTensorsEntry> entries, out Dictionary<string, SafeTensorsEntry> byName, out Dictionary<string, string>? metadata)
        {
            entries = new List<SafeTensorsEntry>();
            byName = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            metadata = null;
            bool sawMetadata = false;
            Expect('{');
            SkipWhitespace();
            if (!TryConsume('}'))
            {
                while (true)
                {
                    string name = ReadString();
                    Colon();
                    if (name == MetadataKey)
                    {
                        if (sawMetadata) throw new SafeTensorsFormatException("the header has '__metadata__' twice");
                        sawMetadata = true;
                        metadata = ReadMetadata();
                    }
                    else
                    {
                        if (byName.ContainsKey(name)) throw new SafeTensorsFormatException("the name appears twice in the header", name);
                        SafeTensorsEntry entry = ReadEntry(name);
                        byName.Add(name, entry);
                        entries.Add(entry);
                    }
                    if (!NextMember()) break;
                }
            }
            SkipWhitespace();
            if (_pos < _json.Length)
            {
                throw Invalid($"it has more JSON after its object, at character {_pos} of the header");
            }
        }

        private Dictionary<string, string>? ReadMetadata()
        {
            SkipWhitespace();
            char kind = Peek();
            if (kind == 'n') { ReadLiteral("null"); return null; }
            if (kind != '{') throw new SafeTensorsFormatException($"'__metadata__' is {Describe(kind)}, expected an object of strings");
            Expect('{');
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            SkipWhitespace();
            if (TryConsume('}')) return metadata;
            while (true)
            {
                string key = ReadString();
                Colon();
                SkipWhitespace();
                if (Peek() != '"') throw new SafeTensorsFormatException($"'__metadata__' entry '{Printable(key)}' is {Describe(Peek())}, expected a string");
                string value = ReadString();
                if (metadata.ContainsKey(key)) throw new SafeTensorsFormatException($"'__metadata__' has the key '{Printable(key)}' twice");
                metadata.Add(key, value);
                if (!NextMember()) return metadata;
            }
        }

        private SafeTensorsEntry ReadEntry(string name)
        {
            SkipWhitespace();
            if (Peek() != '{') throw new SafeTensorsFormatException($"the entry is {Describe(Peek())}, expected an object with dtype, shape and data_offsets", name);
            Expect('{');
            string? dtype = null;
            ulong[]? shape = null;
            ulong[]? offsets = null;
            SkipWhitespace();
            if (!TryConsume('}'))
            {
                while (true)
                {
                    string field = ReadString();
                    Colon();
                    switch (field)
                    {
                        case "dtype":
                            if (dtype is not null) throw Duplicate(name, field);
                            SkipWhitespace();
                            if (Peek() != '"') throw new SafeTensorsFormatException($"dtype is {Describe(Peek())}, expected a string such as \"F32\"", name);
                            dtype = ReadString();
                            if (SafeTensorsDtype.BitSize(dtype) == 0) throw new SafeTensorsFormatException($"unknown dtype \"{Printable(dtype)}\"", name);
                            break;
                        case "shape":
                            if (shape is not null) throw Duplicate(name, field);
                            shape = ReadUnsignedArray(name, field);
                            break;
                        case "data_offsets":
                            if (offsets is not null) throw Duplicate(name, field);
                            offsets = ReadUnsignedArray(name, field);
                            if (offsets.Length != 2)
                            {
                                throw new SafeTensorsFormatException($"data_offsets holds {offsets.Length} {(offsets.Length == 1 ? "number" : "numbers")}, expected 2 ([begin, end])", name);
                            }
                            break;
                        default:
                            SkipValue(0); // the reference ignores fields it does not know; so do we
                            break;
                    }
                    if (!NextMember()) break;
                }
            }
            if (dtype is null) throw Missing(name, "dtype");
            if (shape is null) throw Missing(name, "shape");
            if (offsets is null) throw Missing(name, "data_offsets");
            return new SafeTensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        }

        private ulong[] ReadUnsignedArray(string name, string field)
        {
            SkipWhitespace();
            if (Peek() != '[') throw new SafeTensorsFormatException($"{field} is {Describe(Peek())}, expected an array of non-negative integers", name);
            _pos++;
            var values = new List<ulong>();
            SkipWhitespace();
            if (TryConsume(']')) return values.ToArray();
            while (true)
            {
                SkipWhitespace();
                char c = Peek();
                if (c != '-' && (c < '0' || c > '9'))
                {
                    throw new SafeTensorsFormatException($"{field} holds {Describe(c)}, expected non-negative integers below 2^64", name);
                }
                string number = ReadNumber();
                if (!IsPlainInteger(number) || !ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
                {
                    throw new SafeTensorsFormatException($"{field} holds the number {number}, expected non-negative integers below 2^64", name);
                }
                values.Add(value);
                SkipWhitespace();
                if (TryConsume(']')) return values.ToArray();
                Expect(',');
            }
        }

        private static bool IsPlainInteger(string number)
        {
            foreach (char c in number)
            {
                if (c < '0' || c > '9') return false;
            }
            return true;
        }

        private static SafeTensorsFormatException Duplicate(string name, string field) => new($"the entry has the field '{field}' twice", name);

        private static SafeTensorsFormatException Missing(string name, string field) => new($"the entry has no '{field}' field", name);

        /// <summary>After a member: true on ',' (another follows), false on '}'.</summary>
        private bool NextMember()
        {
            SkipWhitespace();
            if (TryConsume(',')) { SkipWhitespace(); return true; }
            Expect('}');
            return false;
        }

        private void Colon()
        {
            SkipWhitespace();
            Expect(':');
        }

        private void SkipValue(int depth)
        {
            if (depth > MaxDepth) throw Invalid("it nests deeper than " + MaxDepth + " levels");
            SkipWhitespace();
            char c = Peek();
            switch (c)
            {
                case '"': ReadString(); return;
                case 't': ReadLiteral("true"); return;
                case 'f': ReadLiteral("false"); return;
                case 'n': ReadLiteral("null"); return;
                case '{':
                    _pos++;
                    SkipWhitespace();
                    if (TryConsume('}')) return;
                    while (true)
                    {
                        SkipWhitespace();
                        ReadString();
                        Colon();
                        SkipValue(depth + 1);
                        SkipWhitespace();
                        if (TryConsume('}')) return;
                        Expect(',');
                    }
                case '[':
                    _pos++;
                    SkipWhitespace();
                    if (TryConsume(']')) return;
                    while (true)
                    {
                        SkipValue(depth + 1);
                        SkipWhitespace();
                        if (TryConsume(']')) return;
                        Expect(',');
                    }
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) { ReadNumber(); return; }
                    throw Unexpected();
            }
        }

        /// <summary>A JSON number token, checked against the JSON grammar.</summary>
        private string ReadNumber()
        {
            int start = _pos;
            TryConsume('-');
            if (TryConsume('0')) { }
            else if (Peek() >= '1' && Peek() <= '9') Digits();
            else throw Unexpected();
            if (TryConsume('.'))
            {
                if (!(Peek() >= '0' && Peek() <= '9')) throw Unexpected();
                Digits();
            }
            if (Peek() is 'e' or 'E')
            {
                _pos++;
                if (Peek() is '+' or '-') _pos++;
                if (!(Peek() >= '0' && Peek() <= '9')) throw Unexpected();
                Digits();
            }
            return _json.Substring(start, _pos - start);
        }

        private void Digits()
        {
            while (Peek() >= '0' && Peek() <= '9') _pos++;
        }

        private void ReadLiteral(string literal)
        {
            if (string.CompareOrdinal(_json, _pos, literal, 0, literal.Length) != 0) throw Unexpected();
            _pos += literal.Length;
        }

        private string ReadString()
        {
            SkipWhitespace();
            if (Peek() != '"') throw Unexpected();
            _pos++;
            var text = new StringBuilder();
            while (true)
            {
                if (_pos >= _json.Length) throw Invalid("a string is not closed");
                char c = _json[_pos++];
                if (c == '"') break;
                if (c < 0x20) throw Invalid($"a string holds the control character 0x{(int)c:x2} unescaped");
                if (c != '\\') { text.Append(c); continue; }
                if (_pos >= _json.Length) throw Invalid("a string is not closed");
                char e = _json[_pos++];
                switch (e)
                {
                    case '"': text.Append('"'); break;
                    case '\\': text.Append('\\'); break;
                    case '/': text.Append('/'); break;
                    case 'b': text.Append('\b'); break;
                    case 'f': text.Append('\f'); break;
                    case 'n': text.Append('\n'); break;
                    case 'r': text.Append('\r'); break;
                    case 't': text.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _json.Length || !IsHex4(_json, _pos))
                        {
                            throw Invalid("a string has a bad \\u escape");
                        }
                        text.Append((char)int.Parse(_json.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                        _pos += 4;
                        break;
                    default:
                        throw Invalid($"a string has the unknown escape '\\{e}'");
                }
            }
            string value = text.ToString();
            for (int i = 0; i < value.Length; i++)
            {
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                if (char.IsSurrogate(value[i])) throw Invalid("a string holds an unpaired surrogate escape");
            }
            return value;
        }

        private static bool IsHex4(string s, int at)
        {
            for (int i = at; i < at + 4; i++)
            {
                char c = s[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
            }
            return true;
        }

        private void SkipWhitespace()
        {
            while (_pos < _json.Length && _json[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
        }

        private char Peek() => _pos < _json.Length ? _json[_pos] : '\0';

        private bool TryConsume(char c)
        {
            if (_pos >= _json.Length || _json[_pos] != c) return false;
            _pos++;
            return true;
        }

        private void Expect(char c)
        {
            SkipWhitespace();
            if (!TryConsume(c)) throw Unexpected();
        }

        private SafeTensorsFormatException Unexpected() => _pos >= _json.Length
            ? Invalid("it ends too early")
            : Invalid($"unexpected '{Printable(_json[_pos].ToString())}' at character {_pos} of the header");

        private static SafeTensorsFormatException Invalid(string what) => new("the header is not valid JSON: " + what);

        private string Describe(char token) => token switch
        {
            '{' => "an object",
            '[' => "an array",
            '"' => "a string",
            't' or 'f' => "a boolean",
            'n' => "null",
            _ when token == '-' || (token >= '0' && token <= '9') => "a number",
            _ => throw Unexpected(),
        };
    }
}
