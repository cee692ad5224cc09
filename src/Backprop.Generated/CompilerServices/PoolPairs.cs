using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The common pooling windows, 2 × 2 and 1-D size 2 (window height 1 or 2, width 2), eight outputs at a time with AVX2:
/// a row's 16 inputs are split into its even and odd columns (two shuffles and a 64-bit permute), combined vertically and
/// horizontally, and a gradient is spread back by the inverse interleave. Max pooling compares in the reference's
/// order (x00, then x01, x10, x11, a later value winning only when strictly greater: <c>maxps(later, best)</c> is exactly
/// <c>later &gt; best ? later : best</c>), so values, the signs of zeros, NaNs and the first-maximum rule of the
/// gradient are those of <see cref="PoolKernels"/>' loops; a row's outputs past its last whole 8 are one more vector ending at
/// the row's end (overlapping, the overlapped outputs computed and written again with the same values), and rows of 4 to
/// 7 outputs (FashionCnn's 14-wide planes) run 4 at a time on Vector128 the same way, so no row runs a scalar loop whose
/// data-dependent branches mispredict on every new plane (which made a block of 32 samples 5–6 times slower per sample
/// than one sample whose branches the predictor had learned); average pooling sums in the same order, so the values are
/// the same too (bit for bit, but for the sign of a sum of negative zeros, which the loops start from +0). Columns and rows past the last whole window are written as 0 by the backward passes.
/// </summary>
internal static class PoolPairs
{
    /// <summary>Whether these kernels take the shape (else <see cref="PoolKernels"/>' loops do).</summary>
    public static bool Applies(in PoolShape shape) =>
        Avx2.IsSupported && shape.WindowWidth == 2 && (shape.WindowHeight == 1 || shape.WindowHeight == 2) && shape.OutWidth > 0 && shape.OutHeight > 0;

