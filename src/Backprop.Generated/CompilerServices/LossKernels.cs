using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// The losses whose gradient is taken at the logits z, in one place for every emission path (unrolled, batch, layer by
/// layer, fused TrainStep): cross-entropy on a softmax or on logits (<c>torch.nn.CrossEntropyLoss</c>) and binary
/// cross-entropy on a sigmoid or on logits (<c>torch.nn.BCEWithLogitsLoss</c>). Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LossKernels
{
    /// <summary>
    /// Cross-entropy of one sample from its logits: returns ℓ = −Σ_j t_j (z_j − lse), lse = log Σ_i e^z_i, and writes
    /// ∂ℓ/∂z_j = (p_j Σt − t_j) · gradScale, with p = softmax(z) (= p − t for one-hot or probability targets). The two
    /// sums go in <see cref="Softmax"/>'s order (four lane sums, then (s0 + s1) + (s2 + s3)), the same bits on every path.
    /// <paramref name="dz"/> may be <paramref name="p"/> itself.
    /// </summary>
    /// <param name="z">The logits.</param>
    /// <param name="p">softmax(z), as <see cref="Softmax.ApplyLogSumExp"/> wrote it.</param>
    /// <param name="logSumExp">log Σ_i e^z_i, as <see cref="Softmax.ApplyLogSumExp"/> returned it.</param>
    /// <param name="t">The target.</param>
    /// <param name="dz">Receives ∂ℓ/∂z times <paramref name="gradScale"/>.</param>
    /// <param name="gradScale">The factor of the mean the loss is part of (1/k over k samples).</param>
    /// <exception cref="ArgumentException">p, t or dz is shorter than z.</exception>
    public static float CrossEntropyAtLogits(ReadOnlySpan<float> z, ReadOnlySpan<float> p, float logSumExp, ReadOnlySpan<float> t, Span<float> dz, float gradScale)
    {
        int n = z.Length;
        if (p.Length < n || t.Length < n || dz.Length < n)
        {
            ThrowLengths(n, p.Length, t.Length, dz.Length);
        }
        ref float rz = ref MemoryMarshal.GetReference(z);
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rt = ref MemoryMarshal.GetReference(t);
        ref float rd = ref MemoryMarshal.GetReference(dz);
        int full = n & ~3;
        int rest = n - full;

        // Σ_j t_j (z_j − lse) and Σ_j t_j as four lane sums over the groups of four in order (the last, partial group
        // padded with zeros), then (s0 + s1) + (s2 + s3): the order Softmax sums in, on every SIMD path
        Vector128<float> shift = Vector128.Create(logSumExp);
        Vector128<float> terms = Vector128<float>.Zero;
        Vector128<float> targets = Vector128<float>.Zero;
        for (int i = 0; i < full; i += 4)
        {
            Vector128<float> ti = Vector128.LoadUnsafe(ref rt, (nuint)i);
            terms += ti * (Vector128.LoadUnsafe(ref rz, (nuint)i) - shift);
            targets += ti;
        }
        if (rest > 0)
        {
            Vector128<float> inTail = Vector128.LessThan(Vector128.Create(0f, 1f, 2f, 3f), Vector128.Create((float)rest));
            Vector128<float> ti = Vector128.ConditionalSelect(inTail, Tail(ref rt, full, rest), Vector128<float>.Zero);
            Vector128<float> term = ti * (Tail(ref rz, full, rest) - shift);
            terms += Vector128.ConditionalSelect(inTail, term, Vector128<float>.Zero);
            targets += ti;
        }
        float loss = 0f - HorizontalSum(terms); // +0 for a loss of exactly 0 (−(+0) would be −0), as a sum over samples gives
        float tsum = HorizontalSum(targets);

        // ∂ℓ/∂z_j = (p_j Σt − t_j) · gradScale
        Vector128<float> tv = Vector128.Create(tsum);
        Vector128<float> scale = Vector128.Create(gradScale);
        for (int i = 0; i < full; i += 4)
        {
            ((Vector128.LoadUnsafe(ref rp, (nuint)i) * tv - Vector128.LoadUnsafe(ref rt, (nuint)i)) * scale).StoreUnsafe(ref rd, (nuint)i);
        }
        for (int j = full; j < n; j++)
        {
            Unsafe.Add(ref rd, j) = (Unsafe.Add(ref rp, j) * tsum - Unsafe.Add(ref rt, j)) * gradScale;
        }
        return loss;
    }

    /// <summary>(s0 + s1) + (s2 + s3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector128<float> s) => (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));

    /// <summary>The last 1 to 3 elements from i on, in the low lanes (0 above).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Tail(ref float r, int i, int rest) => Vector128.Create(
        Unsafe.Add(ref r, i),
        rest > 1 ? Unsafe.Add(ref r, i + 1) : 0f,
        rest > 2 ? Unsafe.Add(ref r, i + 2) : 0f,
        0f);

    /// <summary>
    /// Cross-entropy of one sample on logits that are the network's output (<c>torch.nn.CrossEntropyLoss</c>): takes
    /// softmax(z) into <paramref name="dz"/>, then as <see cref="CrossEntropyAtLogits"/>.
    /// </summary>
    /// <exception cref="ArgumentException">z is empty, or t or dz is shorter than z.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float CrossEntropyWithLogits(ReadOnlySpan<float> z, ReadOnlySpan<float> t, Span<float> dz, float gradScale)
    {
        float logSumExp = Softmax.ApplyLogSumExp(z, dz);
        return CrossEntropyAtLogits(z, dz, logSumExp, t, dz, gradScale);
    }

    /// <summary>
    /// Binary cross-entropy of one element from its logit, stable for any z (<c>torch.nn.BCEWithLogitsLoss</c>):
    /// ℓ = max(z, 0) − z·t + log(1 + e^−|z|), which is −(t log σ(z) + (1 − t) log(1 − σ(z))).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BinaryCrossEntropyWithLogits(float z, float t) =>
        MathF.Max(z, 0f) - z * t + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));

    /// <summary>∂ℓ/∂z of <see cref="BinaryCrossEntropyWithLogits"/>: (σ(z) − t) · gradScale, from σ(z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BinaryCrossEntropyGradient(float sigma, float t, float gradScale) => (sigma - t) * gradScale;

    private static void ThrowLengths(int n, int p, int t, int dz) =>
        throw new ArgumentException($"p, t and dz must hold at least z.Length ({n}) floats, but hold {p}, {t} and {dz}.");
}
