using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// ∂ℓ/∂z_j = (p_j Σt − t_j) · gradScale, with p = softmax(z) (= p − t for one-hot or probability targets).
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
        float loss = 0f;
        float tsum = 0f;
        for (int j = 0; j < n; j++)
        {
            float tj = Unsafe.Add(ref rt, j);
            loss -= tj * (Unsafe.Add(ref rz, j) - logSumExp);
            tsum += tj;
        }
        for (int j = 0; j < n; j++)
        {
            Unsafe.Add(ref rd, j) = (Unsafe.Add(ref rp, j) * tsum - Unsafe.Add(ref rt, j)) * gradScale;
        }
        return loss;
    }

    /// <summary>
    /// Cross-entropy of one sample on logits that are the network's output (<c>torch.nn.CrossEntropyLoss</c>): takes
    /// softmax(z) into <paramref name="dz"/>, then as <see cref="CrossEntropyAtLogits"/>.
    /// </summary>
    /// <exception cref="ArgumentException">z is empty, or t or dz is shorter than z.</exception>
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
