using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks.AlignmentCandidates.Valignd;

/// <summary>
/// A candidate measured by --align (Alignment.cs) and not adopted: slower than the runtime's unaligned loads at every
/// offset on the machine measured (docs/performance.md, "Where a baked network's weights land").
/// <see cref="DenseKernels.Gemv"/> on AVX-512 for weights that do not start on a 64-byte line, rows of a whole number
/// of Vector512s (so every row, and every vector of a row, is off its line by the same k floats). An unaligned 64-byte
/// load then straddles two cache lines, and on the machine measured (AMD EPYC, AVX-512 in two 256-bit halves) a
/// weights start 4 to 28 or 36 to 60 bytes past a line made the digits layers load-bound. Here every weight load is an
/// aligned one: each row is read as the aligned vectors that cover it (one more than the row's vectors), and the
/// vector at i is rebuilt from the two aligned neighbours with one <c>valignd</c> (<see cref="IAlignShift.Align"/>), the
/// upper neighbour kept in a register for the next step. The FMAs see the same values in the same order as
/// <see cref="DenseKernels.Gemv"/>'s aligned path, so the output bits do not depend on where the weights lie.
/// </summary>
/// <remarks>
/// The first aligned vector of a row starts up to 60 bytes before it and the last ends up to 60 bytes after it, always
/// inside the 64-byte lines the row touches (so the reads cannot fault); the extra lanes are shifted out, never used.
/// The caller pins the weights for the call, so the alignment it measured holds throughout.
/// </remarks>
internal static class ShiftedRows
{
    /// <summary>The probe's entry: this path where it applies (AVX-512, n a multiple of 16, weights k floats past a line), else DenseKernels.Gemv.</summary>
    public static unsafe void Gemv<TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        if (Avx512F.IsSupported && n >= 16 && (n & 15) == 0)
        {
            fixed (float* pw = weights)
            {
                nuint off = (nuint)pw & 63;
                if (off != 0 && (off & 3) == 0)
                {
                    Gemv<TAct>((int)(off >> 2), ref Unsafe.SubtractByteOffset(ref MemoryMarshal.GetReference(weights), off), ref MemoryMarshal.GetReference(bias), m, n, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y));
                    return;
                }
            }
        }
        DenseKernels.Gemv<TAct>(weights, bias, m, n, x, y);
    }

    /// <summary>
    /// y = act(b + W x) for W [m × n] starting <paramref name="k"/> floats (1 to 15) past a 64-byte line, n a multiple of
    /// 16; <paramref name="wa"/> is that line (W − k floats). Rows in the order and shapes of the aligned path: blocks of
    /// sixteen (<see cref="DenseKernels.Transpose16Sum"/>), then eight, then four, then one.
    /// </summary>
    public static void Gemv<TAct>(int k, ref float wa, ref float rb, int m, int n, ref float rx, ref float ry)
        where TAct : struct, IFusedActivation
    {
        switch (k)
        {
            case 1: Gemv<Shift1, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 2: Gemv<Shift2, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 3: Gemv<Shift3, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 4: Gemv<Shift4, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 5: Gemv<Shift5, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 6: Gemv<Shift6, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 7: Gemv<Shift7, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 8: Gemv<Shift8, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 9: Gemv<Shift9, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 10: Gemv<Shift10, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 11: Gemv<Shift11, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 12: Gemv<Shift12, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 13: Gemv<Shift13, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            case 14: Gemv<Shift14, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
            default: Gemv<Shift15, TAct>(ref wa, ref rb, m, n, ref rx, ref ry); break;
        }
    }

    private static void Gemv<TS, TAct>(ref float wa, ref float rb, int m, int n, ref float rx, ref float ry)
        where TS : struct, IAlignShift
        where TAct : struct, IFusedActivation
    {
        int o = 0;
        for (; o <= m - 16; o += 16)
        {
            ref float w = ref Unsafe.Add(ref wa, o * n);
            // rows 0-7, then 8-15, each pass with its eight upper neighbours in registers (sixteen at once would not fit)
            Rows8<TS>(ref w, n, ref rx, out Vector512<float> s0, out Vector512<float> s1, out Vector512<float> s2, out Vector512<float> s3, out Vector512<float> s4, out Vector512<float> s5, out Vector512<float> s6, out Vector512<float> s7);
            Rows8<TS>(ref Unsafe.Add(ref w, 8 * n), n, ref rx, out Vector512<float> s8, out Vector512<float> s9, out Vector512<float> s10, out Vector512<float> s11, out Vector512<float> s12, out Vector512<float> s13, out Vector512<float> s14, out Vector512<float> s15);
            Vector512<float> z = DenseKernels.Transpose16Sum(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15) + Vector512.LoadUnsafe(ref rb, (nuint)o);
            TAct.Apply(z).StoreUnsafe(ref ry, (nuint)o);
        }
        for (; o <= m - 8; o += 8)
        {
            Rows8<TS>(ref Unsafe.Add(ref wa, o * n), n, ref rx, out Vector512<float> s0, out Vector512<float> s1, out Vector512<float> s2, out Vector512<float> s3, out Vector512<float> s4, out Vector512<float> s5, out Vector512<float> s6, out Vector512<float> s7);
            Vector128<float> z0 = DenseKernels.Sum4(Width512.Fold128(s0), Width512.Fold128(s1), Width512.Fold128(s2), Width512.Fold128(s3));
            Vector128<float> z1 = DenseKernels.Sum4(Width512.Fold128(s4), Width512.Fold128(s5), Width512.Fold128(s6), Width512.Fold128(s7));
            z0 += Vector128.LoadUnsafe(ref Unsafe.Add(ref rb, o));
            TAct.Apply(z0).StoreUnsafe(ref Unsafe.Add(ref ry, o));
            z1 += Vector128.LoadUnsafe(ref Unsafe.Add(ref rb, o + 4));
            TAct.Apply(z1).StoreUnsafe(ref Unsafe.Add(ref ry, o + 4));
        }
        for (; o <= m - 4; o += 4)
        {
            ref float w0 = ref Unsafe.Add(ref wa, o * n);
            ref float w1 = ref Unsafe.Add(ref w0, n);
            ref float w2 = ref Unsafe.Add(ref w1, n);
            ref float w3 = ref Unsafe.Add(ref w2, n);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> c0 = Vector512.LoadUnsafe(ref w0), c1 = Vector512.LoadUnsafe(ref w1), c2 = Vector512.LoadUnsafe(ref w2), c3 = Vector512.LoadUnsafe(ref w3);
            for (int i = 16; i <= n; i += 16)
            {
                Vector512<float> xv = Vector512.LoadUnsafe(ref rx, (nuint)(i - 16));
                Vector512<float> h = Vector512.LoadUnsafe(ref w0, (nuint)i); s0 = FusedMath.Fma512(TS.Align(h, c0), xv, s0); c0 = h;
                h = Vector512.LoadUnsafe(ref w1, (nuint)i); s1 = FusedMath.Fma512(TS.Align(h, c1), xv, s1); c1 = h;
                h = Vector512.LoadUnsafe(ref w2, (nuint)i); s2 = FusedMath.Fma512(TS.Align(h, c2), xv, s2); c2 = h;
                h = Vector512.LoadUnsafe(ref w3, (nuint)i); s3 = FusedMath.Fma512(TS.Align(h, c3), xv, s3); c3 = h;
            }
            Vector128<float> z0 = DenseKernels.Sum4(Width512.Fold128(s0), Width512.Fold128(s1), Width512.Fold128(s2), Width512.Fold128(s3));
            z0 += Vector128.LoadUnsafe(ref Unsafe.Add(ref rb, o));
            TAct.Apply(z0).StoreUnsafe(ref Unsafe.Add(ref ry, o));
        }
        for (; o < m; o++)
        {
            ref float wo = ref Unsafe.Add(ref wa, o * n);
            Vector512<float> s = Vector512<float>.Zero;
            Vector512<float> c = Vector512.LoadUnsafe(ref wo);
            for (int i = 16; i <= n; i += 16)
            {
                Vector512<float> h = Vector512.LoadUnsafe(ref wo, (nuint)i);
                s = FusedMath.Fma512(TS.Align(h, c), Vector512.LoadUnsafe(ref rx, (nuint)(i - 16)), s);
                c = h;
            }
            Unsafe.Add(ref ry, o) = TAct.Apply(Unsafe.Add(ref rb, o) + Vector512.Sum(s));
        }
    }

    /// <summary>Row r of the eight from <paramref name="wa"/> (rows n apart, each k floats past its aligned start): s_r = Σ over its vectors of W · x, one accumulator lane per column mod 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows8<TS>(ref float wa, int n, ref float rx,
        out Vector512<float> s0, out Vector512<float> s1, out Vector512<float> s2, out Vector512<float> s3,
        out Vector512<float> s4, out Vector512<float> s5, out Vector512<float> s6, out Vector512<float> s7)
        where TS : struct, IAlignShift
    {
        ref float w0 = ref wa;
        ref float w1 = ref Unsafe.Add(ref w0, n);
        ref float w2 = ref Unsafe.Add(ref w1, n);
        ref float w3 = ref Unsafe.Add(ref w2, n);
        ref float w4 = ref Unsafe.Add(ref w3, n);
        ref float w5 = ref Unsafe.Add(ref w4, n);
        ref float w6 = ref Unsafe.Add(ref w5, n);
        ref float w7 = ref Unsafe.Add(ref w6, n);
        s0 = default; s1 = default; s2 = default; s3 = default; s4 = default; s5 = default; s6 = default; s7 = default;
        // c_r: the aligned vector below the next one of row r (its low lanes, shifted out, belong to the row before)
        Vector512<float> c0 = Vector512.LoadUnsafe(ref w0), c1 = Vector512.LoadUnsafe(ref w1), c2 = Vector512.LoadUnsafe(ref w2), c3 = Vector512.LoadUnsafe(ref w3);
        Vector512<float> c4 = Vector512.LoadUnsafe(ref w4), c5 = Vector512.LoadUnsafe(ref w5), c6 = Vector512.LoadUnsafe(ref w6), c7 = Vector512.LoadUnsafe(ref w7);
        for (int i = 16; i <= n; i += 16)
        {
            Vector512<float> xv = Vector512.LoadUnsafe(ref rx, (nuint)(i - 16));
            Vector512<float> h = Vector512.LoadUnsafe(ref w0, (nuint)i); s0 = FusedMath.Fma512(TS.Align(h, c0), xv, s0); c0 = h;
            h = Vector512.LoadUnsafe(ref w1, (nuint)i); s1 = FusedMath.Fma512(TS.Align(h, c1), xv, s1); c1 = h;
            h = Vector512.LoadUnsafe(ref w2, (nuint)i); s2 = FusedMath.Fma512(TS.Align(h, c2), xv, s2); c2 = h;
            h = Vector512.LoadUnsafe(ref w3, (nuint)i); s3 = FusedMath.Fma512(TS.Align(h, c3), xv, s3); c3 = h;
            h = Vector512.LoadUnsafe(ref w4, (nuint)i); s4 = FusedMath.Fma512(TS.Align(h, c4), xv, s4); c4 = h;
            h = Vector512.LoadUnsafe(ref w5, (nuint)i); s5 = FusedMath.Fma512(TS.Align(h, c5), xv, s5); c5 = h;
            h = Vector512.LoadUnsafe(ref w6, (nuint)i); s6 = FusedMath.Fma512(TS.Align(h, c6), xv, s6); c6 = h;
            h = Vector512.LoadUnsafe(ref w7, (nuint)i); s7 = FusedMath.Fma512(TS.Align(h, c7), xv, s7); c7 = h;
        }
    }
}

