using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Backprop.Generated;

/// <summary>
/// Reads a safetensors file into a network. Everything is read and validated into a private buffer first and copied
/// into the network only when the whole file is good, so a failed load changes nothing. Memory use is bounded by the
/// header (at most 100 MB, and never more than the stream really holds) plus the network's own size: data of tensors
/// the network ignores is skipped, not buffered.
/// </summary>
internal static class SafeTensorsReader
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Loads <paramref name="stream"/> into <paramref name="network"/>. Each network tensor reads the file's tensor that
    /// <paramref name="names"/> pairs it with, or, when <paramref name="nameInFile"/> is given, the one it names.
    /// </summary>
    public static void Load(INetwork network, Stream stream, string file, WeightNames names = WeightNames.Network, Func<TensorInfo, string>? nameInFile = null)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        IReadOnlyList<TensorInfo> tensors = NetworkLayout.Check(network);
        try
        {
            LoadChecked(network, tensors, stream, file, names, nameInFile);
        }
        catch (SafeTensorsFormatException ex)
        {
            throw new WeightsFileException(file, ex.Tensor, ex.Message, ex);
        }
    }

    private static void LoadChecked(INetwork network, IReadOnlyList<TensorInfo> tensors, Stream stream, string file, WeightNames names, Func<TensorInfo, string>? nameInFile)
    {
        long? available = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

        byte[] prefix = new byte[8];
        int got = ReadAtMost(stream, prefix);
        ulong headerLength = SafeTensorsHeader.ReadLength(prefix, got, available is long total ? (ulong)Math.Max(0, total - 8) : null);
        byte[] header = ReadHeader(stream, (int)headerLength);

        SafeTensorsHeader parsed = SafeTensorsHeader.Parse(header, 0, header.Length);

        if (available is long size)
        {
            parsed.CheckDataLength((ulong)size - 8 - headerLength);
        }

        var staging = MatchNetwork(tensors, parsed, file, names, nameInFile, out Dictionary<string, TensorInfo> readBy);

        // Read the data section in offset order; keep what the network needs, skip the rest.
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            ulong position = 0;
            foreach (SafeTensorsEntry entry in parsed.Entries)
            {
                if (readBy.TryGetValue(entry.Name, out TensorInfo? reader))
                {
                    float[] values = staging[reader.Name];
                    int done = 0;
                    while (done < values.Length)
                    {
                        int floats = Math.Min(ChunkBytes / sizeof(float), values.Length - done);
                        int bytes = floats * sizeof(float);
                        int read = ReadAtMost(stream, chunk.AsSpan(0, bytes));
                        if (read < bytes) throw EndsInside(entry, position + (ulong)read);
                        LittleEndianFloats.Read(chunk.AsSpan(0, bytes), values.AsSpan(done, floats));
                        done += floats;
                        position += (ulong)bytes;
                    }
                }
                else
                {
                    ulong remaining = entry.End - entry.Begin;
                    while (remaining > 0)
                    {
                        int want = (int)Math.Min((ulong)ChunkBytes, remaining);
                        int read = ReadAtMost(stream, chunk.AsSpan(0, want));
                        position += (ulong)read;
                        if (read < want) throw EndsInside(entry, position);
                        remaining -= (ulong)want;
                    }
                }
            }
            if (available is null && stream.ReadByte() >= 0)
            {
                throw new SafeTensorsFormatException(
                    $"there are trailing bytes after the data: the header's tensors end at data byte {parsed.DataLength}, the file goes on");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        // Everything is valid: only now touch the network.
        foreach (TensorInfo t in tensors)
        {
            staging[t.Name].CopyTo(NetworkLayout.Slice(network, t));
        }
    }

    /// <summary>
    /// Checks the file against the network (the rules are <see cref="WeightNameMatching"/>'s, shared with the
    /// generator's baked weights) and returns a zeroed buffer per network tensor, and which network tensor reads each
    /// file tensor.
    /// </summary>
    private static Dictionary<string, float[]> MatchNetwork(
        IReadOnlyList<TensorInfo> tensors, SafeTensorsHeader parsed, string file, WeightNames names, Func<TensorInfo, string>? nameInFile,
        out Dictionary<string, TensorInfo> readBy)
    {
        string[] networkNames = tensors.Select(t => t.Name).ToArray();
        string[] namesInFile;
        string how;
        if (nameInFile is not null)
        {
            how = "the nameInFile mapping";
            namesInFile = new string[tensors.Count];
            for (int i = 0; i < tensors.Count; i++)
            {
                string mapped = nameInFile(tensors[i]);
                if (string.IsNullOrEmpty(mapped))
                {
                    throw new ArgumentException($"nameInFile returned {(mapped is null ? "null" : "an empty name")} for the network's tensor '{tensors[i].Name}'.", nameof(nameInFile));
                }
                namesInFile[i] = mapped;
            }
        }
        else if (names == WeightNames.ModuleOrder)
        {
            how = "WeightNames.ModuleOrder";
            namesInFile = WeightNameMatching.ModuleOrder(networkNames, parsed.Entries, out string? error)
                ?? throw new WeightsFileException(file, null, $"{error}; the file holds {WeightNameMatching.Contents(parsed.Entries)}");
        }
        else if (names == WeightNames.Network)
        {
            how = "the network's names";
            namesInFile = networkNames;
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(names), names, "Unknown WeightNames value.");
        }

        string? clash = WeightNameMatching.FirstClash(networkNames, namesInFile, out string? first, out string? second);
        if (clash is not null)
        {
            throw new WeightsFileException(file, clash, $"both the network's '{first}' and '{second}' read this tensor by {how}; each file tensor can be read by one network tensor");
        }

        var shapes = tensors.Select(t => t.Shape).ToArray();
        List<TensorProblem> problems = WeightNameMatching.Compare(networkNames, shapes, namesInFile, parsed.Entries);
        if (problems.Count > 0)
        {
            TensorProblem p = problems[0];
            string note = p.Renamed ? $" (read by the network's '{p.NetworkName}' by {how})" : "";
            throw p.Kind switch
            {
                TensorProblemKind.Missing => new WeightsFileException(file, p.NameInFile,
                    (p.Renamed ? $"the network's tensor '{p.NetworkName}' reads this tensor by {how}, but it is missing from the file" : "the network's tensor is missing from the file") +
                    $" (expected {SafeTensorsDtype.F32} {WeightNameMatching.ShapeText(p.ExpectedShape!)}); the file holds {WeightNameMatching.Contents(parsed.Entries)}"),
                TensorProblemKind.WrongDtype => new WeightsFileException(file, p.NameInFile, $"dtype is {p.Found!.Dtype}, expected {SafeTensorsDtype.F32}{note}"),
                TensorProblemKind.WrongShape => new WeightsFileException(file, p.NameInFile,
                    $"shape is {SafeTensorsEntry.ShapeText(p.Found!.Shape)}, expected {WeightNameMatching.ShapeText(p.ExpectedShape!)}{note}"),
                _ => new WeightsFileException(file, p.NameInFile, ReferenceEquals(namesInFile, networkNames)
                    ? $"unexpected tensor: the network has no tensor of that name (it has {WeightNameMatching.NameList(networkNames)})"
                    : $"unexpected tensor: no tensor of the network reads it (by {how} they read {WeightNameMatching.NameList(namesInFile)})"),
            };
        }

        // Allocate only now: every size is the network's own and the file has been checked to match it.
        readBy = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var staging = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            readBy.Add(namesInFile[i], tensors[i]);
            staging.Add(tensors[i].Name, new float[tensors[i].Length]);
        }
        return staging;
    }

    private static byte[] ReadHeader(Stream stream, int length)
    {
        // Grow as bytes arrive, so a lying length on a short stream never allocates the full amount.
        byte[] buffer = new byte[Math.Min(length, ChunkBytes)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min((long)length, 2L * buffer.Length));
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) throw SafeTensorsHeader.HeaderPastEnd((ulong)length, (ulong)filled);
            filled += read;
        }
        return buffer;
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer.Slice(total));
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    private static SafeTensorsFormatException EndsInside(SafeTensorsEntry entry, ulong position) =>
        new($"the file ends {position} bytes into the data section, inside data_offsets {entry.OffsetsText}", entry.Name);
}
