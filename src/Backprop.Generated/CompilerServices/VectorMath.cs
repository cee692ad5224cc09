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
/// calls cost ~40 ns and ten <see cref="MathF.Exp"/> ~28 ns; a call here on four values a few. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorMath
{
    /// <summary>tanh(x) lane by lane: NaN stays NaN, ±∞ gives ±1, −0 stays −0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> ax = Vector128.Abs(x);

        // tanh is odd: work on |x|, then copy the sign of x on (which keeps −0 and the sign of tiny values)
        // |x| < 0.625: |x| + |x|³ P(x²), Cephes' odd polynomial (cancellation-free near 0)
        Vector128<float> z = ax * ax;
        Vector128<float> p = Vector128.Create(-5.70498872745E-3f);
        p = p * z + Vector128.Create(2.06390887954E-2f);
        p = p * z - Vector128.Create(5.37397155531E-2f);
        p = p * z + Vector128.Create(1.33314422036E-1f);
        p = p * z - Vector128.Create(3.33332819422E-1f);
        Vector128<float> small = p * z * ax + ax;

        // |x| ≥ 0.625: 1 − 2 / (e^(2|x|) + 1); 2|x| capped at 20, where the result is 1
        Vector128<float> e = ExpInRange(Vector128.Min(ax + ax, Vector128.Create(20f)));
        Vector128<float> large = Vector128<float>.One - Vector128.Create(2f) / (e + Vector128<float>.One);

        Vector128<float> result = Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(0.625f)), small, large);
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
        Vector128<float> n = Vector128.Floor(Fma(v, Vector128.Create(1.44269504088896341f), Vector128.Create(0.5f)));
        Vector128<float> r = Fma(n, Vector128.Create(-0.693359375f), v);
        r = Fma(n, Vector128.Create(2.12194440e-4f), r);
        // e^r = 1 + r + r² P(r), P(r) = c0 + c1 r + … + c5 r⁵ as (c0 + c1 r) + r² (c2 + c3 r) + r⁴ (c4 + c5 r)
        Vector128<float> r2 = r * r;
        Vector128<float> p01 = Fma(Vector128.Create(1.6666665459E-1f), r, Vector128.Create(5.0000001201E-1f));
        Vector128<float> p23 = Fma(Vector128.Create(8.3334519073E-3f), r, Vector128.Create(4.1665795894E-2f));
        Vector128<float> p45 = Fma(Vector128.Create(1.9875691500E-4f), r, Vector128.Create(1.3981999507E-3f));
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
