using System;
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
/// line, then base64 of the safetensors file) and hands the decoded bytes to the runtime's own validator,
/// <see cref="SafeTensorsHeader"/> (a shared source file linked into this project), so a file is judged by exactly the
/// rules and messages of <c>LoadWeights</c>. Only the base64 envelope is this file's own. Never throws.
/// </summary>
internal static class WeightsFileReader
{
    /// <summary>The first line of every text the targets write; keep in sync with Backprop.Generated.targets.</summary>
    public const string Marker = "# Backprop.Generated baked weights v1";

    /// <summary>The extension the targets add to the weights file's name.</summary>
    public const string Extension = ".b64";

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
            int got = Math.Min(bytes.Length, 8);
            ulong headerLength = SafeTensorsHeader.ReadLength(bytes, got, bytes.Length >= 8 ? (ulong)bytes.Length - 8 : 0);
            SafeTensorsHeader header = SafeTensorsHeader.Parse(bytes, 8, (int)headerLength);
            header.CheckDataLength((ulong)bytes.Length - 8 - headerLength);
            return new WeightsFileModel(fileName, null, null, null, new EquatableArray<WeightsTensor>(Tensors(header, bytes, 8 + (int)headerLength)));
        }
        catch (SafeTensorsFormatException error)
        {
            return new WeightsFileModel(fileName, null, error.Message, error.Tensor, default);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(fileName, $"it could not be read ({ex.GetType().Name}: {ex.Message})");
        }
    }

    private static WeightsFileModel Failed(string fileName, string message) => new(fileName, null, message, null, default);

    /// <summary>The file's tensors in data-offset order, with the values of the F32 ones (little-endian in the file).</summary>
    private static WeightsTensor[] Tensors(SafeTensorsHeader header, byte[] bytes, int dataStart)
    {
        var tensors = new WeightsTensor[header.Entries.Count];
        byte[] word = new byte[4];
        for (int k = 0; k < tensors.Length; k++)
        {
            SafeTensorsEntry e = header.Entries[k];
            float[] values = Array.Empty<float>();
            if (e.Dtype == SafeTensorsDtype.F32)
            {
                values = new float[(int)((e.End - e.Begin) / 4)];
                int at = dataStart + (int)e.Begin;
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
            tensors[k] = new WeightsTensor(e.Name, e.Dtype, new EquatableArray<ulong>(e.Shape), new EquatableArray<float>(values));
        }
        return tensors;
    }

    /// <summary>A name as it can be shown in a message (the runtime's rule): control characters escaped, long names cut.</summary>
    public static string Printable(string name) => SafeTensorsHeader.Printable(name);
}
