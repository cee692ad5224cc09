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
    /// <summary>The reference implementation's limit on the header length.</summary>
    public const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>Names of tensors a file may hold that networks do not: PyTorch's batch-norm step counter.</summary>
    public const string IgnoredSuffix = ".num_batches_tracked";

    private const int ChunkBytes = 64 * 1024;

    public static void Load(INetwork network, Stream stream, string file)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        IReadOnlyList<TensorInfo> tensors = NetworkLayout.Check(network);
        long? available = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

        Span<byte> prefix = stackalloc byte[8];
        int got = ReadAtMost(stream, prefix);
        if (got < 8)
        {
            throw new WeightsFileException(file, null, $"the file is {got} bytes long, shorter than the 8-byte header length that starts a safetensors file");
        }
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new WeightsFileException(file, null, $"the header length is {headerLength} bytes, over the limit of {MaxHeaderBytes}");
        }
        if (available is long total && headerLength > (ulong)Math.Max(0, total - 8))
        {
            throw HeaderPastEnd(file, headerLength, (ulong)Math.Max(0, total - 8));
        }
        byte[] header = ReadHeader(stream, (int)headerLength, file);

        SafeTensorsHeader parsed = SafeTensorsHeader.Parse(header, file);

        if (available is long size)
        {
            ulong dataBytes = (ulong)size - 8 - headerLength;
            CheckDataLength(parsed, dataBytes, file);
        }

        var staging = MatchNetwork(tensors, parsed, file);

        // Read the data section in offset order; keep what the network needs, skip the rest.
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            ulong position = 0;
            foreach (SafeTensorsEntry entry in parsed.Entries)
            {
                if (staging.TryGetValue(entry.Name, out float[]? values))
                {
                    int done = 0;
                    while (done < values.Length)
                    {
                        int floats = Math.Min(ChunkBytes / sizeof(float), values.Length - done);
                        int bytes = floats * sizeof(float);
                        int read = ReadAtMost(stream, chunk.AsSpan(0, bytes));
                        if (read < bytes) throw EndsInside(file, entry, position + (ulong)read);
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
                        if (read < want) throw EndsInside(file, entry, position);
                        remaining -= (ulong)want;
                    }
                }
            }
            if (available is null && stream.ReadByte() >= 0)
            {
                throw new WeightsFileException(file, null,
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

    private static void CheckDataLength(SafeTensorsHeader parsed, ulong dataBytes, string file)
    {
        if (dataBytes == parsed.DataLength) return;
        if (dataBytes > parsed.DataLength)
        {
            throw new WeightsFileException(file, null,
                $"there are {dataBytes - parsed.DataLength} trailing bytes after the data: the header's tensors end at data byte {parsed.DataLength}, the data section is {dataBytes} bytes");
        }
        foreach (SafeTensorsEntry e in parsed.Entries)
        {
            if (e.End > dataBytes)
            {
                throw new WeightsFileException(file, e.Name,
                    $"data_offsets {e.OffsetsText} run past the end of the data section, which is {dataBytes} bytes");
            }
        }
    }

    private static Dictionary<string, float[]> MatchNetwork(IReadOnlyList<TensorInfo> tensors, SafeTensorsHeader parsed, string file)
    {
        var wanted = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (TensorInfo t in tensors)
        {
            wanted.Add(t.Name, t);
            if (!parsed.ByName.TryGetValue(t.Name, out SafeTensorsEntry? entry))
            {
                throw new WeightsFileException(file, t.Name,
                    $"the network's tensor is missing from the file (expected {SafeTensorsDtype.F32} {ShapeText(t.Shape)})");
            }
            if (entry.Dtype != SafeTensorsDtype.F32)
            {
                throw new WeightsFileException(file, t.Name, $"dtype is {entry.Dtype}, expected {SafeTensorsDtype.F32}");
            }
            if (!SameShape(entry.Shape, t.Shape))
            {
                throw new WeightsFileException(file, t.Name,
                    $"shape is {SafeTensorsEntry.ShapeText(entry.Shape)}, expected {ShapeText(t.Shape)}");
            }
        }
        foreach (SafeTensorsEntry entry in parsed.Entries)
        {
            if (!wanted.ContainsKey(entry.Name) && !entry.Name.EndsWith(IgnoredSuffix, StringComparison.Ordinal))
            {
                throw new WeightsFileException(file, entry.Name,
                    $"unexpected tensor: the network has no tensor of that name (it has {NameList(tensors)})");
            }
        }
        // Allocate only now: every size is the network's own and the file has been checked to match it.
        var staging = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorInfo t in tensors) staging.Add(t.Name, new float[t.Length]);
        return staging;
    }

    private static string NameList(IReadOnlyList<TensorInfo> tensors)
    {
        const int Shown = 8;
        if (tensors.Count == 0) return "no tensors";
        string names = string.Join(", ", tensors.Take(Shown).Select(t => t.Name));
        return tensors.Count <= Shown ? names : $"{names} and {tensors.Count - Shown} more";
    }

    private static bool SameShape(ulong[] file, IReadOnlyList<int> network)
    {
        if (file.Length != network.Count) return false;
        for (int i = 0; i < file.Length; i++)
        {
            if (file[i] != (ulong)network[i]) return false;
        }
        return true;
    }

    private static string ShapeText(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    private static byte[] ReadHeader(Stream stream, int length, string file)
    {
        // Grow as bytes arrive, so a lying length on a short stream never allocates the full amount.
        byte[] buffer = new byte[Math.Min(length, ChunkBytes)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min((long)length, 2L * buffer.Length));
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) throw HeaderPastEnd(file, (ulong)length, (ulong)filled);
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

    private static WeightsFileException HeaderPastEnd(string file, ulong headerLength, ulong following) =>
        new(file, null, $"the header length is {headerLength} bytes, past the end of the file: only {following} bytes follow the length field");

    private static WeightsFileException EndsInside(string file, SafeTensorsEntry entry, ulong position) =>
        new(file, entry.Name, $"the file ends {position} bytes into the data section, inside data_offsets {entry.OffsetsText}");
}