/// <summary>A constant lane shift for <c>valignd</c> (its count is an immediate, so one struct per count).</summary>
internal interface IAlignShift
{
    /// <summary>Lanes k .. 15 of <paramref name="lo"/> followed by lanes 0 .. k − 1 of <paramref name="hi"/>: the sixteen floats that start k past lo's.</summary>
    static abstract Vector512<float> Align(Vector512<float> hi, Vector512<float> lo);
}

internal readonly struct Shift1 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 1).AsSingle(); }
internal readonly struct Shift2 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 2).AsSingle(); }
internal readonly struct Shift3 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 3).AsSingle(); }
internal readonly struct Shift4 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 4).AsSingle(); }
internal readonly struct Shift5 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 5).AsSingle(); }
internal readonly struct Shift6 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 6).AsSingle(); }
internal readonly struct Shift7 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 7).AsSingle(); }
internal readonly struct Shift8 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 8).AsSingle(); }
internal readonly struct Shift9 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 9).AsSingle(); }
internal readonly struct Shift10 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 10).AsSingle(); }
internal readonly struct Shift11 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 11).AsSingle(); }
internal readonly struct Shift12 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 12).AsSingle(); }
internal readonly struct Shift13 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 13).AsSingle(); }
internal readonly struct Shift14 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 14).AsSingle(); }
internal readonly struct Shift15 : IAlignShift { public static Vector512<float> Align(Vector512<float> hi, Vector512<float> lo) => Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 15).AsSingle(); }
