using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The multi-sample <c>Forward</c> of networks whose Dense layers are all unrolled (at most 64 weights each, such as
/// xor 2-4-1): <see cref="Lanes"/> samples at a time, one per lane of a <see cref="Vector256{T}"/>. Generated code
/// loads a block of samples feature-major (<see cref="Load"/>: one vector per input feature, lane s = sample s), runs
/// its unrolled layers with each weight broadcast to every lane (one multiply and one add per weight, as the
/// one-sample code), applies the activations lane by lane (<see cref="VectorMath.Tanh(Vector256{float})"/>,
/// <see cref="Sigmoid"/>, <see cref="ReLUActivation"/>, <see cref="LeakyReLUActivation"/>) and stores each output
/// feature back sample-major (<see cref="Store"/>). Every lane goes through exactly the operations of the one-sample
/// code in the same order (no fused multiply-adds where it has none, the same tanh, the same <see cref="MathF.Exp"/>),
/// so the outputs are bit-equal to one-sample calls. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LaneKernels
{
    /// <summary>
    /// Samples per block: the lanes of a <see cref="Vector256{T}"/> of floats (the widest vector every x64 CPU with AVX2
    /// runs at full rate; the tanh and the arithmetic are instruction-bound, so eight lanes do twice the work of four).
    /// </summary>
    public const int Lanes = 8;

    /// <summary>
    /// Whether <c>Forward</c> on <paramref name="k"/> samples takes the lane path: at least one whole block, on a CPU
    /// with 256-bit SIMD (without it the vectors are emulated in software and the one-sample code is faster).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Applies(int k) => k >= Lanes && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Feature <paramref name="feature"/> of the <see cref="Lanes"/> samples stored one after another in
    /// <paramref name="block"/> (each <paramref name="size"/> floats): lane s is <c>block[s * size + feature]</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The block is shorter than <see cref="Lanes"/> samples, or the feature is not in 0..size-1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ReadOnlySpan<float> block, int size, int feature)
    {
        CheckBlock(block.Length, size, feature);
        ref float r = ref Unsafe.Add(ref MemoryMarshal.GetReference(block), feature);
        return Vector256.Create(
            r, Unsafe.Add(ref r, size), Unsafe.Add(ref r, 2 * size), Unsafe.Add(ref r, 3 * size),
            Unsafe.Add(ref r, 4 * size), Unsafe.Add(ref r, 5 * size), Unsafe.Add(ref r, 6 * size), Unsafe.Add(ref r, 7 * size));
    }

    /// <summary>
    /// Stores lane s of <paramref name="value"/> into <c>block[s * size + feature]</c>: feature
    /// <paramref name="feature"/> of the <see cref="Lanes"/> samples stored one after another in <paramref name="block"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The block is shorter than <see cref="Lanes"/> samples, or the feature is not in 0..size-1.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, Span<float> block, int size, int feature)
    {
        CheckBlock(block.Length, size, feature);
        ref float r = ref Unsafe.Add(ref MemoryMarshal.GetReference(block), feature);
        Vector128<float> low = value.GetLower(), high = value.GetUpper();
        r = low.ToScalar();
        Unsafe.Add(ref r, size) = low.GetElement(1);
        Unsafe.Add(ref r, 2 * size) = low.GetElement(2);
        Unsafe.Add(ref r, 3 * size) = low.GetElement(3);
        Unsafe.Add(ref r, 4 * size) = high.ToScalar();
        Unsafe.Add(ref r, 5 * size) = high.GetElement(1);
        Unsafe.Add(ref r, 6 * size) = high.GetElement(2);
        Unsafe.Add(ref r, 7 * size) = high.GetElement(3);
    }

    /// <summary>
    /// σ(z) = 1 / (1 + e^−z) lane by lane, the one-sample code's expression (<see cref="MathF.Exp"/> on each lane, then
    /// one vector add and divide, each correctly rounded as the scalar ones), so each lane has the one-sample bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> z)
    {
        Vector256<float> e = Vector256.Create(
            MathF.Exp(-z.GetElement(0)), MathF.Exp(-z.GetElement(1)), MathF.Exp(-z.GetElement(2)), MathF.Exp(-z.GetElement(3)),
            MathF.Exp(-z.GetElement(4)), MathF.Exp(-z.GetElement(5)), MathF.Exp(-z.GetElement(6)), MathF.Exp(-z.GetElement(7)));
        return Vector256<float>.One / (Vector256<float>.One + e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckBlock(int length, int size, int feature)
    {
        if (size <= 0 || (uint)feature >= (uint)size || length / Lanes < size)
        {
            Throw(length, size, feature);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(int length, int size, int feature) => throw new ArgumentOutOfRangeException(
        nameof(feature),
        $"A block of {Lanes} samples of {size} floats needs {Lanes * size} floats and a feature in 0..{size - 1}; got {length} floats and feature {feature}.");
}
