using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The numerically stable softmax a_j = e^(z_j − m) / Σ_i e^(z_i − m), m = max_i z_i, over a span: the one
/// implementation every emission path (unrolled, batch, layer by layer, baked) calls, so a softmax gives the same bits
/// on every path. Used by generated code.
/// </summary>
/// <remarks>
/// <para>
/// The values go four at a time through <see cref="VectorMath.Exp(Vector128{float})"/> (Cephes' expf, within 1 ulp);
/// the maximum and the division are exact per lane. The sum has one fixed order whatever the hardware: four lane
/// partial sums over the groups of four in order (the last, partial group padded with zeros), then
/// (s₀ + s₁) + (s₂ + s₃). Every operation is a Vector128 one, exact or correctly rounded lane by lane, so every
/// machine gives the same bits, with or without SIMD hardware (<c>SoftmaxTests</c>).
/// </para>
/// <para>
/// <see cref="BatchKernels.SoftmaxChunk"/> takes these steps lane by lane down a feature-major chunk (four samples per
/// vector) for the batch path, so each sample gets these bits; a change to the order here must be made there too, and
/// <c>BatchKernelTests</c> fails until it is.
/// </para>
/// <para>
/// The loads are 128-bit groups at multiples of four, as the matrix-vector kernel stores its rows, so each load is
/// forwarded from one store (a 256-bit load straddling two 128-bit stores stalls).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Softmax
{
    /// <summary>a = softmax(z). <paramref name="a"/> may be <paramref name="z"/> itself.</summary>
    /// <exception cref="ArgumentException">z is empty, or a is shorter than z.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> z, Span<float> a) => Core(z, a, out _, out _);

    /// <summary>
    /// a = softmax(z), and returns log Σ_i e^z_i = m + log Σ_i e^(z_i − m) (the log-sum-exp cross-entropy needs).
    /// <paramref name="a"/> may be <paramref name="z"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">z is empty, or a is shorter than z.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float ApplyLogSumExp(ReadOnlySpan<float> z, Span<float> a)
    {
        Core(z, a, out float max, out float sum);
        return max + MathF.Log(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Core(ReadOnlySpan<float> z, Span<float> a, out float max, out float sum)
    {
        int n = z.Length;
        if (n == 0 || a.Length < n)
        {
            ThrowLengths(n, a.Length);
        }
        ref float rz = ref MemoryMarshal.GetReference(z);
        ref float ra = ref MemoryMarshal.GetReference(a);
        int full = n & ~3;
        int rest = n - full;

        // The last partial group, read before anything is written (a may be z): lanes past the end repeat z[full]
        // for the maximum, and are zeroed after the exponential for the sum.
        Vector128<float> tail = rest == 0 ? default : Tail(ref rz, full, rest);
        Vector128<float> inTail = Vector128.LessThan(Vector128.Create(0f, 1f, 2f, 3f), Vector128.Create((float)rest));

        // m = max_i z_i (exact in any order), in every lane
        Vector128<float> m = full > 0 ? Vector128.LoadUnsafe(ref rz) : tail;
        for (int i = 4; i < full; i += 4)
        {
            m = Max(m, Vector128.LoadUnsafe(ref rz, (nuint)i));
        }
        if (rest > 0 && full > 0) m = Max(m, tail);
        m = Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));

        // a_j = e^(z_j − m), summed as four lanes over the groups in order
        Vector128<float> acc = Vector128<float>.Zero;
        int g = 0;
        for (; g < full; g += 4)
        {
            Vector128<float> e = VectorMath.Exp(Vector128.LoadUnsafe(ref rz, (nuint)g) - m);
            e.StoreUnsafe(ref ra, (nuint)g);
            acc += e;
        }
        Vector128<float> eTail = default;
        if (rest > 0)
        {
            eTail = Vector128.ConditionalSelect(inTail, VectorMath.Exp(tail - m), Vector128<float>.Zero);
            acc += eTail;
        }

        // Σ = (s0 + s1) + (s2 + s3), in every lane (each pair is added in both orders, which give the same bits)
        acc += Vector128.Shuffle(acc, Vector128.Create(1, 0, 3, 2));
        acc += Vector128.Shuffle(acc, Vector128.Create(2, 3, 0, 1));

        // a_j /= Σ
        for (int i = 0; i < full; i += 4)
        {
            (Vector128.LoadUnsafe(ref ra, (nuint)i) / acc).StoreUnsafe(ref ra, (nuint)i);
        }
        if (rest > 0)
        {
            Vector128<float> t = eTail / acc;
            Unsafe.Add(ref ra, full) = t.ToScalar();
            if (rest > 1) Unsafe.Add(ref ra, full + 1) = t.GetElement(1);
            if (rest > 2) Unsafe.Add(ref ra, full + 2) = t.GetElement(2);
        }
        max = m.ToScalar();
        sum = acc.ToScalar();
    }

    /// <summary>
    /// The lane maximum as the hardware computes it (maxps): which operand a NaN lane yields does not matter here, as
    /// e^(z − m) of a NaN z is NaN and makes the sum, and so every output, NaN either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Max(Vector128<float> a, Vector128<float> b) =>
#if NET9_0_OR_GREATER
        Vector128.MaxNative(a, b);
#else
        Vector128.Max(a, b);
#endif

    /// <summary>The last 1 to 3 elements from i on, in the low lanes; the lanes above repeat the first of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Tail(ref float r, int i, int rest)
    {
        float first = Unsafe.Add(ref r, i);
        return Vector128.Create(
            first,
            rest > 1 ? Unsafe.Add(ref r, i + 1) : first,
            rest > 2 ? Unsafe.Add(ref r, i + 2) : first,
            first);
    }

    private static void ThrowLengths(int n, int a) =>
        throw new ArgumentException(n == 0
            ? "z must hold at least one value, but is empty."
            : $"a.Length must be at least z.Length ({n}), but is {a}.", "a");
}
