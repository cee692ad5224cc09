using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks.AlignmentCandidates.ShiftedX;

/// <summary>
/// A candidate measured by --align (Alignment.cs) and not adopted: slower than the runtime's unaligned loads at every
/// offset on the machine measured (docs/performance.md, "Where a baked network's weights land").
/// <see cref="DenseKernels.Gemv"/>'s blocks of sixteen rows on AVX-512 for weights that do not start on a 64-byte line,
/// rows of a whole number of Vector512s (so every row starts the same k floats past a line). There an unaligned 64-byte
/// load straddles two cache lines, and on the machine measured (AMD EPYC, AVX-512 executed as two 256-bit halves) the
/// digits layers became load-bound (docs/performance.md, "Where a baked network's weights land"). Here every weight
/// load is aligned: row r is read as the n/16 + 1 aligned vectors that cover it, whose lane j holds column
/// 16b + j − k, and x is shifted to match (one <c>valignd</c> per block of x, shared by the sixteen rows). Lane j of an
/// accumulator then sums the columns the aligned path's lane (j − k) mod 16 sums, in the same order; the lanes of the
/// first and last aligned vectors that belong to the neighbouring rows are zeroed (an exact +0 product, which leaves
/// the sum's bits as they are), and one rotation per row puts the lanes back before the same transposing add tree.
/// So the output bits do not depend on where the weights lie.
/// </summary>
/// <remarks>
/// The first aligned vector of a row starts up to 60 bytes before it and the last ends up to 60 bytes after it, inside
/// the 64-byte lines the row touches (so the reads cannot fault); those lanes are masked to zero, never used. The
/// caller pins the weights for the call, so the alignment it measured holds throughout.
/// </remarks>
internal static class ShiftedRows
{
    /// <summary>The probe's entry: this path where it applies (AVX-512, n and m multiples of 16, weights k floats past a line), else DenseKernels.Gemv.</summary>
    public static unsafe void Gemv<TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        if (Avx512F.IsSupported && n >= 16 && (n & 15) == 0 && m >= 16 && (m & 15) == 0)
        {
            fixed (float* pw = weights)
            {
                nuint off = (nuint)pw & 63;
                if (off != 0 && (off & 3) == 0)
                {
                    GemvRows16<TAct>((int)(off >> 2), ref Unsafe.SubtractByteOffset(ref MemoryMarshal.GetReference(weights), off), ref MemoryMarshal.GetReference(bias), m, n, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y));
                    return;
                }
            }
        }
        DenseKernels.Gemv<TAct>(weights, bias, m, n, x, y);
    }

    /// <summary>
    /// The whole blocks of sixteen rows of y = act(b + W x) for W [m × n] starting <paramref name="k"/> floats (1 to 15)
    /// past a 64-byte line, n a multiple of 16; <paramref name="wa"/> is that line (W − k floats). Returns the rows done.
    /// </summary>
    public static int GemvRows16<TAct>(int k, ref float wa, ref float rb, int m, int n, ref float rx, ref float ry)
        where TAct : struct, IFusedActivation
    {
        switch (k)
        {
            case 1: return GemvRows16<Shift1, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 2: return GemvRows16<Shift2, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 3: return GemvRows16<Shift3, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 4: return GemvRows16<Shift4, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 5: return GemvRows16<Shift5, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 6: return GemvRows16<Shift6, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 7: return GemvRows16<Shift7, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 8: return GemvRows16<Shift8, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 9: return GemvRows16<Shift9, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 10: return GemvRows16<Shift10, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 11: return GemvRows16<Shift11, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 12: return GemvRows16<Shift12, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 13: return GemvRows16<Shift13, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            case 14: return GemvRows16<Shift14, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
            default: return GemvRows16<Shift15, TAct>(ref wa, ref rb, m, n, ref rx, ref ry);
        }
    }

    private static int GemvRows16<TS, TAct>(ref float wa, ref float rb, int m, int n, ref float rx, ref float ry)
        where TS : struct, IAlignShift
        where TAct : struct, IFusedActivation
    {
        // lanes of the first aligned vector of a row that are its own (j ≥ k), and of the last (j < k)
        Vector512<float> first = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(TS.K)).AsSingle();
        Vector512<float> last = ~first;
        int o = 0;
        for (; o <= m - 16; o += 16)
        {
            Vector512<float> z = Rows16<TS>(ref Unsafe.Add(ref wa, o * n), n, ref rx, first, last) + Vector512.LoadUnsafe(ref rb, (nuint)o);
            TAct.Apply(z).StoreUnsafe(ref ry, (nuint)o);
        }
        return o;
    }

    /// <summary>Lane j: Σ_i w[j · n + i] · x[i] for the sixteen rows from <paramref name="wa"/> + k, as DenseKernels' Rows16 sums them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Rows16<TS>(ref float wa, int n, ref float rx, Vector512<float> first, Vector512<float> last)
        where TS : struct, IAlignShift
    {
        // block 0: the rows' first aligned vectors (their low k lanes zeroed) with x[−k ..] (zeros below 0)
        Vector512<float> xp = Vector512.LoadUnsafe(ref rx);
        Vector512<float> xv = TS.AlignBack(xp, Vector512<float>.Zero);
        ref float p = ref wa;
        Vector512<float> s0 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s1 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s2 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s3 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s4 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s5 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s6 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s7 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s8 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s9 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s10 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s11 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s12 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s13 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s14 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        p = ref Unsafe.Add(ref p, n); Vector512<float> s15 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & first, xv, default);
        // blocks 1 .. n/16 − 1: whole aligned vectors, x[16b − k ..] from two neighbouring vectors of x
        int i = 16;
        for (; i < n; i += 16)
        {
            Vector512<float> xn = Vector512.LoadUnsafe(ref rx, (nuint)i);
            xv = TS.AlignBack(xn, xp);
            xp = xn;
            p = ref Unsafe.Add(ref wa, i);
            s0 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s0);
            p = ref Unsafe.Add(ref p, n); s1 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s1);
            p = ref Unsafe.Add(ref p, n); s2 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s2);
            p = ref Unsafe.Add(ref p, n); s3 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s3);
            p = ref Unsafe.Add(ref p, n); s4 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s4);
            p = ref Unsafe.Add(ref p, n); s5 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s5);
            p = ref Unsafe.Add(ref p, n); s6 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s6);
            p = ref Unsafe.Add(ref p, n); s7 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s7);
            p = ref Unsafe.Add(ref p, n); s8 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s8);
            p = ref Unsafe.Add(ref p, n); s9 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s9);
            p = ref Unsafe.Add(ref p, n); s10 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s10);
            p = ref Unsafe.Add(ref p, n); s11 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s11);
            p = ref Unsafe.Add(ref p, n); s12 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s12);
            p = ref Unsafe.Add(ref p, n); s13 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s13);
            p = ref Unsafe.Add(ref p, n); s14 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s14);
            p = ref Unsafe.Add(ref p, n); s15 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p), xv, s15);
        }
        // block n/16: the rows' last aligned vectors (lanes k .. 15 zeroed), x's last k values in the low lanes
        xv = TS.AlignBack(Vector512<float>.Zero, xp);
        p = ref Unsafe.Add(ref wa, n);
        s0 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s0);
        p = ref Unsafe.Add(ref p, n); s1 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s1);
        p = ref Unsafe.Add(ref p, n); s2 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s2);
        p = ref Unsafe.Add(ref p, n); s3 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s3);
        p = ref Unsafe.Add(ref p, n); s4 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s4);
        p = ref Unsafe.Add(ref p, n); s5 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s5);
        p = ref Unsafe.Add(ref p, n); s6 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s6);
        p = ref Unsafe.Add(ref p, n); s7 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s7);
        p = ref Unsafe.Add(ref p, n); s8 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s8);
        p = ref Unsafe.Add(ref p, n); s9 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s9);
        p = ref Unsafe.Add(ref p, n); s10 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s10);
        p = ref Unsafe.Add(ref p, n); s11 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s11);
        p = ref Unsafe.Add(ref p, n); s12 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s12);
        p = ref Unsafe.Add(ref p, n); s13 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s13);
        p = ref Unsafe.Add(ref p, n); s14 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s14);
        p = ref Unsafe.Add(ref p, n); s15 = FusedMath.Fma512(Vector512.LoadUnsafe(ref p) & last, xv, s15);
        // lane j holds the aligned path's lane (j − k) mod 16: rotate back
        return DenseKernels.Transpose16Sum(
            TS.Rotate(s0), TS.Rotate(s1), TS.Rotate(s2), TS.Rotate(s3), TS.Rotate(s4), TS.Rotate(s5), TS.Rotate(s6), TS.Rotate(s7),
            TS.Rotate(s8), TS.Rotate(s9), TS.Rotate(s10), TS.Rotate(s11), TS.Rotate(s12), TS.Rotate(s13), TS.Rotate(s14), TS.Rotate(s15));
    }
}

