using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.Generators.Parsing;

/// <summary>
/// Reads the text that <c>build/Backprop.Generated.targets</c> writes for each <c>BakedWeights</c> item (a marker
/// line, then base64 of the safetensors file) and decodes and validates the file with the same rules as the runtime's
/// <c>SafeTensorsHeader</c>/<c>SafeTensorsReader</c> (which use System.Text.Json and spans a netstandard2.0 generator
/// cannot): a little-endian u64 header length of at most 100 MB, a UTF-8 JSON object header, an optional string map
/// <c>__metadata__</c>, per tensor a known dtype, a shape and data offsets that tile the data section exactly, and
/// nothing after the data. The dtype table is the runtime's own file, linked into this project. Never throws.
/// </summary>
internal static class WeightsFileReader
{
    /// <summary>The first line of every text the targets write; keep in sync with Backprop.Generated.targets.</summary>
    public const string Marker = "# Backprop.Generated baked weights v1";

    /// <summary>The extension the targets add to the weights file's name.</summary>
    public const string Extension = ".b64";

    /// <summary>The reference implementation's limit on the header length.</summary>
    public const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>Names of tensors a file may hold that networks do not: PyTorch's batch-norm step counter.</summary>
    public const string IgnoredSuffix = ".num_batches_tracked";

    private const string MissingPrefix = "# missing: ";

