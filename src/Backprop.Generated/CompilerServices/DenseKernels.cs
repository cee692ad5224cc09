using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>Fused multiply-add on the vector widths the kernels use.</summary>
internal static class FusedMath
{
    /// <summary>a · b + c, fused when the CPU has FMA (it does wherever Vector512 is accelerated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma512(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;

    /// <summary>a · b + c, fused when the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma256(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
}

/// <summary>
/// The one-sample kernels of looped Dense layers (those with more than 64 weights): a matrix-vector product with the
/// activation fused (eight weight rows per pass share each load of x), and the backward pass of a layer in one sweep
/// over its weight rows (weight gradient and input gradient together), with a twin that applies the SGD step in the
/// same sweep. Vector512 where accelerated, else Vector256, else scalar loops; no bounds checks (refs and offsets), so
/// the caller passes spans of the stated lengths. Called by generated code; versioned with the generator (one package).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DenseKernels
{
    /// <summary>
    /// One sample through a Dense layer: y[o] = act(b[o] + Σ_i W[o, i] · x[i]) for o &lt; m, W [m × n] row-major;
    /// act: <typeparamref name="TAct"/> (tanh, sigmoid and softmax are applied by the caller, with <see cref="LinearActivation"/> here). With AVX-512 and rows of whole Vector512s, sixteen rows per pass reduced by one transposing add tree (<see cref="GemvRows16"/>); otherwise, and for the rows left, eight rows per pass over x (then four, then one):
    /// eight independent accumulator chains keep both FMA pipes busy, and each load of x feeds eight FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemv<TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        CheckLayer(weights.Length, m, n, x.Length);
        if (bias.Length < m) ThrowShort(nameof(bias), bias.Length, m);
        if (y.Length < m) ThrowShort(nameof(y), y.Length, m);
        if (n >= 256 && m >= 32 && (Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated))
        {
            GemvLongRows<TAct>(weights, bias, m, n, x, y);
            return;
        }
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int o = 0;
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated && n >= 16 && (n & 15) == 0)
        {
            // whole blocks of sixteen rows; the rest (m mod 16 rows) below, eight, four, then one at a time
            o = GemvRows16<TAct>(ref rw, ref MemoryMarshal.GetReference(bias), m, n, ref rx, ref MemoryMarshal.GetReference(y));
        }
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            o = GemvRows8And4<Width512, Vector512<float>, TAct>(ref rw, ref MemoryMarshal.GetReference(bias), o, m, n, ref rx, ref MemoryMarshal.GetReference(y));
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            o = GemvRows8And4<Width256, Vector256<float>, TAct>(ref rw, ref MemoryMarshal.GetReference(bias), o, m, n, ref rx, ref MemoryMarshal.GetReference(y));
        }
        for (; o < m; o++)
        {
            ref float wo = ref Unsafe.Add(ref rw, o * n);
            float z = 0f;
            int i = 0;
            if (Vector512.IsHardwareAccelerated && n >= 16)
            {
                Vector512<float> s = Vector512<float>.Zero;
                for (; i <= n - 16; i += 16) s = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)i), s);
                z = Vector512.Sum(s);
            }
            else if (Vector256.IsHardwareAccelerated && n >= 8)
            {
                Vector256<float> s = Vector256<float>.Zero;
                for (; i <= n - 8; i += 8) s = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)i), Vector256.LoadUnsafe(ref rx, (nuint)i), s);
                z = Vector256.Sum(s);
            }
            for (; i < n; i++) z += Unsafe.Add(ref wo, i) * Unsafe.Add(ref rx, i);
            y[o] = TAct.Apply(bias[o] + z);
        }
    }

    /// <summary>
    /// <see cref="Gemv"/>'s rows from <paramref name="o"/> eight per pass over x, then four, written once over the SIMD
    /// width: each row's products in one accumulator of the width, folded to four lanes
    /// (<see cref="ISimdWidth{TVec}.Fold128"/>), four rows summed at a time (<see cref="Sum4"/>), a scalar tail for
    /// columns past the last whole vector. Returns the first row left (fewer than four).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)] // too large to inline into Gemv: compiled on its own, then fully optimized on first call
    private static int GemvRows8And4<TW, TV, TAct>(ref float rw, ref float rb, int o, int m, int n, ref float rx, ref float ry)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TAct : struct, IFusedActivation
    {
        for (; o <= m - 8; o += 8)
        {
            ref float w0 = ref Unsafe.Add(ref rw, o * n);
            ref float w1 = ref Unsafe.Add(ref w0, n);
            ref float w2 = ref Unsafe.Add(ref w1, n);
            ref float w3 = ref Unsafe.Add(ref w2, n);
            ref float w4 = ref Unsafe.Add(ref w3, n);
            ref float w5 = ref Unsafe.Add(ref w4, n);
            ref float w6 = ref Unsafe.Add(ref w5, n);
            ref float w7 = ref Unsafe.Add(ref w6, n);
            TV s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            int i = 0;
            for (; i <= n - TW.Count; i += TW.Count)
            {
                TV xv = TW.Load(ref rx, (nuint)i);
                s0 = TW.Fma(TW.Load(ref w0, (nuint)i), xv, s0);
                s1 = TW.Fma(TW.Load(ref w1, (nuint)i), xv, s1);
                s2 = TW.Fma(TW.Load(ref w2, (nuint)i), xv, s2);
                s3 = TW.Fma(TW.Load(ref w3, (nuint)i), xv, s3);
                s4 = TW.Fma(TW.Load(ref w4, (nuint)i), xv, s4);
                s5 = TW.Fma(TW.Load(ref w5, (nuint)i), xv, s5);
                s6 = TW.Fma(TW.Load(ref w6, (nuint)i), xv, s6);
                s7 = TW.Fma(TW.Load(ref w7, (nuint)i), xv, s7);
            }
            // the row sums four at a time: fold each accumulator to 128 bits, then two rounds of pairwise adds
            Vector128<float> z0 = Sum4(TW.Fold128(s0), TW.Fold128(s1), TW.Fold128(s2), TW.Fold128(s3));
            Vector128<float> z1 = Sum4(TW.Fold128(s4), TW.Fold128(s5), TW.Fold128(s6), TW.Fold128(s7));
            if (i < n)
            {
                float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f, t4 = 0f, t5 = 0f, t6 = 0f, t7 = 0f;
                for (; i < n; i++)
                {
                    float xi = Unsafe.Add(ref rx, i);
                    t0 += Unsafe.Add(ref w0, i) * xi; t1 += Unsafe.Add(ref w1, i) * xi; t2 += Unsafe.Add(ref w2, i) * xi; t3 += Unsafe.Add(ref w3, i) * xi; t4 += Unsafe.Add(ref w4, i) * xi; t5 += Unsafe.Add(ref w5, i) * xi; t6 += Unsafe.Add(ref w6, i) * xi; t7 += Unsafe.Add(ref w7, i) * xi;
                }
                z0 += Vector128.Create(t0, t1, t2, t3);
                z1 += Vector128.Create(t4, t5, t6, t7);
            }
            z0 += Vector128.LoadUnsafe(ref Unsafe.Add(ref rb, o));
            z0 = TAct.Apply(z0);
            Vector128.StoreUnsafe(z0, ref Unsafe.Add(ref ry, o));
            z1 += Vector128.LoadUnsafe(ref Unsafe.Add(ref rb, o + 4));
            z1 = TAct.Apply(z1);
            Vector128.StoreUnsafe(z1, ref Unsafe.Add(ref ry, o + 4));
        }
        for (; o <= m - 4; o += 4)
        {
            ref float w0 = ref Unsafe.Add(ref rw, o * n);
            ref float w1 = ref Unsafe.Add(ref w0, n);
            ref float w2 = ref Unsafe.Add(ref w1, n);
            ref float w3 = ref Unsafe.Add(ref w2, n);
            TV s0 = default, s1 = default, s2 = default, s3 = default;
            int i = 0;
            for (; i <= n - TW.Count; i += TW.Count)
            {
                TV xv = TW.Load(ref rx, (nuint)i);
                s0 = TW.Fma(TW.Load(ref w0, (nuint)i), xv, s0);
                s1 = TW.Fma(TW.Load(ref w1, (nuint)i), xv, s1);
                s2 = TW.Fma(TW.Load(ref w2, (nuint)i), xv, s2);
                s3 = TW.Fma(TW.Load(ref w3, (nuint)i), xv, s3);
            }
            // the row sums four at a time: fold each accumulator to 128 bits, then two rounds of pairwise adds
            Vector128<float> z0 = Sum4(TW.Fold128(s0), TW.Fold128(s1), TW.Fold128(s2), TW.Fold128(s3));
            if (i < n)
            {
                float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
                for (; i < n; i++)
                {
                    float xi = Unsafe.Add(ref rx, i);
                    t0 += Unsafe.Add(ref w0, i) * xi; t1 += Unsafe.Add(ref w1, i) * xi; t2 += Unsafe.Add(ref w2, i) * xi; t3 += Unsafe.Add(ref w3, i) * xi;
                }
                z0 += Vector128.Create(t0, t1, t2, t3);
            }
            z0 += Vector128.LoadUnsafe(ref Unsafe.Add(ref rb, o));
            z0 = TAct.Apply(z0);
            Vector128.StoreUnsafe(z0, ref Unsafe.Add(ref ry, o));
        }
        return o;
    }

    /// <summary>
    /// The whole blocks of sixteen rows of <see cref="Gemv"/> when rows are a whole number of Vector512s (AVX-512);
    /// returns the rows done (m rounded down to a multiple of 16). Each row goes into an accumulator of its own (sixteen
    /// independent FMA chains, one load of x feeding sixteen FMAs), then one transposing add tree turns the sixteen
    /// accumulators into one vector of the sixteen row sums: 15 × (2 shuffles + 1 add) for 16 rows, where folding each
    /// row to a scalar costs 4 shuffles and 4 adds a row. The bias, the activation and the store are then one vector
    /// instruction each. (Blocks of fewer rows were slower this way than the eight-row fold: the tree costs the same for
    /// ten rows as for sixteen.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int GemvRows16<TAct>(ref float rw, ref float rb, int m, int n, ref float rx, ref float ry)
        where TAct : struct, IFusedActivation
    {
        int o = 0;
        for (; o <= m - 16; o += 16)
        {
            Vector512<float> z = Rows16(ref Unsafe.Add(ref rw, o * n), n, ref rx) + Vector512.LoadUnsafe(ref rb, (nuint)o);
            TAct.Apply(z).StoreUnsafe(ref ry, (nuint)o);
        }
        return o;
    }

    /// <summary>Lane j: Σ_i w[j · n + i] · x[i] for the sixteen rows of w from the first; n a multiple of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Rows16(ref float w, int n, ref float rx)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
        for (int i = 0; i < n; i += 16)
        {
            Vector512<float> xv = Vector512.LoadUnsafe(ref rx, (nuint)i);
            // p walks down the column block a row at a time (one register for sixteen rows)
            ref float p = ref Unsafe.Add(ref w, i);
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
        return Transpose16Sum(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
    }

    /// <summary>
    /// Lane j: the sum of the sixteen lanes of s_j. Four levels of pairs, each two shuffles and one add: 256-bit halves
    /// (lanes l and l + 8 of a row), 128-bit quarters (l and l + 4), 64-bit pairs (l and l + 2), then neighbours, so
    /// every row is summed ((l0 + l8) + (l4 + l12)) + ((l2 + l10) + (l6 + l14)) + the same from l1. The pairing puts
    /// row j in lane j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Transpose16Sum(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7,
        Vector512<float> s8, Vector512<float> s9, Vector512<float> s10, Vector512<float> s11, Vector512<float> s12, Vector512<float> s13, Vector512<float> s14, Vector512<float> s15)
    {
        // level 1: [a.q0 + a.q2, a.q1 + a.q3, b.q0 + b.q2, b.q1 + b.q3] (q: 128-bit quarters)
        Vector512<float> h0 = Halves(s0, s4), h1 = Halves(s8, s12), h2 = Halves(s1, s5), h3 = Halves(s9, s13);
        Vector512<float> h4 = Halves(s2, s6), h5 = Halves(s10, s14), h6 = Halves(s3, s7), h7 = Halves(s11, s15);
        // level 2: quarter q holds four partial sums of one row: rows (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15)
        Vector512<float> q0 = Quarters(h0, h1), q1 = Quarters(h2, h3), q2 = Quarters(h4, h5), q3 = Quarters(h6, h7);
        // level 3: in quarter q, [a(e0 + e2), a(e1 + e3), b(e0 + e2), b(e1 + e3)]
        Vector512<float> p0 = Avx512F.UnpackLow(q0.AsDouble(), q1.AsDouble()).AsSingle() + Avx512F.UnpackHigh(q0.AsDouble(), q1.AsDouble()).AsSingle();
        Vector512<float> p1 = Avx512F.UnpackLow(q2.AsDouble(), q3.AsDouble()).AsSingle() + Avx512F.UnpackHigh(q2.AsDouble(), q3.AsDouble()).AsSingle();
        // level 4: quarter q = rows 4q, 4q + 1, 4q + 2, 4q + 3
        return Avx512F.Shuffle(p0, p1, 0x88) + Avx512F.Shuffle(p0, p1, 0xDD);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<float> Halves(Vector512<float> a, Vector512<float> b) => Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<float> Quarters(Vector512<float> a, Vector512<float> b) => Avx512F.Shuffle4x128(a, b, 0x88) + Avx512F.Shuffle4x128(a, b, 0xDD);
    }

    /// <summary>(Σ a, Σ b, Σ c, Σ d): horizontal sums of four vectors in one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        if (Sse3.IsSupported)
        {
            return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a, b), Sse3.HorizontalAdd(c, d));
        }
        return Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
    }


    /// <summary>
    /// <see cref="Gemv"/> for long rows (n ≥ 256, m ≥ 32): one row at a time, so the weights are read as one sequential
    /// stream the prefetcher follows, into eight accumulators (eight vectors per step); one horizontal sum per row.
    /// The rows of a weight matrix are 64-byte aligned, so no load straddles two cache lines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvLongRows<TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        ref float ry = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            for (int o = 0; o < m; o++)
            {
                ref float wo = ref Unsafe.Add(ref rw, o * n);
                Vector512<float> a0 = Vector512<float>.Zero, a1 = Vector512<float>.Zero, a2 = Vector512<float>.Zero, a3 = Vector512<float>.Zero, a4 = Vector512<float>.Zero, a5 = Vector512<float>.Zero, a6 = Vector512<float>.Zero, a7 = Vector512<float>.Zero;
                int i = 0;
                for (; i <= n - 128; i += 128)
                {
                    a0 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)i), a0);
                    a1 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 16)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 16)), a1);
                    a2 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 32)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 32)), a2);
                    a3 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 48)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 48)), a3);
                    a4 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 64)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 64)), a4);
                    a5 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 80)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 80)), a5);
                    a6 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 96)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 96)), a6);
                    a7 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)(i + 112)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 112)), a7);
                }
                for (; i <= n - 16; i += 16) a0 = FusedMath.Fma512(Vector512.LoadUnsafe(ref wo, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)i), a0);
                float z = Vector512.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));
                for (; i < n; i++) z += Unsafe.Add(ref wo, i) * Unsafe.Add(ref rx, i);
                Unsafe.Add(ref ry, o) = TAct.Apply(Unsafe.Add(ref rb, o) + z);
            }
        }
        else
        {
            for (int o = 0; o < m; o++)
            {
                ref float wo = ref Unsafe.Add(ref rw, o * n);
                Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero, a4 = Vector256<float>.Zero, a5 = Vector256<float>.Zero, a6 = Vector256<float>.Zero, a7 = Vector256<float>.Zero;
                int i = 0;
                for (; i <= n - 64; i += 64)
                {
                    a0 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)i), Vector256.LoadUnsafe(ref rx, (nuint)i), a0);
                    a1 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 8)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 8)), a1);
                    a2 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 16)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 16)), a2);
                    a3 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 24)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 24)), a3);
                    a4 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 32)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 32)), a4);
                    a5 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 40)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 40)), a5);
                    a6 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 48)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 48)), a6);
                    a7 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)(i + 56)), Vector256.LoadUnsafe(ref rx, (nuint)(i + 56)), a7);
                }
                for (; i <= n - 8; i += 8) a0 = FusedMath.Fma256(Vector256.LoadUnsafe(ref wo, (nuint)i), Vector256.LoadUnsafe(ref rx, (nuint)i), a0);
                float z = Vector256.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));
                for (; i < n; i++) z += Unsafe.Add(ref wo, i) * Unsafe.Add(ref rx, i);
                Unsafe.Add(ref ry, o) = TAct.Apply(Unsafe.Add(ref rb, o) + z);
            }
        }
    }

    /// <summary>
    /// One sample back through a Dense layer in one sweep over its rows: gW[o, :] += dz[o] · x and, when dx is not empty,
    /// dx = Wᵀ · dz (overwritten). Four rows per sweep, so x and dx are loaded once per four rows; the last m mod 4 rows one
    /// at a time, in vectors too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardRows(ReadOnlySpan<float> weights, Span<float> gradW, ReadOnlySpan<float> dz, int m, int n, ReadOnlySpan<float> x, Span<float> dx)
    {
        CheckLayer(weights.Length, m, n, x.Length);
        if (gradW.Length < m * n) ThrowShort(nameof(gradW), gradW.Length, m * n);
        CheckBackward(dz.Length, m, n, dx);
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rg = ref MemoryMarshal.GetReference(gradW);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rdx = ref MemoryMarshal.GetReference(dx);
        bool input = !dx.IsEmpty;
        if (input) dx.Clear();
        int o = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16) o = BackwardRowsVectors<Width512, Vector512<float>>(ref rw, ref rg, dz, m, n, ref rx, ref rdx, input);
        else if (Vector256.IsHardwareAccelerated && n >= 8) o = BackwardRowsVectors<Width256, Vector256<float>>(ref rw, ref rg, dz, m, n, ref rx, ref rdx, input);
        for (; o < m; o++)
        {
            float d = dz[o];
            ref float wo = ref Unsafe.Add(ref rw, o * n);
            ref float go = ref Unsafe.Add(ref rg, o * n);
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref go, i) += d * Unsafe.Add(ref rx, i);
                if (input) Unsafe.Add(ref rdx, i) += d * Unsafe.Add(ref wo, i);
            }
        }
    }

    /// <summary>The rows of <see cref="BackwardRows"/> in vectors of one width: four rows per sweep, then one at a time. Returns m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRowsVectors<TW, TV>(ref float rw, ref float rg, ReadOnlySpan<float> dz, int m, int n, ref float rx, ref float rdx, bool input)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        int w = TW.Count;
        int o = 0;
        for (; o <= m - 4; o += 4)
        {
            float d0 = dz[o];
            float d1 = dz[o + 1];
            float d2 = dz[o + 2];
            float d3 = dz[o + 3];
            TV v0 = TW.Create(d0), v1 = TW.Create(d1), v2 = TW.Create(d2), v3 = TW.Create(d3);
            ref float w0 = ref Unsafe.Add(ref rw, o * n);
            ref float g0 = ref Unsafe.Add(ref rg, o * n);
            ref float w1 = ref Unsafe.Add(ref w0, n);
            ref float g1 = ref Unsafe.Add(ref g0, n);
            ref float w2 = ref Unsafe.Add(ref w1, n);
            ref float g2 = ref Unsafe.Add(ref g1, n);
            ref float w3 = ref Unsafe.Add(ref w2, n);
            ref float g3 = ref Unsafe.Add(ref g2, n);
            int i = 0;
            for (; i <= n - w; i += w)
            {
                TV xv = TW.Load(ref rx, (nuint)i);
                TW.Store(TW.Fma(v0, xv, TW.Load(ref g0, (nuint)i)), ref g0, (nuint)i);
                TW.Store(TW.Fma(v1, xv, TW.Load(ref g1, (nuint)i)), ref g1, (nuint)i);
                TW.Store(TW.Fma(v2, xv, TW.Load(ref g2, (nuint)i)), ref g2, (nuint)i);
                TW.Store(TW.Fma(v3, xv, TW.Load(ref g3, (nuint)i)), ref g3, (nuint)i);
                if (input)
                {
                    TV acc = TW.Load(ref rdx, (nuint)i);
                    acc = TW.Fma(v0, TW.Load(ref w0, (nuint)i), acc);
                    acc = TW.Fma(v1, TW.Load(ref w1, (nuint)i), acc);
                    acc = TW.Fma(v2, TW.Load(ref w2, (nuint)i), acc);
                    acc = TW.Fma(v3, TW.Load(ref w3, (nuint)i), acc);
                    TW.Store(acc, ref rdx, (nuint)i);
                }
            }
            for (; i < n; i++)
            {
                float xi = Unsafe.Add(ref rx, i);
                Unsafe.Add(ref g0, i) += d0 * xi; Unsafe.Add(ref g1, i) += d1 * xi; Unsafe.Add(ref g2, i) += d2 * xi; Unsafe.Add(ref g3, i) += d3 * xi;
                if (input) Unsafe.Add(ref rdx, i) += d0 * Unsafe.Add(ref w0, i) + d1 * Unsafe.Add(ref w1, i) + d2 * Unsafe.Add(ref w2, i) + d3 * Unsafe.Add(ref w3, i);
            }
        }
        // the last m mod 4 rows one at a time, still in vectors (as the four-row sweep rounds them: the same bits in
        // BackwardRows + Sgd.Step as in BackwardRowsSgd)
        for (; o < m; o++)
        {
            float d = dz[o];
            TV v = TW.Create(d);
            ref float wo = ref Unsafe.Add(ref rw, o * n);
            ref float go = ref Unsafe.Add(ref rg, o * n);
            int i = 0;
            for (; i <= n - w; i += w)
            {
                TV xv = TW.Load(ref rx, (nuint)i);
                TW.Store(TW.Fma(v, xv, TW.Load(ref go, (nuint)i)), ref go, (nuint)i);
                if (input) TW.Store(TW.Fma(v, TW.Load(ref wo, (nuint)i), TW.Load(ref rdx, (nuint)i)), ref rdx, (nuint)i);
            }
            for (; i < n; i++)
            {
                float xi = Unsafe.Add(ref rx, i);
                Unsafe.Add(ref go, i) += d * xi;
                if (input) Unsafe.Add(ref rdx, i) += d * Unsafe.Add(ref wo, i);
            }
        }
        return o;
    }

    /// <summary>
    /// b[o] −= learningRate · dz[o] for every o &lt; b.Length (the product, then the difference: rounded as the gradient
    /// and then <c>Sgd.Step</c> would be): a bias's SGD step in the fused train step, four lanes at a time. (dz was
    /// just stored four lanes at a time by the loss kernels; a wider load spanning two of those stores could not be
    /// forwarded from them and would wait for them to reach the cache.)
    /// </summary>
    public static void SgdBias(Span<float> bias, ReadOnlySpan<float> dz, float learningRate)
    {
        int n = bias.Length;
        if (dz.Length < n) ThrowShort(nameof(dz), dz.Length, n);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        ref float rd = ref MemoryMarshal.GetReference(dz);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> rate = Vector128.Create(learningRate);
            for (; i <= n - 4; i += 4)
            {
                (Vector128.LoadUnsafe(ref rb, (nuint)i) - rate * Vector128.LoadUnsafe(ref rd, (nuint)i)).StoreUnsafe(ref rb, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref rb, i) -= learningRate * Unsafe.Add(ref rd, i);
    }

    /// <summary>
    /// dz[j] = da[j] · f'(z[j]) from the activation a[j] = f(z[j]), for every j &lt; dz.Length: the chain rule through
    /// an elementwise activation (<typeparamref name="TDerivative"/>), eight lanes at a time.
    /// </summary>
    public static void ChainDerivative<TDerivative>(ReadOnlySpan<float> a, ReadOnlySpan<float> da, Span<float> dz)
        where TDerivative : struct, IActivationDerivative
    {
        int n = dz.Length;
        if (a.Length < n) ThrowShort(nameof(a), a.Length, n);
        if (da.Length < n) ThrowShort(nameof(da), da.Length, n);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rg = ref MemoryMarshal.GetReference(da);
        ref float rd = ref MemoryMarshal.GetReference(dz);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                TDerivative.Chain(Vector256.LoadUnsafe(ref rg, (nuint)i), Vector256.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref rd, i) = TDerivative.Chain(Unsafe.Add(ref rg, i), Unsafe.Add(ref ra, i));
    }

    /// <summary>A layer's sizes against its spans: m, n ≥ 0, weights [m × n], x of n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckLayer(int weights, int m, int n, int x)
    {
        if ((m | n) < 0 || (long)m * n > weights) ThrowLayer(weights, m, n);
        if (x < n) ThrowShort(nameof(x), x, n);
    }

    /// <summary>dz of m, and dx empty (no input gradient) or of n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckBackward(int dz, int m, int n, ReadOnlySpan<float> dx)
    {
        if (dz < m) ThrowShort(nameof(dz), dz, m);
        if (!dx.IsEmpty && dx.Length < n) ThrowShort(nameof(dx), dx.Length, n);
    }

    private static void ThrowLayer(int weights, int m, int n) =>
        throw new ArgumentException((m | n) < 0
            ? $"A layer's sizes must not be negative, but m = {m} and n = {n}."
            : $"weights must hold m × n = {m} × {n} = {(long)m * n} floats, but holds {weights}.", nameof(weights));

    private static void ThrowShort(string name, int length, int needed) =>
        throw new ArgumentException($"{name} must hold at least {needed} floats, but holds {length}.", name);

    /// <summary>
    /// <see cref="BackwardRows"/> with the SGD step fused in, for the train step: when dx is not empty, dx = Wᵀ · dz
    /// (overwritten) from each row before it changes; then W[o, :] -= lr · (dz[o] · x), rounded as the gradient and then the
    /// step would be. Four rows per sweep; the gradient is never stored. Without dx, and with every x[i] finite
    /// (<see cref="SkipsZeroRows"/>), the rows whose dz[o] is ±0 (inactive ReLU units) are skipped: Backward and then
    /// the step would leave them bit for bit as they are.
    /// </summary>
    public static void BackwardRowsSgd(Span<float> weights, ReadOnlySpan<float> dz, int m, int n, ReadOnlySpan<float> x, Span<float> dx, float learningRate)
    {
        CheckLayer(weights.Length, m, n, x.Length);
        CheckBackward(dz.Length, m, n, dx);
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rdx = ref MemoryMarshal.GetReference(dx);
        bool input = !dx.IsEmpty;
        if (!input && SkipsZeroRows(x, n, learningRate))
        {
            SgdNonzeroRows(ref rw, ref MemoryMarshal.GetReference(dz), m, n, ref rx, learningRate);
            return;
        }
        if (input && n > 0)
        {
            // short rows of whole vectors: dx in registers over every row (no store and reload of dx between sweeps)
            if (Vector512.IsHardwareAccelerated && n % 16 == 0 && n <= 64)
            {
                BackwardRowsSgdShort<Width512, Vector512<float>>(ref rw, ref MemoryMarshal.GetReference(dz), m, n, ref rx, ref rdx, learningRate);
                return;
            }
            if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && n % 8 == 0 && n <= 32)
            {
                BackwardRowsSgdShort<Width256, Vector256<float>>(ref rw, ref MemoryMarshal.GetReference(dz), m, n, ref rx, ref rdx, learningRate);
                return;
            }
        }
        if (input) dx.Clear();
        int o = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16) o = BackwardRowsSgdVectors<Width512, Vector512<float>>(ref rw, dz, m, n, ref rx, ref rdx, input, learningRate);
        else if (Vector256.IsHardwareAccelerated && n >= 8) o = BackwardRowsSgdVectors<Width256, Vector256<float>>(ref rw, dz, m, n, ref rx, ref rdx, input, learningRate);
        for (; o < m; o++)
        {
            float d = dz[o];
            ref float wo = ref Unsafe.Add(ref rw, o * n);
            for (int i = 0; i < n; i++)
            {
                if (input) Unsafe.Add(ref rdx, i) += d * Unsafe.Add(ref wo, i);
                Unsafe.Add(ref wo, i) -= learningRate * (d * Unsafe.Add(ref rx, i));
            }
        }
    }

    /// <summary>
    /// Whether <see cref="BackwardRowsSgd"/> without dx may leave the rows whose dz is ±0 untouched: when every x[i] is
    /// finite (of either sign) and the rate is finite and ≥ 0, such a row's gradient, as <c>Backward</c> accumulates it
    /// into a zeroed buffer, is +0 + (±0 · x[i]) = +0, and <c>Sgd.Step</c> then leaves w bit for bit (w − rate · (+0) is
    /// w, −0 and quiet NaNs included). Skipping the row gives exactly that, the bits of <c>ZeroGradients</c>,
    /// <c>Backward</c>, <c>Sgd.Step</c>; the fused formula written out, w − rate · (dz · x), would differ only where a
    /// weight is −0 and dz · x is −0 (−0 − (−0) is +0). A signalling NaN weight in a skipped row stays signalling (a NaN
    /// either way). An infinite or NaN x[i] (where 0 · x is NaN) or a negative, infinite or NaN rate keeps every row on
    /// the full formula. The test reads x once: with the sign bit cleared, the bit patterns of the finite floats are
    /// exactly those below +∞'s.
    /// </summary>
    private static bool SkipsZeroRows(ReadOnlySpan<float> x, int n, float learningRate)
    {
        const uint infinity = 0x7F800000u;
        if (BitConverter.SingleToUInt32Bits(learningRate) >= infinity) return false;
        ref uint rx = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(x));
        const uint magnitude = 0x7FFFFFFFu;
        uint high = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<uint> acc = Vector512<uint>.Zero;
            for (; i <= n - 16; i += 16) acc = Vector512.Max(acc, Vector512.LoadUnsafe(ref rx, (nuint)i) & Vector512.Create(magnitude));
            if (Vector512.GreaterThanOrEqualAny(acc, Vector512.Create(infinity))) return false;
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<uint> acc = Vector256<uint>.Zero;
            for (; i <= n - 8; i += 8) acc = Vector256.Max(acc, Vector256.LoadUnsafe(ref rx, (nuint)i) & Vector256.Create(magnitude));
            if (Vector256.GreaterThanOrEqualAny(acc, Vector256.Create(infinity))) return false;
        }
        for (; i < n; i++) high = Math.Max(high, Unsafe.Add(ref rx, i) & magnitude);
        return high < infinity;
    }

    /// <summary>
    /// <see cref="BackwardRowsSgd"/> without dx when <see cref="SkipsZeroRows"/> holds: W[o, :] −= lr · (dz[o] · x) for
    /// the rows whose dz[o] is not ±0 (the same operations on each element as the four-row sweep, so the same bits),
    /// found 64 at a time as a bit mask and visited lowest first, so the branch per row is the loop's own. The rows
    /// of inactive ReLU units (dz = ±0) are neither read nor written.
    /// </summary>
    private static void SgdNonzeroRows(ref float rw, ref float rdz, int m, int n, ref float rx, float learningRate)
    {
        if (Vector512.IsHardwareAccelerated && n % 16 == 0 && n <= 64 && n > 0)
        {
            SgdNonzeroShortRows<Width512, Vector512<float>>(ref rw, ref rdz, m, n, ref rx, learningRate);
            return;
        }
        if (!Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && n % 8 == 0 && n <= 32 && n > 0)
        {
            SgdNonzeroShortRows<Width256, Vector256<float>>(ref rw, ref rdz, m, n, ref rx, learningRate);
            return;
        }
        for (int r0 = 0; r0 < m; r0 += 64)
        {
            ulong rows = NonzeroMask(ref Unsafe.Add(ref rdz, r0), Math.Min(64, m - r0));
            while (rows != 0)
            {
                int o = r0 + System.Numerics.BitOperations.TrailingZeroCount(rows);
                rows &= rows - 1;
                float d = Unsafe.Add(ref rdz, o);
                ref float wo = ref Unsafe.Add(ref rw, (nint)o * n);
                int i = 0;
                if (Vector512.IsHardwareAccelerated && n >= 16) i = SgdRow<Width512, Vector512<float>>(ref wo, d, n, ref rx, learningRate);
                else if (Vector256.IsHardwareAccelerated && n >= 8) i = SgdRow<Width256, Vector256<float>>(ref wo, d, n, ref rx, learningRate);
                for (; i < n; i++) Unsafe.Add(ref wo, i) -= learningRate * (d * Unsafe.Add(ref rx, i));
            }
        }
    }

    /// <summary>The k (1 to 4) whole vectors of a short row x into registers; the ones past k are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadShortRow<TW, TV>(ref float rx, int k, out TV x0, out TV x1, out TV x2, out TV x3)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        int w = TW.Count;
        x0 = TW.Load(ref rx, 0);
        x1 = k > 1 ? TW.Load(ref rx, (nuint)w) : default;
        x2 = k > 2 ? TW.Load(ref rx, (nuint)(2 * w)) : default;
        x3 = k > 3 ? TW.Load(ref rx, (nuint)(3 * w)) : default;
    }

    /// <summary>
    /// <see cref="SgdNonzeroRows"/> for rows of one to four whole vectors (n = k · Count): x's k vectors and the rate
    /// stay in registers, and each row is k straight-line steps.
    /// </summary>
    private static void SgdNonzeroShortRows<TW, TV>(ref float rw, ref float rdz, int m, int n, ref float rx, float learningRate)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        int w = TW.Count, k = n / w;
        TV rate = TW.Create(learningRate);
        LoadShortRow<TW, TV>(ref rx, k, out TV x0, out TV x1, out TV x2, out TV x3);
        for (int r0 = 0; r0 < m; r0 += 64)
        {
            ulong rows = NonzeroMask(ref Unsafe.Add(ref rdz, r0), Math.Min(64, m - r0));
            while (rows != 0)
            {
                int o = r0 + System.Numerics.BitOperations.TrailingZeroCount(rows);
                rows &= rows - 1;
                TV v = TW.Create(Unsafe.Add(ref rdz, o));
                ref float wo = ref Unsafe.Add(ref rw, (nint)o * n);
                TW.Store(TW.SgdStep(TW.Load(ref wo, 0), rate, v, x0), ref wo, 0);
                if (k > 1) TW.Store(TW.SgdStep(TW.Load(ref wo, (nuint)w), rate, v, x1), ref wo, (nuint)w);
                if (k > 2) TW.Store(TW.SgdStep(TW.Load(ref wo, (nuint)(2 * w)), rate, v, x2), ref wo, (nuint)(2 * w));
                if (k > 3) TW.Store(TW.SgdStep(TW.Load(ref wo, (nuint)(3 * w)), rate, v, x3), ref wo, (nuint)(3 * w));
            }
        }
    }

    /// <summary>One row's SGD step over its whole vectors, two at a time; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SgdRow<TW, TV>(ref float wo, float d, int n, ref float rx, float learningRate)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        TV v = TW.Create(d), rate = TW.Create(learningRate);
        int w = TW.Count, i = 0;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            TV a = TW.SgdStep(TW.Load(ref wo, (nuint)i), rate, v, TW.Load(ref rx, (nuint)i));
            TV b = TW.SgdStep(TW.Load(ref wo, (nuint)(i + w)), rate, v, TW.Load(ref rx, (nuint)(i + w)));
            TW.Store(a, ref wo, (nuint)i);
            TW.Store(b, ref wo, (nuint)(i + w));
        }
        if (i <= n - w)
        {
            TW.Store(TW.SgdStep(TW.Load(ref wo, (nuint)i), rate, v, TW.Load(ref rx, (nuint)i)), ref wo, (nuint)i);
            i += w;
        }
        return i;
    }

    /// <summary>Bit j set when d[j] is not ±0 (its bits with the sign cleared are not all zero), for j &lt; count ≤ 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NonzeroMask(ref float d, int count)
    {
        ref int rd = ref Unsafe.As<float, int>(ref d);
        ulong mask = 0;
        int j = 0;
        // eight at a time even with AVX-512: dz comes from ChainDerivative's eight-lane stores, and a load that spans
        // two stores cannot be forwarded from them
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= count - 8; j += 8) mask |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref rd, (nuint)j) & Vector256.Create(int.MaxValue), Vector256<int>.Zero)).ExtractMostSignificantBits() << j;
        }
        for (; j < count; j++)
        {
            int bits = Unsafe.Add(ref rd, j) & int.MaxValue;
            mask |= (ulong)((uint)(bits | -bits) >> 31) << j; // 1 unless bits == 0
        }
        return mask;
    }

    /// <summary>
    /// <see cref="BackwardRowsSgd"/> with dx when a row is one to four whole vectors (n = k · Count): dx's k vectors stay
    /// in registers while the rows go by in order, so each lane of dx is the chain fma(dz[m−1], W[m−1, i], … fma(dz[0],
    /// W[0, i], +0)) that the four-row sweep computes through memory (the same bits), and the chain does not wait on
    /// a store and a reload between sweeps. Each row's old weights are loaded once, for dx and for their step.
    /// </summary>
    private static void BackwardRowsSgdShort<TW, TV>(ref float rw, ref float rdz, int m, int n, ref float rx, ref float rdx, float learningRate)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        int w = TW.Count, k = n / w;
        TV rate = TW.Create(learningRate);
        LoadShortRow<TW, TV>(ref rx, k, out TV x0, out TV x1, out TV x2, out TV x3);
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (int o = 0; o < m; o++)
        {
            TV v = TW.Create(Unsafe.Add(ref rdz, o));
            ref float wo = ref Unsafe.Add(ref rw, (nint)o * n);
            TV o0 = TW.Load(ref wo, 0);
            a0 = TW.Fma(v, o0, a0);
            TW.Store(TW.SgdStep(o0, rate, v, x0), ref wo, 0);
            if (k > 1)
            {
                TV o1 = TW.Load(ref wo, (nuint)w);
                a1 = TW.Fma(v, o1, a1);
                TW.Store(TW.SgdStep(o1, rate, v, x1), ref wo, (nuint)w);
            }
            if (k > 2)
            {
                TV o2 = TW.Load(ref wo, (nuint)(2 * w));
                a2 = TW.Fma(v, o2, a2);
                TW.Store(TW.SgdStep(o2, rate, v, x2), ref wo, (nuint)(2 * w));
            }
            if (k > 3)
            {
                TV o3 = TW.Load(ref wo, (nuint)(3 * w));
                a3 = TW.Fma(v, o3, a3);
                TW.Store(TW.SgdStep(o3, rate, v, x3), ref wo, (nuint)(3 * w));
            }
        }
        TW.Store(a0, ref rdx, 0);
        if (k > 1) TW.Store(a1, ref rdx, (nuint)w);
        if (k > 2) TW.Store(a2, ref rdx, (nuint)(2 * w));
        if (k > 3) TW.Store(a3, ref rdx, (nuint)(3 * w));
    }

    /// <summary>The rows of <see cref="BackwardRowsSgd"/> in vectors of one width: four rows per sweep, then one at a time. Returns m.</summary>
    private static int BackwardRowsSgdVectors<TW, TV>(ref float rw, ReadOnlySpan<float> dz, int m, int n, ref float rx, ref float rdx, bool input, float learningRate)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        int w = TW.Count;
        TV rate = TW.Create(learningRate);
        int o = 0;
        for (; o <= m - 4; o += 4)
        {
            float d0 = dz[o];
            float d1 = dz[o + 1];
            float d2 = dz[o + 2];
            float d3 = dz[o + 3];
            TV v0 = TW.Create(d0), v1 = TW.Create(d1), v2 = TW.Create(d2), v3 = TW.Create(d3);
            ref float w0 = ref Unsafe.Add(ref rw, o * n);
            ref float w1 = ref Unsafe.Add(ref w0, n);
            ref float w2 = ref Unsafe.Add(ref w1, n);
            ref float w3 = ref Unsafe.Add(ref w2, n);
            int i = 0;
            for (; i <= n - w; i += w)
            {
                TV xv = TW.Load(ref rx, (nuint)i);
                // the old weights, loaded once: for dx first, then updated
                TV o0 = TW.Load(ref w0, (nuint)i);
                TV o1 = TW.Load(ref w1, (nuint)i);
                TV o2 = TW.Load(ref w2, (nuint)i);
                TV o3 = TW.Load(ref w3, (nuint)i);
                if (input)
                {
                    TV acc = TW.Load(ref rdx, (nuint)i);
                    acc = TW.Fma(v0, o0, acc);
                    acc = TW.Fma(v1, o1, acc);
                    acc = TW.Fma(v2, o2, acc);
                    acc = TW.Fma(v3, o3, acc);
                    TW.Store(acc, ref rdx, (nuint)i);
                }
                TW.Store(TW.SgdStep(o0, rate, v0, xv), ref w0, (nuint)i);
                TW.Store(TW.SgdStep(o1, rate, v1, xv), ref w1, (nuint)i);
                TW.Store(TW.SgdStep(o2, rate, v2, xv), ref w2, (nuint)i);
                TW.Store(TW.SgdStep(o3, rate, v3, xv), ref w3, (nuint)i);
            }
            for (; i < n; i++)
            {
                float xi = Unsafe.Add(ref rx, i);
                if (input) Unsafe.Add(ref rdx, i) += d0 * Unsafe.Add(ref w0, i) + d1 * Unsafe.Add(ref w1, i) + d2 * Unsafe.Add(ref w2, i) + d3 * Unsafe.Add(ref w3, i);
                Unsafe.Add(ref w0, i) -= learningRate * (d0 * xi); Unsafe.Add(ref w1, i) -= learningRate * (d1 * xi); Unsafe.Add(ref w2, i) -= learningRate * (d2 * xi); Unsafe.Add(ref w3, i) -= learningRate * (d3 * xi);
            }
        }
        // the last m mod 4 rows one at a time, still in vectors (as the four-row sweep rounds them: the same bits as
        // BackwardRows + Sgd.Step)
        for (; o < m; o++)
        {
            float d = dz[o];
            TV v = TW.Create(d);
            ref float wo = ref Unsafe.Add(ref rw, o * n);
            int i = 0;
            for (; i <= n - w; i += w)
            {
                TV xv = TW.Load(ref rx, (nuint)i);
                TV old = TW.Load(ref wo, (nuint)i);
                if (input) TW.Store(TW.Fma(v, old, TW.Load(ref rdx, (nuint)i)), ref rdx, (nuint)i);
                TW.Store(TW.SgdStep(old, rate, v, xv), ref wo, (nuint)i);
            }
            for (; i < n; i++)
            {
                float xi = Unsafe.Add(ref rx, i);
                if (input) Unsafe.Add(ref rdx, i) += d * Unsafe.Add(ref wo, i);
                Unsafe.Add(ref wo, i) -= learningRate * (d * xi);
            }
        }
        return o;
    }

    /// <summary>Σ_i a[i] · b[i] over equal-length spans (two vector accumulators, then the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        int n = a.Length;
        int i = 0;
        float sum = 0f;
        if (System.Numerics.Vector.IsHardwareAccelerated && n >= System.Numerics.Vector<float>.Count)
        {
            int width = System.Numerics.Vector<float>.Count;
            System.Numerics.Vector<float> s0 = System.Numerics.Vector<float>.Zero;
            System.Numerics.Vector<float> s1 = System.Numerics.Vector<float>.Zero;
            for (; i <= n - 2 * width; i += 2 * width)
            {
                s0 += System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)i) * System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)i);
                s1 += System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)(i + width)) * System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)(i + width));
            }
            for (; i <= n - width; i += width)
            {
                s0 += System.Numerics.Vector.LoadUnsafe(ref ra, (nuint)i) * System.Numerics.Vector.LoadUnsafe(ref rb, (nuint)i);
            }
            sum = System.Numerics.Vector.Sum(s0 + s1);
        }
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        }
        return sum;
    }

    /// <summary>y[i] += alpha · x[i] over equal-length spans (the length of <paramref name="y"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<float> y, float alpha, ReadOnlySpan<float> x)
    {
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int n = y.Length;
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && n >= System.Numerics.Vector<float>.Count)
        {
            int width = System.Numerics.Vector<float>.Count;
            System.Numerics.Vector<float> scale = new System.Numerics.Vector<float>(alpha);
            for (; i <= n - width; i += width)
            {
                System.Numerics.Vector<float> sum = System.Numerics.Vector.LoadUnsafe(ref ry, (nuint)i) + scale * System.Numerics.Vector.LoadUnsafe(ref rx, (nuint)i);
                System.Numerics.Vector.StoreUnsafe(sum, ref ry, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref ry, i) += alpha * Unsafe.Add(ref rx, i);
        }
    }
}