/// <summary>A constant lane shift k (1 to 15) for <c>valignd</c>, whose count is an immediate: one struct per k.</summary>
internal interface IAlignShift
{
    /// <summary>k.</summary>
    static abstract int K { get; }

    /// <summary>Lanes 16 − k .. 15 of <paramref name="lo"/>, then lanes 0 .. 15 − k of <paramref name="hi"/>: the sixteen floats that start k before hi's.</summary>
    static abstract Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo);

    /// <summary>Lane j: lane (j + k) mod 16 of <paramref name="s"/>.</summary>
    static abstract Vector512<float> Rotate(Vector512<float> s);
}

internal readonly struct Shift1 : IAlignShift
{
    public static int K => 1;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 15).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 1).AsSingle();
}

internal readonly struct Shift2 : IAlignShift
{
    public static int K => 2;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 14).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 2).AsSingle();
}

internal readonly struct Shift3 : IAlignShift
{
    public static int K => 3;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 13).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 3).AsSingle();
}

internal readonly struct Shift4 : IAlignShift
{
    public static int K => 4;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 12).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 4).AsSingle();
}

internal readonly struct Shift5 : IAlignShift
{
    public static int K => 5;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 11).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 5).AsSingle();
}

internal readonly struct Shift6 : IAlignShift
{
    public static int K => 6;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 10).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 6).AsSingle();
}

