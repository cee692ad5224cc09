using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// A fixed-length float buffer that starts on a 64-byte boundary (one cache line, one Vector512), for the parameters,
/// gradients and batch buffers of generated networks: no SIMD load of a weight row then straddles two cache lines,
/// which costs about 8-10% in the one-sample matrix-vector products. The array lives on the pinned object heap, so it
/// never moves and the offset found once stays right. Zeroed when made. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AlignedFloats
{
    /// <summary>Bytes of alignment of the first element.</summary>
    public const int Alignment = 64;

    private readonly float[] _array;
    private readonly int _offset;

    /// <summary>A zeroed buffer of <paramref name="length"/> floats.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public AlignedFloats(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _array = GC.AllocateArray<float>(length + Alignment / sizeof(float) - 1, pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0);
        _offset = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1)) / sizeof(float);
        Length = length;
    }

    /// <summary>Floats in the buffer.</summary>
    public int Length { get; }

    /// <summary>The buffer (its first element 64-byte aligned).</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset), Length);
    }
}
