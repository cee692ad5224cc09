using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Backprop.Generated;

/// <summary>
/// Converts between floats and their little-endian bytes, the byte order of safetensors files, on any host. Bits are
/// copied as they are (NaN payloads included).
/// </summary>
internal static class LittleEndianFloats
{
    /// <summary>Writes <paramref name="source"/> as little-endian bytes; <paramref name="destination"/> holds 4 bytes per float.</summary>
    public static void Write(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(source).CopyTo(destination);
        else WritePortable(source, destination);
    }

    /// <summary>Reads little-endian bytes into <paramref name="destination"/>; <paramref name="source"/> holds 4 bytes per float.</summary>
    public static void Read(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian) source.Slice(0, destination.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(destination));
        else ReadPortable(source, destination);
    }

    /// <summary>The byte-order-independent path taken on big-endian hosts; tests run it everywhere.</summary>
    internal static void WritePortable(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination.Slice(i * sizeof(float), sizeof(float)), source[i]);
        }
    }

    /// <summary>The byte-order-independent path taken on big-endian hosts; tests run it everywhere.</summary>
    internal static void ReadPortable(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * sizeof(float), sizeof(float)));
        }
    }
}
