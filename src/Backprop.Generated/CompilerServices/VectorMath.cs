using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The exponential and hyperbolic tangent of four floats at once, for the softmax (<see cref="Softmax"/>) and Tanh layers
/// of generated Dense networks: Cephes' expf and tanhf (S. L. Moshier) on <see cref="Vector128{T}"/>, each within 1 ulp of the correctly
/// rounded value (VectorMathTests sweeps every binade against double precision). Multiplies, adds and fused
/// multiply-adds, each correctly rounded (the FMA instruction, or in software without one), so every machine gives the
/// same bits, with or without SIMD hardware. Four scalar <see cref="MathF.Tanh"/>
/// calls cost ~40 ns and ten <see cref="MathF.Exp"/> ~28 ns; a call here on four values a few. Tanh also comes on
/// <see cref="Vector256{T}"/>, eight samples at a time for <see cref="LaneKernels"/>, lane for lane the same operations
/// and bits (the coefficients are shared constants). Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorMath
{
    // Cephes' tanhf: the odd polynomial for |x| < 0.625 (highest power first), and the switch point
    private const float TanhP0 = -5.70498872745E-3f, TanhP1 = 2.06390887954E-2f, TanhP2 = -5.37397155531E-2f;
    private const float TanhP3 = 1.33314422036E-1f, TanhP4 = -3.33332819422E-1f, TanhSmall = 0.625f, TanhCap = 20f;

    // Cephes' expf: log2(e), ln 2 in two parts (exact reduction), the polynomial coefficients c0..c5
    private const float Log2E = 1.44269504088896341f, Ln2Hi = -0.693359375f, Ln2Lo = 2.12194440e-4f;
    private const float ExpC0 = 5.0000001201E-1f, ExpC1 = 1.6666665459E-1f, ExpC2 = 4.1665795894E-2f;
    private const float ExpC3 = 8.3334519073E-3f, ExpC4 = 1.3981999507E-3f, ExpC5 = 1.9875691500E-4f;

    /// <summary>tanh(x) lane by lane: NaN stays NaN, ±∞ gives ±1, −0 stays −0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> ax = Vector128.Abs(x);

        // tanh is odd: work on |x|, then copy the sign of x on (which keeps −0 and the sign of tiny values)
        // |x| < 0.625: |x| + |x|³ P(x²), Cephes' odd polynomial (cancellation-free near 0)
        Vector128<float> z = ax * ax;
        Vector128<float> p = Vector128.Create(TanhP0);
        p = p * z + Vector128.Create(TanhP1);
        p = p * z + Vector128.Create(TanhP2);
        p = p * z + Vector128.Create(TanhP3);
        p = p * z + Vector128.Create(TanhP4);
        Vector128<float> small = p * z * ax + ax;

        // |x| ≥ 0.625: 1 − 2 / (e^(2|x|) + 1); 2|x| capped at 20, where the result is 1
        Vector128<float> e = ExpInRange(Vector128.Min(ax + ax, Vector128.Create(TanhCap)));
        Vector128<float> large = Vector128<float>.One - Vector128.Create(2f) / (e + Vector128<float>.One);

        Vector128<float> result = Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(TanhSmall)), small, large);
        result = Vector128.ConditionalSelect(Vector128.Create(-0f), x, result);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
    }

    /// <summary>e^x lane by lane: +∞ above 88.72, 0 below −103.97 (denormals in between), NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        Vector128<float> result = ExpInRange(Vector128.Min(Vector128.Max(x, Vector128.Create(-104f)), Vector128.Create(89f)));
        result = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(88.7228394f)), Vector128.Create(float.PositiveInfinity), result);
        result = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(-103.972084f)), Vector128<float>.Zero, result);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
    }

    /// <summary>
    /// e^v for v in [−104, 89] (no range checks): Cephes' expf with its polynomial in Estrin's form and fused
    /// multiply-adds, which shortens the chain of dependent operations (the softmax of a few values waits on it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpInRange(Vector128<float> v)
    {
        // v = n ln 2 + r, |r| ≤ ln 2 / 2, with ln 2 in two parts so r is exact
        Vector128<float> n = Vector128.Floor(Fma(v, Vector128.Create(Log2E), Vector128.Create(0.5f)));
        Vector128<float> r = Fma(n, Vector128.Create(Ln2Hi), v);
        r = Fma(n, Vector128.Create(Ln2Lo), r);
        // e^r = 1 + r + r² P(r), P(r) = c0 + c1 r + … + c5 r⁵ as (c0 + c1 r) + r² (c2 + c3 r) + r⁴ (c4 + c5 r)
        Vector128<float> r2 = r * r;
        Vector128<float> p01 = Fma(Vector128.Create(ExpC1), r, Vector128.Create(ExpC0));
        Vector128<float> p23 = Fma(Vector128.Create(ExpC3), r, Vector128.Create(ExpC2));
        Vector128<float> p45 = Fma(Vector128.Create(ExpC5), r, Vector128.Create(ExpC4));
        Vector128<float> r4 = r2 * r2;
        Vector128<float> p = Fma(r4, p45, Fma(r2, p23, p01));
        Vector128<float> er = Fma(p, r2, r) + Vector128<float>.One;
        // × 2^n as 2^(n/2) · 2^(n − n/2), two normal powers of two, so results down into the denormals come out right
        Vector128<int> ni = Vector128.ConvertToInt32(n);
        Vector128<int> n1 = Vector128.ShiftRightArithmetic(ni, 1);
        Vector128<int> n2 = ni - n1;
        return er * Vector128.ShiftLeft(n1 + Vector128.Create(127), 23).AsSingle()
            * Vector128.ShiftLeft(n2 + Vector128.Create(127), 23).AsSingle();
    }

    /// <summary>
    /// a · b + c rounded once: the FMA instruction where there is one, else <see cref="MathF.FusedMultiplyAdd"/> lane by
    /// lane (correctly rounded too), so every machine gives the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c);
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) return System.Runtime.Intrinsics.Arm.AdvSimd.FusedMultiplyAdd(c, a, b);
        return Vector128.Create(
            MathF.FusedMultiplyAdd(a.GetElement(0), b.GetElement(0), c.GetElement(0)),
            MathF.FusedMultiplyAdd(a.GetElement(1), b.GetElement(1), c.GetElement(1)),
            MathF.FusedMultiplyAdd(a.GetElement(2), b.GetElement(2), c.GetElement(2)),
            MathF.FusedMultiplyAdd(a.GetElement(3), b.GetElement(3), c.GetElement(3)));
    }

    /// <summary>
    /// tanh(x) on eight lanes, for the multi-sample <c>Forward</c> of unrolled networks (<see cref="LaneKernels"/>): the
    /// operations of <see cref="Tanh(Vector128{float})"/> in the same order on each lane, so each lane has the bits the
    /// four-lane form gives (VectorMathTests compares them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Abs(x);
        Vector256<float> z = ax * ax;
        Vector256<float> p = Vector256.Create(TanhP0);
        p = p * z + Vector256.Create(TanhP1);
        p = p * z + Vector256.Create(TanhP2);
        p = p * z + Vector256.Create(TanhP3);
        p = p * z + Vector256.Create(TanhP4);
        Vector256<float> small = p * z * ax + ax;
        Vector256<float> e = ExpInRange(Vector256.Min(ax + ax, Vector256.Create(TanhCap)));
        Vector256<float> large = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        Vector256<float> result = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(TanhSmall)), small, large);
        result = Vector256.ConditionalSelect(Vector256.Create(-0f), x, result);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    /// <summary>The eight-lane <see cref="ExpInRange(Vector128{float})"/>: the same operations lane for lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpInRange(Vector256<float> v)
    {
        Vector256<float> n = Vector256.Floor(Fma(v, Vector256.Create(Log2E), Vector256.Create(0.5f)));
        Vector256<float> r = Fma(n, Vector256.Create(Ln2Hi), v);
        r = Fma(n, Vector256.Create(Ln2Lo), r);
        Vector256<float> r2 = r * r;
        Vector256<float> p01 = Fma(Vector256.Create(ExpC1), r, Vector256.Create(ExpC0));
        Vector256<float> p23 = Fma(Vector256.Create(ExpC3), r, Vector256.Create(ExpC2));
        Vector256<float> p45 = Fma(Vector256.Create(ExpC5), r, Vector256.Create(ExpC4));
        Vector256<float> r4 = r2 * r2;
        Vector256<float> p = Fma(r4, p45, Fma(r2, p23, p01));
        Vector256<float> er = Fma(p, r2, r) + Vector256<float>.One;
        Vector256<int> ni = Vector256.ConvertToInt32(n);
        Vector256<int> n1 = Vector256.ShiftRightArithmetic(ni, 1);
        Vector256<int> n2 = ni - n1;
        return er * Vector256.ShiftLeft(n1 + Vector256.Create(127), 23).AsSingle()
            * Vector256.ShiftLeft(n2 + Vector256.Create(127), 23).AsSingle();
    }

    /// <summary>a · b + c rounded once on eight lanes: the FMA instruction, else the four-lane form on each half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c);
        return Vector256.Create(Fma(a.GetLower(), b.GetLower(), c.GetLower()), Fma(a.GetUpper(), b.GetUpper(), c.GetUpper()));
    }

    /// <summary>tanh of every element, in place, four at a time (a last partial group padded).</summary>
    public static void Tanh(Span<float> values)
    {
        ref float r = ref MemoryMarshal.GetReference(values);
        int n = values.Length;
        int i = 0;
        for (; i <= n - 4; i += 4)
        {
            Tanh(Vector128.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        }
        int rest = n - i;
        if (rest > 0)
        {
            Vector128<float> t = Tanh(Tail(ref r, i, rest));
            for (int k = 0; k < rest; k++) Unsafe.Add(ref r, i + k) = t.GetElement(k);
        }
    }

    /// <summary>The last 1 to 3 elements from i on, in the low lanes (0 above).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Tail(ref float r, int i, int rest) => Vector128.Create(
        Unsafe.Add(ref r, i),
        rest > 1 ? Unsafe.Add(ref r, i + 1) : 0f,
        rest > 2 ? Unsafe.Add(ref r, i + 2) : 0f,
        0f);
}