internal readonly struct Shift7 : IAlignShift
{
    public static int K => 7;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 9).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 7).AsSingle();
}

internal readonly struct Shift8 : IAlignShift
{
    public static int K => 8;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 8).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 8).AsSingle();
}

internal readonly struct Shift9 : IAlignShift
{
    public static int K => 9;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 7).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 9).AsSingle();
}

internal readonly struct Shift10 : IAlignShift
{
    public static int K => 10;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 6).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 10).AsSingle();
}

internal readonly struct Shift11 : IAlignShift
{
    public static int K => 11;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 5).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 11).AsSingle();
}

internal readonly struct Shift12 : IAlignShift
{
    public static int K => 12;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 4).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 12).AsSingle();
}

internal readonly struct Shift13 : IAlignShift
{
    public static int K => 13;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 3).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 13).AsSingle();
}

internal readonly struct Shift14 : IAlignShift
{
    public static int K => 14;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 2).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 14).AsSingle();
}

internal readonly struct Shift15 : IAlignShift
{
    public static int K => 15;
    public static Vector512<float> AlignBack(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 1).AsSingle();
    public static Vector512<float> Rotate(Vector512<float> s) => Avx512F.AlignRight32(s.AsUInt32(), s.AsUInt32(), 15).AsSingle();
}