    public static void MaxForward(in PoolShape shape, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        int planes = samples * shape.Channels, w = shape.InWidth, inPlane = shape.InHeight * w, oh = shape.OutHeight, ow = shape.OutWidth, wh = shape.WindowHeight;
        ref float rx = ref MemoryMarshal.GetReference(input);
        ref float ry = ref MemoryMarshal.GetReference(output);
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                ref float r0 = ref Unsafe.Add(ref rx, p * inPlane + oy * wh * w);
                ref float r1 = ref Unsafe.Add(ref r0, wh == 2 ? w : 0);
                ref float y = ref Unsafe.Add(ref ry, (p * oh + oy) * ow);
                if (ow >= 8)
                {
                    // whole vectors of 8 outputs, then one more ending at the last output (overlapping, the same values)
                    int ox = 0;
                    for (; ox <= ow - 8; ox += 8) MaxForward8(ref r0, ref r1, wh, ref y, ox);
                    if (ox < ow) MaxForward8(ref r0, ref r1, wh, ref y, ow - 8);
                }
                else if (ow >= 4)
                {
                    MaxForward4(ref r0, ref r1, wh, ref y, 0);
                    if (ow > 4) MaxForward4(ref r0, ref r1, wh, ref y, ow - 4);
                }
                else
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        float m = Unsafe.Add(ref r0, 2 * ox);
                        float v = Unsafe.Add(ref r0, 2 * ox + 1);
                        if (v > m) m = v;
                        if (wh == 2)
                        {
                            v = Unsafe.Add(ref r1, 2 * ox);
                            if (v > m) m = v;
                            v = Unsafe.Add(ref r1, 2 * ox + 1);
                            if (v > m) m = v;
                        }
                        Unsafe.Add(ref y, ox) = m;
                    }
                }
            }
        }
    }

    /// <summary>Outputs ox to ox + 7 of one output row (rows <paramref name="r0"/> and, for windows of height 2, <paramref name="r1"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxForward8(ref float r0, ref float r1, int wh, ref float y, int ox)
    {
        var (e0, o0) = Split(ref Unsafe.Add(ref r0, 2 * ox));
        Vector256<float> m = Avx.Max(o0, e0);
        if (wh == 2)
        {
            var (e1, o1) = Split(ref Unsafe.Add(ref r1, 2 * ox));
            m = Avx.Max(o1, Avx.Max(e1, m));
        }
        Vector256.StoreUnsafe(m, ref y, (nuint)ox);
    }

    /// <summary><see cref="MaxForward8"/> for 4 outputs (rows of 4 to 7 outputs: FashionCnn's second pooling has 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxForward4(ref float r0, ref float r1, int wh, ref float y, int ox)
    {
        var (e0, o0) = Split4(ref Unsafe.Add(ref r0, 2 * ox));
        Vector128<float> m = Sse.Max(o0, e0);
        if (wh == 2)
        {
            var (e1, o1) = Split4(ref Unsafe.Add(ref r1, 2 * ox));
            m = Sse.Max(o1, Sse.Max(e1, m));
        }
        Vector128.StoreUnsafe(m, ref y, (nuint)ox);
    }

    public static void MaxBackward(in PoolShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        int planes = samples * shape.Channels, w = shape.InWidth, inPlane = shape.InHeight * w, oh = shape.OutHeight, ow = shape.OutWidth, wh = shape.WindowHeight;
        ref float rx = ref MemoryMarshal.GetReference(input);
        ref float rdy = ref MemoryMarshal.GetReference(outputGradient);
        ref float rdx = ref MemoryMarshal.GetReference(inputGradient);
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                int row = p * inPlane + oy * wh * w;
                ref float x0 = ref Unsafe.Add(ref rx, row);
                ref float x1 = ref Unsafe.Add(ref x0, wh == 2 ? w : 0);
                ref float d0 = ref Unsafe.Add(ref rdx, row);
                ref float d1 = ref Unsafe.Add(ref d0, wh == 2 ? w : 0);
                ref float g = ref Unsafe.Add(ref rdy, (p * oh + oy) * ow);
                if (ow >= 8)
                {
                    // as in MaxForward: whole vectors, then one ending at the last output (rewriting the same values)
                    int ox = 0;
                    for (; ox <= ow - 8; ox += 8) MaxBackward8(ref x0, ref x1, ref d0, ref d1, ref g, wh, ox);
                    if (ox < ow) MaxBackward8(ref x0, ref x1, ref d0, ref d1, ref g, wh, ow - 8);
                    continue;
                }
                if (ow >= 4)
                {
                    MaxBackward4(ref x0, ref x1, ref d0, ref d1, ref g, wh, 0);
                    if (ow > 4) MaxBackward4(ref x0, ref x1, ref d0, ref d1, ref g, wh, ow - 4);
                    continue;
                }
                for (int ox = 0; ox < ow; ox++)
                {
                    // the window's first maximum in row-major order gets the gradient, the rest 0
                    int best = 0;
                    float m = Unsafe.Add(ref x0, 2 * ox);
                    if (Unsafe.Add(ref x0, 2 * ox + 1) > m) { best = 1; m = Unsafe.Add(ref x0, 2 * ox + 1); }
                    if (wh == 2)
                    {
                        if (Unsafe.Add(ref x1, 2 * ox) > m) { best = 2; m = Unsafe.Add(ref x1, 2 * ox); }
                        if (Unsafe.Add(ref x1, 2 * ox + 1) > m) best = 3;
                        Unsafe.Add(ref d1, 2 * ox) = 0f;
                        Unsafe.Add(ref d1, 2 * ox + 1) = 0f;
                    }
                    Unsafe.Add(ref d0, 2 * ox) = 0f;
                    Unsafe.Add(ref d0, 2 * ox + 1) = 0f;
                    ref float target = ref best < 2 ? ref d0 : ref d1;
                    Unsafe.Add(ref target, 2 * ox + (best & 1)) = Unsafe.Add(ref g, ox);
                }
            }
        }
        ClearUncovered(shape, inputGradient, planes);
    }

    /// <summary>
    /// The gradients of outputs ox to ox + 7 of one output row to their windows' first maxima: c1, x01 beats x00; c2,
    /// x10 beats the best so far; c3, x11 does; the later winner takes the gradient from the earlier ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxBackward8(ref float x0, ref float x1, ref float d0, ref float d1, ref float g, int wh, int ox)
    {
        Vector256<float> gv = Vector256.LoadUnsafe(ref g, (nuint)ox);
        var (e0, o0) = Split(ref Unsafe.Add(ref x0, 2 * ox));
        Vector256<float> c1 = Avx.CompareGreaterThan(o0, e0);
        if (wh == 1)
        {
            Merge(Avx.AndNot(c1, gv), Avx.And(c1, gv), ref Unsafe.Add(ref d0, 2 * ox));
            return;
        }
        Vector256<float> m = Avx.Max(o0, e0);
        var (e1, o1) = Split(ref Unsafe.Add(ref x1, 2 * ox));
        Vector256<float> c2 = Avx.CompareGreaterThan(e1, m);
        m = Avx.Max(e1, m);
        Vector256<float> c3 = Avx.CompareGreaterThan(o1, m);
        Vector256<float> g11 = Avx.And(c3, gv), rest = Avx.AndNot(c3, gv);
        Vector256<float> g10 = Avx.And(c2, rest);
        rest = Avx.AndNot(c2, rest);
        Merge(Avx.AndNot(c1, rest), Avx.And(c1, rest), ref Unsafe.Add(ref d0, 2 * ox));
        Merge(g10, g11, ref Unsafe.Add(ref d1, 2 * ox));
    }

    /// <summary><see cref="MaxBackward8"/> for 4 outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxBackward4(ref float x0, ref float x1, ref float d0, ref float d1, ref float g, int wh, int ox)
    {
        Vector128<float> gv = Vector128.LoadUnsafe(ref g, (nuint)ox);
        var (e0, o0) = Split4(ref Unsafe.Add(ref x0, 2 * ox));
        Vector128<float> c1 = Sse.CompareGreaterThan(o0, e0);
        if (wh == 1)
        {
            Merge4(Sse.AndNot(c1, gv), Sse.And(c1, gv), ref Unsafe.Add(ref d0, 2 * ox));
            return;
        }
        Vector128<float> m = Sse.Max(o0, e0);
        var (e1, o1) = Split4(ref Unsafe.Add(ref x1, 2 * ox));
        Vector128<float> c2 = Sse.CompareGreaterThan(e1, m);
        m = Sse.Max(e1, m);
        Vector128<float> c3 = Sse.CompareGreaterThan(o1, m);
        Vector128<float> g11 = Sse.And(c3, gv), rest = Sse.AndNot(c3, gv);
        Vector128<float> g10 = Sse.And(c2, rest);
        rest = Sse.AndNot(c2, rest);
        Merge4(Sse.AndNot(c1, rest), Sse.And(c1, rest), ref Unsafe.Add(ref d0, 2 * ox));
        Merge4(g10, g11, ref Unsafe.Add(ref d1, 2 * ox));
    }

    public static void AverageForward(in PoolShape shape, ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        int planes = samples * shape.Channels, w = shape.InWidth, inPlane = shape.InHeight * w, oh = shape.OutHeight, ow = shape.OutWidth, wh = shape.WindowHeight;
        float scale = 1f / (wh * 2);
        Vector256<float> scaleV = Vector256.Create(scale);
        ref float rx = ref MemoryMarshal.GetReference(input);
        ref float ry = ref MemoryMarshal.GetReference(output);
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                ref float r0 = ref Unsafe.Add(ref rx, p * inPlane + oy * wh * w);
                ref float r1 = ref Unsafe.Add(ref r0, wh == 2 ? w : 0);
                ref float y = ref Unsafe.Add(ref ry, (p * oh + oy) * ow);
                int ox = 0;
                for (; ox <= ow - 8; ox += 8)
                {
                    // the loops' order: ((x00 + x01) + x10) + x11, then × 1 / area
                    var (e0, o0) = Split(ref Unsafe.Add(ref r0, 2 * ox));
                    Vector256<float> sum = e0 + o0;
                    if (wh == 2)
                    {
                        var (e1, o1) = Split(ref Unsafe.Add(ref r1, 2 * ox));
                        sum = sum + e1 + o1;
                    }
                    Vector256.StoreUnsafe(sum * scaleV, ref y, (nuint)ox);
                }
                for (; ox < ow; ox++)
                {
                    float sum = Unsafe.Add(ref r0, 2 * ox) + Unsafe.Add(ref r0, 2 * ox + 1);
                    if (wh == 2) sum = sum + Unsafe.Add(ref r1, 2 * ox) + Unsafe.Add(ref r1, 2 * ox + 1);
                    Unsafe.Add(ref y, ox) = sum * scale;
                }
            }
        }
    }

    public static void AverageBackward(in PoolShape shape, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int samples)
    {
        int planes = samples * shape.Channels, w = shape.InWidth, inPlane = shape.InHeight * w, oh = shape.OutHeight, ow = shape.OutWidth, wh = shape.WindowHeight;
        float scale = 1f / (wh * 2);
        Vector256<float> scaleV = Vector256.Create(scale);
        ref float rdy = ref MemoryMarshal.GetReference(outputGradient);
        ref float rdx = ref MemoryMarshal.GetReference(inputGradient);
        for (int p = 0; p < planes; p++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                ref float d0 = ref Unsafe.Add(ref rdx, p * inPlane + oy * wh * w);
                ref float d1 = ref Unsafe.Add(ref d0, wh == 2 ? w : 0);
                ref float g = ref Unsafe.Add(ref rdy, (p * oh + oy) * ow);
                int ox = 0;
                for (; ox <= ow - 8; ox += 8)
                {
                    Vector256<float> v = Vector256.LoadUnsafe(ref g, (nuint)ox) * scaleV;
                    Merge(v, v, ref Unsafe.Add(ref d0, 2 * ox));
                    if (wh == 2) Merge(v, v, ref Unsafe.Add(ref d1, 2 * ox));
                }
                for (; ox < ow; ox++)
                {
                    float v = Unsafe.Add(ref g, ox) * scale;
                    Unsafe.Add(ref d0, 2 * ox) = v;
                    Unsafe.Add(ref d0, 2 * ox + 1) = v;
                    Unsafe.Add(ref d1, 2 * ox) = v;
                    Unsafe.Add(ref d1, 2 * ox + 1) = v;
                }
            }
        }
        ClearUncovered(shape, inputGradient, planes);
    }

    /// <summary>Zeros the gradient of inputs in no window: the last column of an odd width, the last row of an odd height.</summary>
    private static void ClearUncovered(in PoolShape shape, Span<float> inputGradient, int planes)
    {
        int w = shape.InWidth, h = shape.InHeight, inPlane = h * w, coveredRows = shape.OutHeight * shape.WindowHeight, coveredColumns = shape.OutWidth * 2;
        if (coveredRows == h && coveredColumns == w) return;
        for (int p = 0; p < planes; p++)
        {
            Span<float> plane = inputGradient.Slice(p * inPlane, inPlane);
            if (coveredColumns < w)
            {
                for (int r = 0; r < coveredRows; r++) plane.Slice(r * w + coveredColumns, w - coveredColumns).Clear();
            }
            plane.Slice(coveredRows * w).Clear();
        }
    }

    /// <summary>16 consecutive floats as their even and their odd elements, each in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Split(ref float source)
    {
        Vector256<float> a = Vector256.LoadUnsafe(ref source), b = Vector256.LoadUnsafe(ref source, 8);
        // per 128-bit lane [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute 0, 2, 1, 3 puts them in order
        Vector256<float> even = Avx.Shuffle(a, b, 0b10_00_10_00), odd = Avx.Shuffle(a, b, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    /// <summary>The inverse of <see cref="Split"/>: even[i] to destination[2i], odd[i] to destination[2i + 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(Vector256<float> even, Vector256<float> odd, ref float destination)
    {
        Vector256<float> low = Avx.UnpackLow(even, odd), high = Avx.UnpackHigh(even, odd);
        Vector256.StoreUnsafe(Avx.Permute2x128(low, high, 0x20), ref destination);
        Vector256.StoreUnsafe(Avx.Permute2x128(low, high, 0x31), ref destination, 8);
    }

    /// <summary>8 consecutive floats as their even and their odd elements, each in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Even, Vector128<float> Odd) Split4(ref float source)
    {
        Vector128<float> a = Vector128.LoadUnsafe(ref source), b = Vector128.LoadUnsafe(ref source, 4);
        return (Sse.Shuffle(a, b, 0b10_00_10_00), Sse.Shuffle(a, b, 0b11_01_11_01));
    }

    /// <summary>The inverse of <see cref="Split4"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge4(Vector128<float> even, Vector128<float> odd, ref float destination)
    {
        Vector128.StoreUnsafe(Sse.UnpackLow(even, odd), ref destination);
        Vector128.StoreUnsafe(Sse.UnpackHigh(even, odd), ref destination, 4);
    }
}