    /// <summary>True for an AdditionalFiles path that may be a BakedWeights text (its first line decides).</summary>
    public static bool IsCandidate(string path) => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>The decoded file, or null when the text is not a BakedWeights text.</summary>
    public static WeightsFileModel? Read(AdditionalText text, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(text.Path);
        name = name.Substring(0, name.Length - Extension.Length);
        SourceText? source;
        try
        {
            source = text.GetText(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(name, "its text could not be read: " + ex.Message);
        }
        return source is null ? null : ReadText(name, source.ToString());
    }

    /// <summary>Decodes the targets' text format: null when <paramref name="content"/> does not start with the marker.</summary>
    public static WeightsFileModel? ReadText(string fileName, string content)
    {
        if (!content.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }
        var base64 = new StringBuilder();
        foreach (string raw in content.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith(MissingPrefix, StringComparison.Ordinal))
            {
                return new WeightsFileModel(fileName, line.Substring(MissingPrefix.Length), null, null, default);
            }
            if (!line.StartsWith("#", StringComparison.Ordinal))
            {
                base64.Append(line.Trim());
            }
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.ToString());
        }
        catch (FormatException)
        {
            return Failed(fileName, "the base64 copy in obj/ is damaged; rebuild to write it again");
        }
        return Parse(fileName, bytes);
    }

    /// <summary>Validates a safetensors file's bytes and returns its tensors, or the first problem.</summary>
    public static WeightsFileModel Parse(string fileName, byte[] bytes)
    {
        try
        {
            return ParseCore(fileName, bytes);
        }
        catch (WeightsError error)
        {
            return new WeightsFileModel(fileName, null, error.Message, error.Tensor, default);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(fileName, $"it could not be read ({ex.GetType().Name}: {ex.Message})");
        }
    }

    private static WeightsFileModel Failed(string fileName, string message) => new(fileName, null, message, null, default);

    private static WeightsFileModel ParseCore(string fileName, byte[] bytes)
    {
        if (bytes.Length < 8)
        {
            throw new WeightsError($"the file is {bytes.Length} bytes long, shorter than the 8-byte header length that starts a safetensors file");
        }
        ulong headerLength = 0;
        for (int i = 7; i >= 0; i--) headerLength = (headerLength << 8) | bytes[i];
        if (headerLength > MaxHeaderBytes)
        {
            throw new WeightsError($"the header length is {headerLength} bytes, over the limit of {MaxHeaderBytes}");
        }
        ulong following = (ulong)bytes.Length - 8;
        if (headerLength > following)
        {
            throw new WeightsError($"the header length is {headerLength} bytes, past the end of the file: only {following} bytes follow the length field");
        }
        int length = (int)headerLength;
        if (length == 0 || bytes[8] != (byte)'{')
        {
            string first = length == 0 ? "it is empty" : $"its first byte is 0x{bytes[8]:x2}";
            throw new WeightsError($"the header must be a JSON object starting with '{{', but {first}");
        }
        string json;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 8, length);
        }
        catch (DecoderFallbackException ex)
        {
            throw new WeightsError($"the header is not valid UTF-8 (invalid byte at byte {ex.Index} of the header)");
        }

        List<Entry> entries = new HeaderParser(json).Parse();

        // As the reference does: order by data offsets, then demand that they tile [0, end) exactly.
        var ordered = new List<Entry>(entries);
        ordered.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        ulong position = 0;
        Entry? previous = null;
        foreach (Entry e in ordered)
        {
            if (e.End < e.Begin)
            {
                throw new WeightsError($"data_offsets {e.OffsetsText} end before they begin", e.Name);
            }
            if (e.Begin < position)
            {
                throw new WeightsError($"data_offsets {e.OffsetsText} overlap tensor '{Printable(previous!.Name)}' {previous.OffsetsText}; expected to start at {position}", e.Name);
            }
            if (e.Begin > position)
            {
                string after = previous is null ? "at the start of the data" : $"after tensor '{Printable(previous.Name)}' {previous.OffsetsText}";
                throw new WeightsError($"data_offsets {e.OffsetsText} leave a gap of {e.Begin - position} bytes {after}; expected to start at {position}", e.Name);
            }
            ulong expected = ByteSize(e);
            if (e.End - e.Begin != expected)
            {
                throw new WeightsError($"data_offsets {e.OffsetsText} hold {e.End - e.Begin} bytes, but dtype {e.Dtype} and shape {ShapeText(e.Shape)} need {expected}", e.Name);
            }
            position = e.End;
            previous = e;
        }

        ulong dataBytes = following - headerLength;
        if (dataBytes > position)
        {
            throw new WeightsError($"there are {dataBytes - position} trailing bytes after the data: the header's tensors end at data byte {position}, the data section is {dataBytes} bytes");
        }
        if (dataBytes < position)
        {
            foreach (Entry e in ordered)
            {
                if (e.End > dataBytes)
                {
                    throw new WeightsError($"data_offsets {e.OffsetsText} run past the end of the data section, which is {dataBytes} bytes", e.Name);
                }
            }
        }

        int dataStart = 8 + length;
        var tensors = new List<WeightsTensor>(ordered.Count);
        foreach (Entry e in ordered)
        {
            float[] values = Array.Empty<float>();
            if (e.Dtype == SafeTensorsDtype.F32)
            {
                values = new float[(int)((e.End - e.Begin) / 4)];
                int at = dataStart + (int)e.Begin;
                byte[] word = new byte[4];
                for (int i = 0; i < values.Length; i++, at += 4)
                {
                    if (BitConverter.IsLittleEndian)
                    {
                        values[i] = BitConverter.ToSingle(bytes, at);
                    }
                    else
                    {
                        word[0] = bytes[at + 3]; word[1] = bytes[at + 2]; word[2] = bytes[at + 1]; word[3] = bytes[at];
                        values[i] = BitConverter.ToSingle(word, 0);
                    }
                }
            }
            tensors.Add(new WeightsTensor(e.Name, e.Dtype, new EquatableArray<ulong>(e.Shape), new EquatableArray<float>(values)));
        }
        return new WeightsFileModel(fileName, null, null, null, new EquatableArray<WeightsTensor>(tensors));
    }

    private static ulong ByteSize(Entry e)
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
            throw new WeightsError($"shape {ShapeText(e.Shape)} of dtype {e.Dtype} overflows a 64-bit byte count", e.Name);
        }
        if (bits % 8 != 0)
        {
            throw new WeightsError($"shape {ShapeText(e.Shape)} of dtype {e.Dtype} is {bits} bits, not a whole number of bytes", e.Name);
        }
        return bits / 8;
    }

    public static string ShapeText(IEnumerable<ulong> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>A name as it can be shown in a message: control characters escaped, long names cut.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder();
        foreach (char c in name)
        {
            if (text.Length >= 80) { text.Append('…'); break; }
            text.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString());
        }
        return text.ToString();
    }

    private sealed class Entry
    {
        public Entry(string name, string dtype, ulong[] shape, ulong begin, ulong end)
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

        public ulong Begin { get; }

        public ulong End { get; }

        public string OffsetsText => $"[{Begin.ToString(CultureInfo.InvariantCulture)}, {End.ToString(CultureInfo.InvariantCulture)}]";
    }

    private sealed class WeightsError : Exception
    {
        public WeightsError(string message, string? tensor = null)
            : base(message) => Tensor = tensor;

        public string? Tensor { get; }
    }

    /// <summary>The JSON subset of a safetensors header, with the runtime's messages.</summary>
    private sealed class HeaderParser
    {
        private const int MaxDepth = 64;
        private readonly string _json;
        private int _pos;

        public HeaderParser(string json) => _json = json;

        public List<Entry> Parse()
        {
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            Expect('{');
            SkipWhitespace();
            if (!TryConsume('}'))
            {
                while (true)
                {
                    string name = ReadString();
                    Colon();
                    if (name == "__metadata__")
                    {
                        if (sawMetadata) throw new WeightsError("the header has '__metadata__' twice");
                        sawMetadata = true;
                        ReadMetadata();
                    }
                    else
                    {
                        if (!names.Add(name)) throw new WeightsError("the name appears twice in the header", name);
                        entries.Add(ReadEntry(name));
                    }
                    if (!NextMember()) break;
                }
            }
            SkipWhitespace();
            if (_pos < _json.Length)
            {
                throw new WeightsError($"the header has more JSON after its object, at character {_pos} of the header");
            }
            return entries;
        }

        private void ReadMetadata()
        {
            SkipWhitespace();
            char kind = Peek();
            if (kind == 'n') { ReadLiteral("null"); return; }
            if (kind != '{') throw new WeightsError($"'__metadata__' is {Describe(kind)}, expected an object of strings");
            Expect('{');
            var keys = new HashSet<string>(StringComparer.Ordinal);
            SkipWhitespace();
            if (TryConsume('}')) return;
            while (true)
            {
                string key = ReadString();
                Colon();
                SkipWhitespace();
                if (Peek() != '"') throw new WeightsError($"'__metadata__' entry '{Printable(key)}' is {Describe(Peek())}, expected a string");
                ReadString();
                if (!keys.Add(key)) throw new WeightsError($"'__metadata__' has the key '{Printable(key)}' twice");
                if (!NextMember()) return;
            }
        }

        private Entry ReadEntry(string name)
        {
            SkipWhitespace();
            if (Peek() != '{') throw new WeightsError($"the entry is {Describe(Peek())}, expected an object with dtype, shape and data_offsets", name);
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
                            if (Peek() != '"') throw new WeightsError($"dtype is {Describe(Peek())}, expected a string such as \"F32\"", name);
                            dtype = ReadString();
                            if (SafeTensorsDtype.BitSize(dtype) == 0) throw new WeightsError($"unknown dtype \"{Printable(dtype)}\"", name);
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
                                throw new WeightsError($"data_offsets holds {offsets.Length} {(offsets.Length == 1 ? "number" : "numbers")}, expected 2 ([begin, end])", name);
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
            return new Entry(name, dtype, shape, offsets[0], offsets[1]);
        }

        private ulong[] ReadUnsignedArray(string name, string field)
        {
            SkipWhitespace();
            if (Peek() != '[') throw new WeightsError($"{field} is {Describe(Peek())}, expected an array of non-negative integers", name);
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
                    throw new WeightsError($"{field} holds {Describe(c)}, expected non-negative integers below 2^64", name);
                }
                string number = ReadNumber();
                if (!IsPlainInteger(number) || !ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
                {
                    throw new WeightsError($"{field} holds the number {number}, expected non-negative integers below 2^64", name);
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

        private static WeightsError Duplicate(string name, string field) => new($"the entry has the field '{field}' twice", name);

        private static WeightsError Missing(string name, string field) => new($"the entry has no '{field}' field", name);

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
                        if (_pos + 4 > _json.Length || !int.TryParse(_json.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        {
                            throw Invalid("a string has a bad \\u escape");
                        }
                        text.Append((char)code);
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

        private void SkipWhitespace()
        {
            while (_pos < _json.Length && _json[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
        }

        private char Peek() => _pos < _json.Length ? _json[_pos] : '\0';

        private bool TryConsume(char c)
        {
            if (Peek() != c || _pos >= _json.Length) return false;
            _pos++;
            return true;
        }

        private void Expect(char c)
        {
            SkipWhitespace();
            if (!TryConsume(c)) throw Unexpected();
        }

        private WeightsError Unexpected() => _pos >= _json.Length
            ? Invalid("it ends too early")
            : Invalid($"unexpected '{Printable(_json[_pos].ToString())}' at character {_pos} of the header");

        private static WeightsError Invalid(string what) => new("the header is not valid JSON: " + what);

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
