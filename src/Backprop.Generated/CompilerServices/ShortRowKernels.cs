using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The one-sample matrix-vector product of a Dense layer with short rows (a whole number of sixteens, as the digits
/// network's 64 and 32): y[o] = act(b[o] + Σ_i W[o, i] · x[i]) for o &lt; m, W [m × n] row-major, with one summation
/// order on every SIMD path. For generated code; the generator does not call it yet: on AVX-512 it runs the same
/// instructions as <see cref="DenseKernels.Gemv{TAct}"/> for whole blocks of sixteen rows, is slower for a partial block
/// (digits' 10 × 32 layer: 22 to 24 ns against 17), and a digits TrainStep calling it for layer 0 measured 325 to 345 ns
/// against 285 to 290 with <c>DenseKernels.Gemv</c>, cause not found (benchmarks/README.md, "The short-row product").
/// </summary>
/// <remarks>
/// <para>
/// One summation order on every path, so the same bits with Vector512, with Vector256 and with no SIMD at all: each row
/// has sixteen lane partial sums, lane l the fused multiply-adds of its elements i ≡ l (mod 16) in the order of i,
/// starting from zero; the row's sum is ((l0 + l8) + (l4 + l12)) + ((l2 + l10) + (l6 + l14)) + the same from l1, then
/// b[o] is added and the activation applied. Every step is a correctly rounded operation, so the vector paths and the
/// scalar loop (<see cref="Reference{TAct}"/>, which is the definition) agree bit for bit.
/// </para>
/// <para>
/// The vector paths never fold a row to a scalar: a block of rows (sixteen with Vector512, eight with Vector256) keeps
/// sixteen accumulators (one vector a row, or two half rows), and one transposing add tree
/// (<see cref="ISimdWidth{TVec}.SumRows"/>) turns them into one vector of row sums, so the bias, the activation and the
/// store are one instruction each. Per-row horizontal sums cost about as much as the row's multiply-adds at n = 64.
/// The last m mod 16 (or 8) rows are one more block with the missing rows skipped. Rows whose length is not a multiple
/// of 16 take the scalar loop on every machine (correct, slower).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ShortRowKernels
{
    /// <summary>
    /// y[o] = act(b[o] + Σ_i W[o, i] · x[i]) for o &lt; m in the order of the class remarks. The caller passes spans of
    /// at least m · n, m, n and m floats (not checked: generated code passes its own slices).
    /// </summary>
    public static void Gemv<TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        if ((n & 15) == 0 && n > 0)
        {
            if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
            {
                // The whole blocks through DenseKernels' sixteen-row kernel: the same operations in the same order as
                // Block<Width512> (the same bits), and measured faster inside a TrainStep (its code is ~20 % tighter).
                int done = DenseKernels.GemvRows16<TAct>(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(bias), m, n, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y));
                Rows<Width512, Vector512<float>, TAct>(weights, bias, m, n, x, y, done);
                return;
            }
            if (Avx.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated)
            {
                Rows<Width256, Vector256<float>, TAct>(weights, bias, m, n, x, y, 0);
                return;
            }
        }
        Reference<TAct>(weights, bias, m, n, x, y);
    }

    /// <summary>
    /// The definition of the order, one scalar fused multiply-add at a time (<see cref="MathF.FusedMultiplyAdd"/> is
    /// correctly rounded with or without FMA hardware): the path without SIMD, and the reference the tests hold the
    /// vector paths to.
    /// </summary>
    internal static void Reference<TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y)
        where TAct : struct, IFusedActivation
    {
        Span<float> l = stackalloc float[16];
        for (int o = 0; o < m; o++)
        {
            l.Clear();
            ReadOnlySpan<float> row = weights.Slice(o * n, n);
            for (int i = 0; i < n; i++)
            {
                l[i & 15] = MathF.FusedMultiplyAdd(row[i], x[i], l[i & 15]);
            }
            float e0 = (l[0] + l[8]) + (l[4] + l[12]);
            float e1 = (l[1] + l[9]) + (l[5] + l[13]);
            float e2 = (l[2] + l[10]) + (l[6] + l[14]);
            float e3 = (l[3] + l[11]) + (l[7] + l[15]);
            y[o] = TAct.Apply(bias[o] + ((e0 + e2) + (e1 + e3)));
        }
    }

    /// <summary>The vector path of one width from row <paramref name="start"/> on (a multiple of <c>TW.Count</c>); n a multiple of 16.</summary>
    internal static void Rows<TW, TV, TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, int n, ReadOnlySpan<float> x, Span<float> y, int start)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
        where TAct : struct, IFusedActivation
    {
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int rows = TW.Count;
        int o = start;
        for (; o <= m - rows; o += rows)
        {
            TV z = TW.Add(Block<TW, TV>(ref Unsafe.Add(ref rw, o * n), n, TW.Count, ref rx), TW.Load(ref rb, (nuint)o));
            TW.Store(TW.Activate<TAct>(z), ref ry, (nuint)o);
        }
        if (o < m)
        {
            // The rows left, as one block with the rows past m skipped; bias, activation and store four lanes at a time
            // (the groups a softmax or the next layer loads, so each load is forwarded from one store), then one by one.
            Span<float> sums = stackalloc float[16];
            ref float rs = ref MemoryMarshal.GetReference(sums);
            TW.Store(PartialBlock<TW, TV>(ref Unsafe.Add(ref rw, o * n), n, m - o, ref rx), ref rs, 0);
            int j = 0;
            for (; j <= m - o - 4; j += 4)
            {
                Vector128<float> z = Vector128.LoadUnsafe(ref rs, (nuint)j) + Vector128.LoadUnsafe(ref rb, (nuint)(o + j));
                TAct.Apply(z).StoreUnsafe(ref ry, (nuint)(o + j));
            }
            for (; o + j < m; j++)
            {
                Unsafe.Add(ref ry, o + j) = TAct.Apply(Unsafe.Add(ref rb, o + j) + Unsafe.Add(ref rs, j));
            }
        }
    }

    /// <summary>
    /// <see cref="Block{TW, TV}"/> for the last <paramref name="rows"/> &lt; <c>TW.Count</c> rows: each accumulator's
    /// row test once, then its multiply-adds over the row (the same chain in the same order, so the same bits).
    /// </summary>
    private static TV PartialBlock<TW, TV>(ref float w, int n, int rows, ref float rx)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        TV a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        int last = TW.Count == 16 ? rows : 2 * rows; // accumulators in use
        ref float p = ref w;
        a0 = Chain<TW, TV>(ref p, n, ref rx, 0);
        if (1 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(1, n)); a1 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(1)); }
        if (2 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(2, n)); a2 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(2)); }
        if (3 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(3, n)); a3 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(3)); }
        if (4 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(4, n)); a4 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(4)); }
        if (5 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(5, n)); a5 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(5)); }
        if (6 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(6, n)); a6 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(6)); }
        if (7 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(7, n)); a7 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(7)); }
        if (8 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(8, n)); a8 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(8)); }
        if (9 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(9, n)); a9 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(9)); }
        if (10 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(10, n)); a10 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(10)); }
        if (11 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(11, n)); a11 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(11)); }
        if (12 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(12, n)); a12 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(12)); }
        if (13 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(13, n)); a13 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(13)); }
        if (14 < last) { p = ref Unsafe.Add(ref p, Step<TW, TV>(14, n)); a14 = Chain<TW, TV>(ref p, n, ref rx, Half<TW, TV>(14)); }
        // the last accumulator is in use only with 16 rows (Vector512) or 8 (Vector256): never in a partial block
        return TW.SumRows(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
    }

    /// <summary>One accumulator's chain: Σ over the sixteens of a row (from p, whose x slice starts at <paramref name="half"/>) of w · x, fused, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Chain<TW, TV>(ref float p, int n, ref float rx, int half)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        TV a = TW.Fma(TW.Load(ref p, 0), TW.Load(ref rx, (nuint)half), default);
        for (int i = 16; i < n; i += 16)
        {
            a = TW.Fma(TW.Load(ref p, (nuint)i), TW.Load(ref rx, (nuint)(i + half)), a);
        }
        return a;
    }

    /// <summary>Where in each sixteen of x accumulator q's slice starts: 0, or 8 for the second half of a row (Vector256).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Half<TW, TV>(int q)
        where TW : struct, ISimdWidth<TV>
        where TV : struct =>
        TW.Count == 16 ? 0 : 8 * (q & 1);

    /// <summary>
    /// The row sums of the first <paramref name="rows"/> rows of w (row stride n, n a multiple of 16; rows ≤ the
    /// block's <c>TW.Count</c>), lane j = row j. Accumulator q holds row q (16 floats a vector) or half q mod 2 of row
    /// q / 2 (8 floats a vector); a pointer walks down the column block from one accumulator's slice to the next.
    /// With <paramref name="rows"/> a constant (the whole blocks) every row test folds away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Block<TW, TV>(ref float w, int n, int rows, ref float rx)
        where TW : struct, ISimdWidth<TV>
        where TV : struct
    {
        TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        TV a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (int i = 0; i < n; i += 16)
        {
            TV x0 = TW.Load(ref rx, (nuint)i);
            TV x1 = TW.Count == 16 ? x0 : TW.Load(ref rx, (nuint)(i + 8));
            ref float p = ref Unsafe.Add(ref w, i);
            a0 = TW.Fma(TW.Load(ref p, 0), x0, a0);
            if (Has<TW, TV>(1, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(1, n)); a1 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(1, x0, x1), a1); }
            if (Has<TW, TV>(2, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(2, n)); a2 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(2, x0, x1), a2); }
            if (Has<TW, TV>(3, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(3, n)); a3 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(3, x0, x1), a3); }
            if (Has<TW, TV>(4, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(4, n)); a4 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(4, x0, x1), a4); }
            if (Has<TW, TV>(5, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(5, n)); a5 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(5, x0, x1), a5); }
            if (Has<TW, TV>(6, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(6, n)); a6 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(6, x0, x1), a6); }
            if (Has<TW, TV>(7, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(7, n)); a7 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(7, x0, x1), a7); }
            if (Has<TW, TV>(8, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(8, n)); a8 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(8, x0, x1), a8); }
            if (Has<TW, TV>(9, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(9, n)); a9 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(9, x0, x1), a9); }
            if (Has<TW, TV>(10, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(10, n)); a10 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(10, x0, x1), a10); }
            if (Has<TW, TV>(11, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(11, n)); a11 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(11, x0, x1), a11); }
            if (Has<TW, TV>(12, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(12, n)); a12 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(12, x0, x1), a12); }
            if (Has<TW, TV>(13, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(13, n)); a13 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(13, x0, x1), a13); }
            if (Has<TW, TV>(14, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(14, n)); a14 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(14, x0, x1), a14); }
            if (Has<TW, TV>(15, rows)) { p = ref Unsafe.Add(ref p, Step<TW, TV>(15, n)); a15 = TW.Fma(TW.Load(ref p, 0), X<TW, TV>(15, x0, x1), a15); }
        }
        return TW.SumRows(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
    }

    /// <summary>Whether accumulator q belongs to one of the first <paramref name="rows"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Has<TW, TV>(int q, int rows)
        where TW : struct, ISimdWidth<TV>
        where TV : struct =>
        (TW.Count == 16 ? q : q >> 1) < rows;

    /// <summary>Floats from accumulator q − 1's slice to accumulator q's: the next row, or the second half of the same row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Step<TW, TV>(int q, int n)
        where TW : struct, ISimdWidth<TV>
        where TV : struct =>
        TW.Count == 16 ? n : (q & 1) == 1 ? 8 : n - 8;

    /// <summary>The slice of x accumulator q multiplies: the whole sixteen, or their first or second half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV X<TW, TV>(int q, TV x0, TV x1)
        where TW : struct, ISimdWidth<TV>
        where TV : struct =>
        TW.Count == 16 || (q & 1) == 0 ? x0 : x1;
}
