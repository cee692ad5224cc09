using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Kernels;

/// <summary>
/// The batch kernels as they were written before they were written once over the SIMD width (one register tile per
/// width, by hand): a frozen copy kept as the oracle of <see cref="BatchKernelBitTests"/>, which requires the
/// width-generic kernels to give the same bits on every path. Not to be changed or used elsewhere.
/// </summary>
internal static class BatchKernelsBefore
{
    private const int Chunk = BatchKernels.Chunk;

    private static bool IsAccelerated => BatchKernels.IsAccelerated;

    /// <summary>
    /// Forward of one Dense layer on a chunk: Y[o, :] = act(b[o] + Σ_i W[o, i] · X[i, :]) for all 32 columns, with W [m × n]
    /// row-major, X [n × 32] and Y [m × 32] feature-major. act: <typeparamref name="TAct"/> (tanh and sigmoid are applied by the caller).
    /// </summary>
    internal static void ForwardChunk<TN, TAct>(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int m, ReadOnlySpan<float> x, Span<float> y)
        where TN : struct, IConstantSize
        where TAct : struct, IFusedActivation
    {
        int n = TN.Value;
        if (!IsAccelerated)
        {
            // no SIMD (generated code stays per sample there): the same sums in plain loops
            for (int r = 0; r < m; r++)
            {
                for (int s = 0; s < Chunk; s++)
                {
                    float z = 0f;
                    for (int i = 0; i < n; i++) z += weights[r * n + i] * x[i * Chunk + s];
                    y[r * Chunk + s] = TAct.Apply(bias[r] + z);
                }
            }
            return;
        }
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int o = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 12 output rows × 2 vectors of samples in registers; each W[o, i] is broadcast once per tile.
            for (; o <= m - 12; o += 12)
            {
                Vector512<float> c0_0 = Vector512<float>.Zero, c0_1 = Vector512<float>.Zero;
                Vector512<float> c1_0 = Vector512<float>.Zero, c1_1 = Vector512<float>.Zero;
                Vector512<float> c2_0 = Vector512<float>.Zero, c2_1 = Vector512<float>.Zero;
                Vector512<float> c3_0 = Vector512<float>.Zero, c3_1 = Vector512<float>.Zero;
                Vector512<float> c4_0 = Vector512<float>.Zero, c4_1 = Vector512<float>.Zero;
                Vector512<float> c5_0 = Vector512<float>.Zero, c5_1 = Vector512<float>.Zero;
                Vector512<float> c6_0 = Vector512<float>.Zero, c6_1 = Vector512<float>.Zero;
                Vector512<float> c7_0 = Vector512<float>.Zero, c7_1 = Vector512<float>.Zero;
                Vector512<float> c8_0 = Vector512<float>.Zero, c8_1 = Vector512<float>.Zero;
                Vector512<float> c9_0 = Vector512<float>.Zero, c9_1 = Vector512<float>.Zero;
                Vector512<float> c10_0 = Vector512<float>.Zero, c10_1 = Vector512<float>.Zero;
                Vector512<float> c11_0 = Vector512<float>.Zero, c11_1 = Vector512<float>.Zero;
                ref float wo = ref Unsafe.Add(ref rw, o * n);
                for (int i = 0; i < n; i++)
                {
                    ref float xi = ref Unsafe.Add(ref rx, i * Chunk);
                    Vector512<float> x0 = Vector512.LoadUnsafe(ref xi, 0);
                    Vector512<float> x1 = Vector512.LoadUnsafe(ref xi, 16);
                    Vector512<float> wr = Vector512.Create(Unsafe.Add(ref wo, i));
                    c0_0 = FusedMath.Fma512(wr, x0, c0_0); c0_1 = FusedMath.Fma512(wr, x1, c0_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 1 * n + i));
                    c1_0 = FusedMath.Fma512(wr, x0, c1_0); c1_1 = FusedMath.Fma512(wr, x1, c1_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 2 * n + i));
                    c2_0 = FusedMath.Fma512(wr, x0, c2_0); c2_1 = FusedMath.Fma512(wr, x1, c2_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 3 * n + i));
                    c3_0 = FusedMath.Fma512(wr, x0, c3_0); c3_1 = FusedMath.Fma512(wr, x1, c3_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 4 * n + i));
                    c4_0 = FusedMath.Fma512(wr, x0, c4_0); c4_1 = FusedMath.Fma512(wr, x1, c4_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 5 * n + i));
                    c5_0 = FusedMath.Fma512(wr, x0, c5_0); c5_1 = FusedMath.Fma512(wr, x1, c5_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 6 * n + i));
                    c6_0 = FusedMath.Fma512(wr, x0, c6_0); c6_1 = FusedMath.Fma512(wr, x1, c6_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 7 * n + i));
                    c7_0 = FusedMath.Fma512(wr, x0, c7_0); c7_1 = FusedMath.Fma512(wr, x1, c7_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 8 * n + i));
                    c8_0 = FusedMath.Fma512(wr, x0, c8_0); c8_1 = FusedMath.Fma512(wr, x1, c8_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 9 * n + i));
                    c9_0 = FusedMath.Fma512(wr, x0, c9_0); c9_1 = FusedMath.Fma512(wr, x1, c9_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 10 * n + i));
                    c10_0 = FusedMath.Fma512(wr, x0, c10_0); c10_1 = FusedMath.Fma512(wr, x1, c10_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 11 * n + i));
                    c11_0 = FusedMath.Fma512(wr, x0, c11_0); c11_1 = FusedMath.Fma512(wr, x1, c11_1);
                }
                StoreActivated512<TAct>(c0_0, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 0));
                StoreActivated512<TAct>(c0_1, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 16));
                StoreActivated512<TAct>(c1_0, Unsafe.Add(ref rb, o + 1), ref Unsafe.Add(ref ry, (o + 1) * Chunk + 0));
                StoreActivated512<TAct>(c1_1, Unsafe.Add(ref rb, o + 1), ref Unsafe.Add(ref ry, (o + 1) * Chunk + 16));
                StoreActivated512<TAct>(c2_0, Unsafe.Add(ref rb, o + 2), ref Unsafe.Add(ref ry, (o + 2) * Chunk + 0));
                StoreActivated512<TAct>(c2_1, Unsafe.Add(ref rb, o + 2), ref Unsafe.Add(ref ry, (o + 2) * Chunk + 16));
                StoreActivated512<TAct>(c3_0, Unsafe.Add(ref rb, o + 3), ref Unsafe.Add(ref ry, (o + 3) * Chunk + 0));
                StoreActivated512<TAct>(c3_1, Unsafe.Add(ref rb, o + 3), ref Unsafe.Add(ref ry, (o + 3) * Chunk + 16));
                StoreActivated512<TAct>(c4_0, Unsafe.Add(ref rb, o + 4), ref Unsafe.Add(ref ry, (o + 4) * Chunk + 0));
                StoreActivated512<TAct>(c4_1, Unsafe.Add(ref rb, o + 4), ref Unsafe.Add(ref ry, (o + 4) * Chunk + 16));
                StoreActivated512<TAct>(c5_0, Unsafe.Add(ref rb, o + 5), ref Unsafe.Add(ref ry, (o + 5) * Chunk + 0));
                StoreActivated512<TAct>(c5_1, Unsafe.Add(ref rb, o + 5), ref Unsafe.Add(ref ry, (o + 5) * Chunk + 16));
                StoreActivated512<TAct>(c6_0, Unsafe.Add(ref rb, o + 6), ref Unsafe.Add(ref ry, (o + 6) * Chunk + 0));
                StoreActivated512<TAct>(c6_1, Unsafe.Add(ref rb, o + 6), ref Unsafe.Add(ref ry, (o + 6) * Chunk + 16));
                StoreActivated512<TAct>(c7_0, Unsafe.Add(ref rb, o + 7), ref Unsafe.Add(ref ry, (o + 7) * Chunk + 0));
                StoreActivated512<TAct>(c7_1, Unsafe.Add(ref rb, o + 7), ref Unsafe.Add(ref ry, (o + 7) * Chunk + 16));
                StoreActivated512<TAct>(c8_0, Unsafe.Add(ref rb, o + 8), ref Unsafe.Add(ref ry, (o + 8) * Chunk + 0));
                StoreActivated512<TAct>(c8_1, Unsafe.Add(ref rb, o + 8), ref Unsafe.Add(ref ry, (o + 8) * Chunk + 16));
                StoreActivated512<TAct>(c9_0, Unsafe.Add(ref rb, o + 9), ref Unsafe.Add(ref ry, (o + 9) * Chunk + 0));
                StoreActivated512<TAct>(c9_1, Unsafe.Add(ref rb, o + 9), ref Unsafe.Add(ref ry, (o + 9) * Chunk + 16));
                StoreActivated512<TAct>(c10_0, Unsafe.Add(ref rb, o + 10), ref Unsafe.Add(ref ry, (o + 10) * Chunk + 0));
                StoreActivated512<TAct>(c10_1, Unsafe.Add(ref rb, o + 10), ref Unsafe.Add(ref ry, (o + 10) * Chunk + 16));
                StoreActivated512<TAct>(c11_0, Unsafe.Add(ref rb, o + 11), ref Unsafe.Add(ref ry, (o + 11) * Chunk + 0));
                StoreActivated512<TAct>(c11_1, Unsafe.Add(ref rb, o + 11), ref Unsafe.Add(ref ry, (o + 11) * Chunk + 16));
            }
            for (; o < m; o++)
            {
                Vector512<float> c0_0 = Vector512<float>.Zero, c0_1 = Vector512<float>.Zero;
                ref float wo = ref Unsafe.Add(ref rw, o * n);
                for (int i = 0; i < n; i++)
                {
                    ref float xi = ref Unsafe.Add(ref rx, i * Chunk);
                    Vector512<float> x0 = Vector512.LoadUnsafe(ref xi, 0);
                    Vector512<float> x1 = Vector512.LoadUnsafe(ref xi, 16);
                    Vector512<float> wr = Vector512.Create(Unsafe.Add(ref wo, i));
                    c0_0 = FusedMath.Fma512(wr, x0, c0_0); c0_1 = FusedMath.Fma512(wr, x1, c0_1);
                }
                StoreActivated512<TAct>(c0_0, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 0));
                StoreActivated512<TAct>(c0_1, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 16));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // 3 output rows × 4 vectors of samples in registers; each W[o, i] is broadcast once per tile.
            for (; o <= m - 3; o += 3)
            {
                Vector256<float> c0_0 = Vector256<float>.Zero, c0_1 = Vector256<float>.Zero, c0_2 = Vector256<float>.Zero, c0_3 = Vector256<float>.Zero;
                Vector256<float> c1_0 = Vector256<float>.Zero, c1_1 = Vector256<float>.Zero, c1_2 = Vector256<float>.Zero, c1_3 = Vector256<float>.Zero;
                Vector256<float> c2_0 = Vector256<float>.Zero, c2_1 = Vector256<float>.Zero, c2_2 = Vector256<float>.Zero, c2_3 = Vector256<float>.Zero;
                ref float wo = ref Unsafe.Add(ref rw, o * n);
                for (int i = 0; i < n; i++)
                {
                    ref float xi = ref Unsafe.Add(ref rx, i * Chunk);
                    Vector256<float> x0 = Vector256.LoadUnsafe(ref xi, 0);
                    Vector256<float> x1 = Vector256.LoadUnsafe(ref xi, 8);
                    Vector256<float> x2 = Vector256.LoadUnsafe(ref xi, 16);
                    Vector256<float> x3 = Vector256.LoadUnsafe(ref xi, 24);
                    Vector256<float> wr = Vector256.Create(Unsafe.Add(ref wo, i));
                    c0_0 = FusedMath.Fma256(wr, x0, c0_0); c0_1 = FusedMath.Fma256(wr, x1, c0_1); c0_2 = FusedMath.Fma256(wr, x2, c0_2); c0_3 = FusedMath.Fma256(wr, x3, c0_3);
                    wr = Vector256.Create(Unsafe.Add(ref wo, 1 * n + i));
                    c1_0 = FusedMath.Fma256(wr, x0, c1_0); c1_1 = FusedMath.Fma256(wr, x1, c1_1); c1_2 = FusedMath.Fma256(wr, x2, c1_2); c1_3 = FusedMath.Fma256(wr, x3, c1_3);
                    wr = Vector256.Create(Unsafe.Add(ref wo, 2 * n + i));
                    c2_0 = FusedMath.Fma256(wr, x0, c2_0); c2_1 = FusedMath.Fma256(wr, x1, c2_1); c2_2 = FusedMath.Fma256(wr, x2, c2_2); c2_3 = FusedMath.Fma256(wr, x3, c2_3);
                }
                StoreActivated256<TAct>(c0_0, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 0));
                StoreActivated256<TAct>(c0_1, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 8));
                StoreActivated256<TAct>(c0_2, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 16));
                StoreActivated256<TAct>(c0_3, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 24));
                StoreActivated256<TAct>(c1_0, Unsafe.Add(ref rb, o + 1), ref Unsafe.Add(ref ry, (o + 1) * Chunk + 0));
                StoreActivated256<TAct>(c1_1, Unsafe.Add(ref rb, o + 1), ref Unsafe.Add(ref ry, (o + 1) * Chunk + 8));
                StoreActivated256<TAct>(c1_2, Unsafe.Add(ref rb, o + 1), ref Unsafe.Add(ref ry, (o + 1) * Chunk + 16));
                StoreActivated256<TAct>(c1_3, Unsafe.Add(ref rb, o + 1), ref Unsafe.Add(ref ry, (o + 1) * Chunk + 24));
                StoreActivated256<TAct>(c2_0, Unsafe.Add(ref rb, o + 2), ref Unsafe.Add(ref ry, (o + 2) * Chunk + 0));
                StoreActivated256<TAct>(c2_1, Unsafe.Add(ref rb, o + 2), ref Unsafe.Add(ref ry, (o + 2) * Chunk + 8));
                StoreActivated256<TAct>(c2_2, Unsafe.Add(ref rb, o + 2), ref Unsafe.Add(ref ry, (o + 2) * Chunk + 16));
                StoreActivated256<TAct>(c2_3, Unsafe.Add(ref rb, o + 2), ref Unsafe.Add(ref ry, (o + 2) * Chunk + 24));
            }
            for (; o < m; o++)
            {
                Vector256<float> c0_0 = Vector256<float>.Zero, c0_1 = Vector256<float>.Zero, c0_2 = Vector256<float>.Zero, c0_3 = Vector256<float>.Zero;
                ref float wo = ref Unsafe.Add(ref rw, o * n);
                for (int i = 0; i < n; i++)
                {
                    ref float xi = ref Unsafe.Add(ref rx, i * Chunk);
                    Vector256<float> x0 = Vector256.LoadUnsafe(ref xi, 0);
                    Vector256<float> x1 = Vector256.LoadUnsafe(ref xi, 8);
                    Vector256<float> x2 = Vector256.LoadUnsafe(ref xi, 16);
                    Vector256<float> x3 = Vector256.LoadUnsafe(ref xi, 24);
                    Vector256<float> wr = Vector256.Create(Unsafe.Add(ref wo, i));
                    c0_0 = FusedMath.Fma256(wr, x0, c0_0); c0_1 = FusedMath.Fma256(wr, x1, c0_1); c0_2 = FusedMath.Fma256(wr, x2, c0_2); c0_3 = FusedMath.Fma256(wr, x3, c0_3);
                }
                StoreActivated256<TAct>(c0_0, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 0));
                StoreActivated256<TAct>(c0_1, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 8));
                StoreActivated256<TAct>(c0_2, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 16));
                StoreActivated256<TAct>(c0_3, Unsafe.Add(ref rb, o), ref Unsafe.Add(ref ry, (o) * Chunk + 24));
            }
        }
    }

    /// <summary>b + acc through the activation, stored at dst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreActivated512<TAct>(Vector512<float> acc, float bias, ref float dst)
        where TAct : struct, IFusedActivation
    {
        Vector512.StoreUnsafe(TAct.Apply(acc + Vector512.Create(bias)), ref dst);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreActivated256<TAct>(Vector256<float> acc, float bias, ref float dst)
        where TAct : struct, IFusedActivation
    {
        Vector256.StoreUnsafe(TAct.Apply(acc + Vector256.Create(bias)), ref dst);
    }

    /// <summary>
    /// Input gradient of one Dense layer on a chunk, through the activation below it: DX[i, :] = (Σ_o W[o, i] · DZ[o, :]) ⊙ f'(A[i, :]),
    /// with DZ [m × 32], A and DX [n × 32] feature-major. f' from the activation a by
    /// <typeparamref name="TDerivative"/>.
    /// </summary>
    internal static void InputGradientChunk<TDerivative>(ReadOnlySpan<float> weights, int m, int n, ReadOnlySpan<float> dz, ReadOnlySpan<float> a, Span<float> dx)
        where TDerivative : struct, IActivationDerivative
    {
        if (!IsAccelerated)
        {
            // no SIMD (generated code stays per sample there): the same sums in plain loops
            for (int r = 0; r < n; r++)
            {
                for (int s = 0; s < Chunk; s++)
                {
                    float g = 0f;
                    for (int q = 0; q < m; q++) g += weights[q * n + r] * dz[q * Chunk + s];
                    dx[r * Chunk + s] = TDerivative.Chain(g, a[r * Chunk + s]);
                }
            }
            return;
        }
        ref float rw = ref MemoryMarshal.GetReference(weights);
        ref float rdz = ref MemoryMarshal.GetReference(dz);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rdx = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 12 input rows × 2 vectors of samples; W[o, i..] is contiguous, so the broadcasts are too.
            for (; i <= n - 12; i += 12)
            {
                Vector512<float> c0_0 = Vector512<float>.Zero, c0_1 = Vector512<float>.Zero;
                Vector512<float> c1_0 = Vector512<float>.Zero, c1_1 = Vector512<float>.Zero;
                Vector512<float> c2_0 = Vector512<float>.Zero, c2_1 = Vector512<float>.Zero;
                Vector512<float> c3_0 = Vector512<float>.Zero, c3_1 = Vector512<float>.Zero;
                Vector512<float> c4_0 = Vector512<float>.Zero, c4_1 = Vector512<float>.Zero;
                Vector512<float> c5_0 = Vector512<float>.Zero, c5_1 = Vector512<float>.Zero;
                Vector512<float> c6_0 = Vector512<float>.Zero, c6_1 = Vector512<float>.Zero;
                Vector512<float> c7_0 = Vector512<float>.Zero, c7_1 = Vector512<float>.Zero;
                Vector512<float> c8_0 = Vector512<float>.Zero, c8_1 = Vector512<float>.Zero;
                Vector512<float> c9_0 = Vector512<float>.Zero, c9_1 = Vector512<float>.Zero;
                Vector512<float> c10_0 = Vector512<float>.Zero, c10_1 = Vector512<float>.Zero;
                Vector512<float> c11_0 = Vector512<float>.Zero, c11_1 = Vector512<float>.Zero;
                ref float wi = ref Unsafe.Add(ref rw, i);
                for (int o = 0; o < m; o++)
                {
                    ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
                    Vector512<float> d0 = Vector512.LoadUnsafe(ref dzo, 0);
                    Vector512<float> d1 = Vector512.LoadUnsafe(ref dzo, 16);
                    ref float wo = ref Unsafe.Add(ref wi, o * n);
                    Vector512<float> wr = Vector512.Create(Unsafe.Add(ref wo, 0));
                    c0_0 = FusedMath.Fma512(wr, d0, c0_0); c0_1 = FusedMath.Fma512(wr, d1, c0_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 1));
                    c1_0 = FusedMath.Fma512(wr, d0, c1_0); c1_1 = FusedMath.Fma512(wr, d1, c1_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 2));
                    c2_0 = FusedMath.Fma512(wr, d0, c2_0); c2_1 = FusedMath.Fma512(wr, d1, c2_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 3));
                    c3_0 = FusedMath.Fma512(wr, d0, c3_0); c3_1 = FusedMath.Fma512(wr, d1, c3_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 4));
                    c4_0 = FusedMath.Fma512(wr, d0, c4_0); c4_1 = FusedMath.Fma512(wr, d1, c4_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 5));
                    c5_0 = FusedMath.Fma512(wr, d0, c5_0); c5_1 = FusedMath.Fma512(wr, d1, c5_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 6));
                    c6_0 = FusedMath.Fma512(wr, d0, c6_0); c6_1 = FusedMath.Fma512(wr, d1, c6_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 7));
                    c7_0 = FusedMath.Fma512(wr, d0, c7_0); c7_1 = FusedMath.Fma512(wr, d1, c7_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 8));
                    c8_0 = FusedMath.Fma512(wr, d0, c8_0); c8_1 = FusedMath.Fma512(wr, d1, c8_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 9));
                    c9_0 = FusedMath.Fma512(wr, d0, c9_0); c9_1 = FusedMath.Fma512(wr, d1, c9_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 10));
                    c10_0 = FusedMath.Fma512(wr, d0, c10_0); c10_1 = FusedMath.Fma512(wr, d1, c10_1);
                    wr = Vector512.Create(Unsafe.Add(ref wo, 11));
                    c11_0 = FusedMath.Fma512(wr, d0, c11_0); c11_1 = FusedMath.Fma512(wr, d1, c11_1);
                }
                StoreDerivative512<TDerivative>(c0_0, ref Unsafe.Add(ref ra, (i) * Chunk + 0), ref Unsafe.Add(ref rdx, (i) * Chunk + 0));
                StoreDerivative512<TDerivative>(c0_1, ref Unsafe.Add(ref ra, (i) * Chunk + 16), ref Unsafe.Add(ref rdx, (i) * Chunk + 16));
                StoreDerivative512<TDerivative>(c1_0, ref Unsafe.Add(ref ra, (i + 1) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 1) * Chunk + 0));
                StoreDerivative512<TDerivative>(c1_1, ref Unsafe.Add(ref ra, (i + 1) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 1) * Chunk + 16));
                StoreDerivative512<TDerivative>(c2_0, ref Unsafe.Add(ref ra, (i + 2) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 2) * Chunk + 0));
                StoreDerivative512<TDerivative>(c2_1, ref Unsafe.Add(ref ra, (i + 2) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 2) * Chunk + 16));
                StoreDerivative512<TDerivative>(c3_0, ref Unsafe.Add(ref ra, (i + 3) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 3) * Chunk + 0));
                StoreDerivative512<TDerivative>(c3_1, ref Unsafe.Add(ref ra, (i + 3) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 3) * Chunk + 16));
                StoreDerivative512<TDerivative>(c4_0, ref Unsafe.Add(ref ra, (i + 4) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 4) * Chunk + 0));
                StoreDerivative512<TDerivative>(c4_1, ref Unsafe.Add(ref ra, (i + 4) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 4) * Chunk + 16));
                StoreDerivative512<TDerivative>(c5_0, ref Unsafe.Add(ref ra, (i + 5) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 5) * Chunk + 0));
                StoreDerivative512<TDerivative>(c5_1, ref Unsafe.Add(ref ra, (i + 5) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 5) * Chunk + 16));
                StoreDerivative512<TDerivative>(c6_0, ref Unsafe.Add(ref ra, (i + 6) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 6) * Chunk + 0));
                StoreDerivative512<TDerivative>(c6_1, ref Unsafe.Add(ref ra, (i + 6) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 6) * Chunk + 16));
                StoreDerivative512<TDerivative>(c7_0, ref Unsafe.Add(ref ra, (i + 7) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 7) * Chunk + 0));
                StoreDerivative512<TDerivative>(c7_1, ref Unsafe.Add(ref ra, (i + 7) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 7) * Chunk + 16));
                StoreDerivative512<TDerivative>(c8_0, ref Unsafe.Add(ref ra, (i + 8) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 8) * Chunk + 0));
                StoreDerivative512<TDerivative>(c8_1, ref Unsafe.Add(ref ra, (i + 8) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 8) * Chunk + 16));
                StoreDerivative512<TDerivative>(c9_0, ref Unsafe.Add(ref ra, (i + 9) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 9) * Chunk + 0));
                StoreDerivative512<TDerivative>(c9_1, ref Unsafe.Add(ref ra, (i + 9) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 9) * Chunk + 16));
                StoreDerivative512<TDerivative>(c10_0, ref Unsafe.Add(ref ra, (i + 10) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 10) * Chunk + 0));
                StoreDerivative512<TDerivative>(c10_1, ref Unsafe.Add(ref ra, (i + 10) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 10) * Chunk + 16));
                StoreDerivative512<TDerivative>(c11_0, ref Unsafe.Add(ref ra, (i + 11) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 11) * Chunk + 0));
                StoreDerivative512<TDerivative>(c11_1, ref Unsafe.Add(ref ra, (i + 11) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 11) * Chunk + 16));
            }
            for (; i < n; i++)
            {
                Vector512<float> c0_0 = Vector512<float>.Zero, c0_1 = Vector512<float>.Zero;
                ref float wi = ref Unsafe.Add(ref rw, i);
                for (int o = 0; o < m; o++)
                {
                    ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
                    Vector512<float> d0 = Vector512.LoadUnsafe(ref dzo, 0);
                    Vector512<float> d1 = Vector512.LoadUnsafe(ref dzo, 16);
                    ref float wo = ref Unsafe.Add(ref wi, o * n);
                    Vector512<float> wr = Vector512.Create(Unsafe.Add(ref wo, 0));
                    c0_0 = FusedMath.Fma512(wr, d0, c0_0); c0_1 = FusedMath.Fma512(wr, d1, c0_1);
                }
                StoreDerivative512<TDerivative>(c0_0, ref Unsafe.Add(ref ra, (i) * Chunk + 0), ref Unsafe.Add(ref rdx, (i) * Chunk + 0));
                StoreDerivative512<TDerivative>(c0_1, ref Unsafe.Add(ref ra, (i) * Chunk + 16), ref Unsafe.Add(ref rdx, (i) * Chunk + 16));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // 3 input rows × 4 vectors of samples; W[o, i..] is contiguous, so the broadcasts are too.
            for (; i <= n - 3; i += 3)
            {
                Vector256<float> c0_0 = Vector256<float>.Zero, c0_1 = Vector256<float>.Zero, c0_2 = Vector256<float>.Zero, c0_3 = Vector256<float>.Zero;
                Vector256<float> c1_0 = Vector256<float>.Zero, c1_1 = Vector256<float>.Zero, c1_2 = Vector256<float>.Zero, c1_3 = Vector256<float>.Zero;
                Vector256<float> c2_0 = Vector256<float>.Zero, c2_1 = Vector256<float>.Zero, c2_2 = Vector256<float>.Zero, c2_3 = Vector256<float>.Zero;
                ref float wi = ref Unsafe.Add(ref rw, i);
                for (int o = 0; o < m; o++)
                {
                    ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
                    Vector256<float> d0 = Vector256.LoadUnsafe(ref dzo, 0);
                    Vector256<float> d1 = Vector256.LoadUnsafe(ref dzo, 8);
                    Vector256<float> d2 = Vector256.LoadUnsafe(ref dzo, 16);
                    Vector256<float> d3 = Vector256.LoadUnsafe(ref dzo, 24);
                    ref float wo = ref Unsafe.Add(ref wi, o * n);
                    Vector256<float> wr = Vector256.Create(Unsafe.Add(ref wo, 0));
                    c0_0 = FusedMath.Fma256(wr, d0, c0_0); c0_1 = FusedMath.Fma256(wr, d1, c0_1); c0_2 = FusedMath.Fma256(wr, d2, c0_2); c0_3 = FusedMath.Fma256(wr, d3, c0_3);
                    wr = Vector256.Create(Unsafe.Add(ref wo, 1));
                    c1_0 = FusedMath.Fma256(wr, d0, c1_0); c1_1 = FusedMath.Fma256(wr, d1, c1_1); c1_2 = FusedMath.Fma256(wr, d2, c1_2); c1_3 = FusedMath.Fma256(wr, d3, c1_3);
                    wr = Vector256.Create(Unsafe.Add(ref wo, 2));
                    c2_0 = FusedMath.Fma256(wr, d0, c2_0); c2_1 = FusedMath.Fma256(wr, d1, c2_1); c2_2 = FusedMath.Fma256(wr, d2, c2_2); c2_3 = FusedMath.Fma256(wr, d3, c2_3);
                }
                StoreDerivative256<TDerivative>(c0_0, ref Unsafe.Add(ref ra, (i) * Chunk + 0), ref Unsafe.Add(ref rdx, (i) * Chunk + 0));
                StoreDerivative256<TDerivative>(c0_1, ref Unsafe.Add(ref ra, (i) * Chunk + 8), ref Unsafe.Add(ref rdx, (i) * Chunk + 8));
                StoreDerivative256<TDerivative>(c0_2, ref Unsafe.Add(ref ra, (i) * Chunk + 16), ref Unsafe.Add(ref rdx, (i) * Chunk + 16));
                StoreDerivative256<TDerivative>(c0_3, ref Unsafe.Add(ref ra, (i) * Chunk + 24), ref Unsafe.Add(ref rdx, (i) * Chunk + 24));
                StoreDerivative256<TDerivative>(c1_0, ref Unsafe.Add(ref ra, (i + 1) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 1) * Chunk + 0));
                StoreDerivative256<TDerivative>(c1_1, ref Unsafe.Add(ref ra, (i + 1) * Chunk + 8), ref Unsafe.Add(ref rdx, (i + 1) * Chunk + 8));
                StoreDerivative256<TDerivative>(c1_2, ref Unsafe.Add(ref ra, (i + 1) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 1) * Chunk + 16));
                StoreDerivative256<TDerivative>(c1_3, ref Unsafe.Add(ref ra, (i + 1) * Chunk + 24), ref Unsafe.Add(ref rdx, (i + 1) * Chunk + 24));
                StoreDerivative256<TDerivative>(c2_0, ref Unsafe.Add(ref ra, (i + 2) * Chunk + 0), ref Unsafe.Add(ref rdx, (i + 2) * Chunk + 0));
                StoreDerivative256<TDerivative>(c2_1, ref Unsafe.Add(ref ra, (i + 2) * Chunk + 8), ref Unsafe.Add(ref rdx, (i + 2) * Chunk + 8));
                StoreDerivative256<TDerivative>(c2_2, ref Unsafe.Add(ref ra, (i + 2) * Chunk + 16), ref Unsafe.Add(ref rdx, (i + 2) * Chunk + 16));
                StoreDerivative256<TDerivative>(c2_3, ref Unsafe.Add(ref ra, (i + 2) * Chunk + 24), ref Unsafe.Add(ref rdx, (i + 2) * Chunk + 24));
            }
            for (; i < n; i++)
            {
                Vector256<float> c0_0 = Vector256<float>.Zero, c0_1 = Vector256<float>.Zero, c0_2 = Vector256<float>.Zero, c0_3 = Vector256<float>.Zero;
                ref float wi = ref Unsafe.Add(ref rw, i);
                for (int o = 0; o < m; o++)
                {
                    ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
                    Vector256<float> d0 = Vector256.LoadUnsafe(ref dzo, 0);
                    Vector256<float> d1 = Vector256.LoadUnsafe(ref dzo, 8);
                    Vector256<float> d2 = Vector256.LoadUnsafe(ref dzo, 16);
                    Vector256<float> d3 = Vector256.LoadUnsafe(ref dzo, 24);
                    ref float wo = ref Unsafe.Add(ref wi, o * n);
                    Vector256<float> wr = Vector256.Create(Unsafe.Add(ref wo, 0));
                    c0_0 = FusedMath.Fma256(wr, d0, c0_0); c0_1 = FusedMath.Fma256(wr, d1, c0_1); c0_2 = FusedMath.Fma256(wr, d2, c0_2); c0_3 = FusedMath.Fma256(wr, d3, c0_3);
                }
                StoreDerivative256<TDerivative>(c0_0, ref Unsafe.Add(ref ra, (i) * Chunk + 0), ref Unsafe.Add(ref rdx, (i) * Chunk + 0));
                StoreDerivative256<TDerivative>(c0_1, ref Unsafe.Add(ref ra, (i) * Chunk + 8), ref Unsafe.Add(ref rdx, (i) * Chunk + 8));
                StoreDerivative256<TDerivative>(c0_2, ref Unsafe.Add(ref ra, (i) * Chunk + 16), ref Unsafe.Add(ref rdx, (i) * Chunk + 16));
                StoreDerivative256<TDerivative>(c0_3, ref Unsafe.Add(ref ra, (i) * Chunk + 24), ref Unsafe.Add(ref rdx, (i) * Chunk + 24));
            }
        }
    }

    /// <summary>acc ⊙ f'(a), stored at dst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDerivative512<TDerivative>(Vector512<float> acc, ref float activation, ref float dst)
        where TDerivative : struct, IActivationDerivative
    {
        Vector512.StoreUnsafe(TDerivative.Chain(acc, Vector512.LoadUnsafe(ref activation)), ref dst);
    }

    /// <summary>acc ⊙ f'(a), stored at dst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDerivative256<TDerivative>(Vector256<float> acc, ref float activation, ref float dst)
        where TDerivative : struct, IActivationDerivative
    {
        Vector256.StoreUnsafe(TDerivative.Chain(acc, Vector256.LoadUnsafe(ref activation)), ref dst);
    }

    /// <summary>
    /// Weight and bias gradients of one Dense layer on a chunk: GW[o, i] += Σ_{s &lt; ns} DZ[o, s] · X[s, i], Gb[o] += Σ_s DZ[o, s],
    /// with DZ [m × 32] feature-major and X sample-major (ns rows of n floats). Each gradient tile is loaded once,
    /// updated over the chunk's samples in registers and stored once.
    /// </summary>
    internal static void WeightGradientChunk(ReadOnlySpan<float> dz, int m, int n, ReadOnlySpan<float> x, int ns, Span<float> gradW, Span<float> gradB)
    {
        if (!IsAccelerated)
        {
            // no SIMD (generated code stays per sample there): the same sums in plain loops
            for (int r = 0; r < m; r++)
            {
                float bias = 0f;
                for (int s = 0; s < ns; s++) bias += dz[r * Chunk + s];
                gradB[r] += bias;
                for (int i = 0; i < n; i++)
                {
                    float sum = 0f;
                    for (int s = 0; s < ns; s++) sum += dz[r * Chunk + s] * x[s * n + i];
                    gradW[r * n + i] += sum;
                }
            }
            return;
        }
        ref float rdz = ref MemoryMarshal.GetReference(dz);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rg = ref MemoryMarshal.GetReference(gradW);
        ref float rgb = ref MemoryMarshal.GetReference(gradB);
        for (int o = 0; o < m; o++)
        {
            ref float dzo = ref Unsafe.Add(ref rdz, o * Chunk);
            float sum = 0f;
            // a whole chunk in two (or four) vectors and one horizontal sum; else one sample after another
            if (ns == Chunk && Vector512.IsHardwareAccelerated) sum = Vector512.Sum(Vector512.LoadUnsafe(ref dzo) + Vector512.LoadUnsafe(ref dzo, 16));
            else if (ns == Chunk && Vector256.IsHardwareAccelerated) sum = Vector256.Sum((Vector256.LoadUnsafe(ref dzo) + Vector256.LoadUnsafe(ref dzo, 8)) + (Vector256.LoadUnsafe(ref dzo, 16) + Vector256.LoadUnsafe(ref dzo, 24)));
            else for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dzo, s);
            Unsafe.Add(ref rgb, o) += sum;
        }
        int o0 = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 12 gradient rows × 2 vectors of inputs in registers over the chunk's samples.
            for (; o0 <= m - 12; o0 += 12)
            {
                ref float dzo = ref Unsafe.Add(ref rdz, o0 * Chunk);
                ref float go = ref Unsafe.Add(ref rg, o0 * n);
                int i = 0;
                for (; i <= n - 32; i += 32)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector512<float> c0_0 = Vector512.LoadUnsafe(ref g0, 0), c0_1 = Vector512.LoadUnsafe(ref g0, 16);
                    ref float g1 = ref Unsafe.Add(ref go, 1 * n + i);
                    Vector512<float> c1_0 = Vector512.LoadUnsafe(ref g1, 0), c1_1 = Vector512.LoadUnsafe(ref g1, 16);
                    ref float g2 = ref Unsafe.Add(ref go, 2 * n + i);
                    Vector512<float> c2_0 = Vector512.LoadUnsafe(ref g2, 0), c2_1 = Vector512.LoadUnsafe(ref g2, 16);
                    ref float g3 = ref Unsafe.Add(ref go, 3 * n + i);
                    Vector512<float> c3_0 = Vector512.LoadUnsafe(ref g3, 0), c3_1 = Vector512.LoadUnsafe(ref g3, 16);
                    ref float g4 = ref Unsafe.Add(ref go, 4 * n + i);
                    Vector512<float> c4_0 = Vector512.LoadUnsafe(ref g4, 0), c4_1 = Vector512.LoadUnsafe(ref g4, 16);
                    ref float g5 = ref Unsafe.Add(ref go, 5 * n + i);
                    Vector512<float> c5_0 = Vector512.LoadUnsafe(ref g5, 0), c5_1 = Vector512.LoadUnsafe(ref g5, 16);
                    ref float g6 = ref Unsafe.Add(ref go, 6 * n + i);
                    Vector512<float> c6_0 = Vector512.LoadUnsafe(ref g6, 0), c6_1 = Vector512.LoadUnsafe(ref g6, 16);
                    ref float g7 = ref Unsafe.Add(ref go, 7 * n + i);
                    Vector512<float> c7_0 = Vector512.LoadUnsafe(ref g7, 0), c7_1 = Vector512.LoadUnsafe(ref g7, 16);
                    ref float g8 = ref Unsafe.Add(ref go, 8 * n + i);
                    Vector512<float> c8_0 = Vector512.LoadUnsafe(ref g8, 0), c8_1 = Vector512.LoadUnsafe(ref g8, 16);
                    ref float g9 = ref Unsafe.Add(ref go, 9 * n + i);
                    Vector512<float> c9_0 = Vector512.LoadUnsafe(ref g9, 0), c9_1 = Vector512.LoadUnsafe(ref g9, 16);
                    ref float g10 = ref Unsafe.Add(ref go, 10 * n + i);
                    Vector512<float> c10_0 = Vector512.LoadUnsafe(ref g10, 0), c10_1 = Vector512.LoadUnsafe(ref g10, 16);
                    ref float g11 = ref Unsafe.Add(ref go, 11 * n + i);
                    Vector512<float> c11_0 = Vector512.LoadUnsafe(ref g11, 0), c11_1 = Vector512.LoadUnsafe(ref g11, 16);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector512<float> x0 = Vector512.LoadUnsafe(ref xs, 0);
                        Vector512<float> x1 = Vector512.LoadUnsafe(ref xs, 16);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector512<float> d = Vector512.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma512(d, x0, c0_0); c0_1 = FusedMath.Fma512(d, x1, c0_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 32));
                        c1_0 = FusedMath.Fma512(d, x0, c1_0); c1_1 = FusedMath.Fma512(d, x1, c1_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 64));
                        c2_0 = FusedMath.Fma512(d, x0, c2_0); c2_1 = FusedMath.Fma512(d, x1, c2_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 96));
                        c3_0 = FusedMath.Fma512(d, x0, c3_0); c3_1 = FusedMath.Fma512(d, x1, c3_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 128));
                        c4_0 = FusedMath.Fma512(d, x0, c4_0); c4_1 = FusedMath.Fma512(d, x1, c4_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 160));
                        c5_0 = FusedMath.Fma512(d, x0, c5_0); c5_1 = FusedMath.Fma512(d, x1, c5_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 192));
                        c6_0 = FusedMath.Fma512(d, x0, c6_0); c6_1 = FusedMath.Fma512(d, x1, c6_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 224));
                        c7_0 = FusedMath.Fma512(d, x0, c7_0); c7_1 = FusedMath.Fma512(d, x1, c7_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 256));
                        c8_0 = FusedMath.Fma512(d, x0, c8_0); c8_1 = FusedMath.Fma512(d, x1, c8_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 288));
                        c9_0 = FusedMath.Fma512(d, x0, c9_0); c9_1 = FusedMath.Fma512(d, x1, c9_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 320));
                        c10_0 = FusedMath.Fma512(d, x0, c10_0); c10_1 = FusedMath.Fma512(d, x1, c10_1);
                        d = Vector512.Create(Unsafe.Add(ref ds, 352));
                        c11_0 = FusedMath.Fma512(d, x0, c11_0); c11_1 = FusedMath.Fma512(d, x1, c11_1);
                    }
                    Vector512.StoreUnsafe(c0_0, ref g0, 0); Vector512.StoreUnsafe(c0_1, ref g0, 16);
                    Vector512.StoreUnsafe(c1_0, ref g1, 0); Vector512.StoreUnsafe(c1_1, ref g1, 16);
                    Vector512.StoreUnsafe(c2_0, ref g2, 0); Vector512.StoreUnsafe(c2_1, ref g2, 16);
                    Vector512.StoreUnsafe(c3_0, ref g3, 0); Vector512.StoreUnsafe(c3_1, ref g3, 16);
                    Vector512.StoreUnsafe(c4_0, ref g4, 0); Vector512.StoreUnsafe(c4_1, ref g4, 16);
                    Vector512.StoreUnsafe(c5_0, ref g5, 0); Vector512.StoreUnsafe(c5_1, ref g5, 16);
                    Vector512.StoreUnsafe(c6_0, ref g6, 0); Vector512.StoreUnsafe(c6_1, ref g6, 16);
                    Vector512.StoreUnsafe(c7_0, ref g7, 0); Vector512.StoreUnsafe(c7_1, ref g7, 16);
                    Vector512.StoreUnsafe(c8_0, ref g8, 0); Vector512.StoreUnsafe(c8_1, ref g8, 16);
                    Vector512.StoreUnsafe(c9_0, ref g9, 0); Vector512.StoreUnsafe(c9_1, ref g9, 16);
                    Vector512.StoreUnsafe(c10_0, ref g10, 0); Vector512.StoreUnsafe(c10_1, ref g10, 16);
                    Vector512.StoreUnsafe(c11_0, ref g11, 0); Vector512.StoreUnsafe(c11_1, ref g11, 16);
                }
                for (; i <= n - 16; i += 16)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector512<float> c0_0 = Vector512.LoadUnsafe(ref g0, 0);
                    ref float g1 = ref Unsafe.Add(ref go, 1 * n + i);
                    Vector512<float> c1_0 = Vector512.LoadUnsafe(ref g1, 0);
                    ref float g2 = ref Unsafe.Add(ref go, 2 * n + i);
                    Vector512<float> c2_0 = Vector512.LoadUnsafe(ref g2, 0);
                    ref float g3 = ref Unsafe.Add(ref go, 3 * n + i);
                    Vector512<float> c3_0 = Vector512.LoadUnsafe(ref g3, 0);
                    ref float g4 = ref Unsafe.Add(ref go, 4 * n + i);
                    Vector512<float> c4_0 = Vector512.LoadUnsafe(ref g4, 0);
                    ref float g5 = ref Unsafe.Add(ref go, 5 * n + i);
                    Vector512<float> c5_0 = Vector512.LoadUnsafe(ref g5, 0);
                    ref float g6 = ref Unsafe.Add(ref go, 6 * n + i);
                    Vector512<float> c6_0 = Vector512.LoadUnsafe(ref g6, 0);
                    ref float g7 = ref Unsafe.Add(ref go, 7 * n + i);
                    Vector512<float> c7_0 = Vector512.LoadUnsafe(ref g7, 0);
                    ref float g8 = ref Unsafe.Add(ref go, 8 * n + i);
                    Vector512<float> c8_0 = Vector512.LoadUnsafe(ref g8, 0);
                    ref float g9 = ref Unsafe.Add(ref go, 9 * n + i);
                    Vector512<float> c9_0 = Vector512.LoadUnsafe(ref g9, 0);
                    ref float g10 = ref Unsafe.Add(ref go, 10 * n + i);
                    Vector512<float> c10_0 = Vector512.LoadUnsafe(ref g10, 0);
                    ref float g11 = ref Unsafe.Add(ref go, 11 * n + i);
                    Vector512<float> c11_0 = Vector512.LoadUnsafe(ref g11, 0);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector512<float> x0 = Vector512.LoadUnsafe(ref xs, 0);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector512<float> d = Vector512.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma512(d, x0, c0_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 32));
                        c1_0 = FusedMath.Fma512(d, x0, c1_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 64));
                        c2_0 = FusedMath.Fma512(d, x0, c2_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 96));
                        c3_0 = FusedMath.Fma512(d, x0, c3_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 128));
                        c4_0 = FusedMath.Fma512(d, x0, c4_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 160));
                        c5_0 = FusedMath.Fma512(d, x0, c5_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 192));
                        c6_0 = FusedMath.Fma512(d, x0, c6_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 224));
                        c7_0 = FusedMath.Fma512(d, x0, c7_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 256));
                        c8_0 = FusedMath.Fma512(d, x0, c8_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 288));
                        c9_0 = FusedMath.Fma512(d, x0, c9_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 320));
                        c10_0 = FusedMath.Fma512(d, x0, c10_0);
                        d = Vector512.Create(Unsafe.Add(ref ds, 352));
                        c11_0 = FusedMath.Fma512(d, x0, c11_0);
                    }
                    Vector512.StoreUnsafe(c0_0, ref g0, 0);
                    Vector512.StoreUnsafe(c1_0, ref g1, 0);
                    Vector512.StoreUnsafe(c2_0, ref g2, 0);
                    Vector512.StoreUnsafe(c3_0, ref g3, 0);
                    Vector512.StoreUnsafe(c4_0, ref g4, 0);
                    Vector512.StoreUnsafe(c5_0, ref g5, 0);
                    Vector512.StoreUnsafe(c6_0, ref g6, 0);
                    Vector512.StoreUnsafe(c7_0, ref g7, 0);
                    Vector512.StoreUnsafe(c8_0, ref g8, 0);
                    Vector512.StoreUnsafe(c9_0, ref g9, 0);
                    Vector512.StoreUnsafe(c10_0, ref g10, 0);
                    Vector512.StoreUnsafe(c11_0, ref g11, 0);
                }
                // the last n mod 16 inputs, scalar
                for (; i < n; i++)
                {
                    for (int r = 0; r < 12; r++)
                    {
                        ref float dr = ref Unsafe.Add(ref dzo, r * Chunk);
                        float sum = 0f;
                        for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dr, s) * Unsafe.Add(ref rx, s * n + i);
                        Unsafe.Add(ref go, r * n + i) += sum;
                    }
                }
            }
            for (; o0 < m; o0++)
            {
                ref float dzo = ref Unsafe.Add(ref rdz, o0 * Chunk);
                ref float go = ref Unsafe.Add(ref rg, o0 * n);
                int i = 0;
                for (; i <= n - 32; i += 32)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector512<float> c0_0 = Vector512.LoadUnsafe(ref g0, 0), c0_1 = Vector512.LoadUnsafe(ref g0, 16);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector512<float> x0 = Vector512.LoadUnsafe(ref xs, 0);
                        Vector512<float> x1 = Vector512.LoadUnsafe(ref xs, 16);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector512<float> d = Vector512.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma512(d, x0, c0_0); c0_1 = FusedMath.Fma512(d, x1, c0_1);
                    }
                    Vector512.StoreUnsafe(c0_0, ref g0, 0); Vector512.StoreUnsafe(c0_1, ref g0, 16);
                }
                for (; i <= n - 16; i += 16)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector512<float> c0_0 = Vector512.LoadUnsafe(ref g0, 0);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector512<float> x0 = Vector512.LoadUnsafe(ref xs, 0);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector512<float> d = Vector512.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma512(d, x0, c0_0);
                    }
                    Vector512.StoreUnsafe(c0_0, ref g0, 0);
                }
                // the last n mod 16 inputs, scalar
                for (; i < n; i++)
                {
                    for (int r = 0; r < 1; r++)
                    {
                        ref float dr = ref Unsafe.Add(ref dzo, r * Chunk);
                        float sum = 0f;
                        for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dr, s) * Unsafe.Add(ref rx, s * n + i);
                        Unsafe.Add(ref go, r * n + i) += sum;
                    }
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // 3 gradient rows × 4 vectors of inputs in registers over the chunk's samples.
            for (; o0 <= m - 3; o0 += 3)
            {
                ref float dzo = ref Unsafe.Add(ref rdz, o0 * Chunk);
                ref float go = ref Unsafe.Add(ref rg, o0 * n);
                int i = 0;
                for (; i <= n - 32; i += 32)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector256<float> c0_0 = Vector256.LoadUnsafe(ref g0, 0), c0_1 = Vector256.LoadUnsafe(ref g0, 8), c0_2 = Vector256.LoadUnsafe(ref g0, 16), c0_3 = Vector256.LoadUnsafe(ref g0, 24);
                    ref float g1 = ref Unsafe.Add(ref go, 1 * n + i);
                    Vector256<float> c1_0 = Vector256.LoadUnsafe(ref g1, 0), c1_1 = Vector256.LoadUnsafe(ref g1, 8), c1_2 = Vector256.LoadUnsafe(ref g1, 16), c1_3 = Vector256.LoadUnsafe(ref g1, 24);
                    ref float g2 = ref Unsafe.Add(ref go, 2 * n + i);
                    Vector256<float> c2_0 = Vector256.LoadUnsafe(ref g2, 0), c2_1 = Vector256.LoadUnsafe(ref g2, 8), c2_2 = Vector256.LoadUnsafe(ref g2, 16), c2_3 = Vector256.LoadUnsafe(ref g2, 24);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector256<float> x0 = Vector256.LoadUnsafe(ref xs, 0);
                        Vector256<float> x1 = Vector256.LoadUnsafe(ref xs, 8);
                        Vector256<float> x2 = Vector256.LoadUnsafe(ref xs, 16);
                        Vector256<float> x3 = Vector256.LoadUnsafe(ref xs, 24);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector256<float> d = Vector256.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma256(d, x0, c0_0); c0_1 = FusedMath.Fma256(d, x1, c0_1); c0_2 = FusedMath.Fma256(d, x2, c0_2); c0_3 = FusedMath.Fma256(d, x3, c0_3);
                        d = Vector256.Create(Unsafe.Add(ref ds, 32));
                        c1_0 = FusedMath.Fma256(d, x0, c1_0); c1_1 = FusedMath.Fma256(d, x1, c1_1); c1_2 = FusedMath.Fma256(d, x2, c1_2); c1_3 = FusedMath.Fma256(d, x3, c1_3);
                        d = Vector256.Create(Unsafe.Add(ref ds, 64));
                        c2_0 = FusedMath.Fma256(d, x0, c2_0); c2_1 = FusedMath.Fma256(d, x1, c2_1); c2_2 = FusedMath.Fma256(d, x2, c2_2); c2_3 = FusedMath.Fma256(d, x3, c2_3);
                    }
                    Vector256.StoreUnsafe(c0_0, ref g0, 0); Vector256.StoreUnsafe(c0_1, ref g0, 8); Vector256.StoreUnsafe(c0_2, ref g0, 16); Vector256.StoreUnsafe(c0_3, ref g0, 24);
                    Vector256.StoreUnsafe(c1_0, ref g1, 0); Vector256.StoreUnsafe(c1_1, ref g1, 8); Vector256.StoreUnsafe(c1_2, ref g1, 16); Vector256.StoreUnsafe(c1_3, ref g1, 24);
                    Vector256.StoreUnsafe(c2_0, ref g2, 0); Vector256.StoreUnsafe(c2_1, ref g2, 8); Vector256.StoreUnsafe(c2_2, ref g2, 16); Vector256.StoreUnsafe(c2_3, ref g2, 24);
                }
                for (; i <= n - 8; i += 8)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector256<float> c0_0 = Vector256.LoadUnsafe(ref g0, 0);
                    ref float g1 = ref Unsafe.Add(ref go, 1 * n + i);
                    Vector256<float> c1_0 = Vector256.LoadUnsafe(ref g1, 0);
                    ref float g2 = ref Unsafe.Add(ref go, 2 * n + i);
                    Vector256<float> c2_0 = Vector256.LoadUnsafe(ref g2, 0);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector256<float> x0 = Vector256.LoadUnsafe(ref xs, 0);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector256<float> d = Vector256.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma256(d, x0, c0_0);
                        d = Vector256.Create(Unsafe.Add(ref ds, 32));
                        c1_0 = FusedMath.Fma256(d, x0, c1_0);
                        d = Vector256.Create(Unsafe.Add(ref ds, 64));
                        c2_0 = FusedMath.Fma256(d, x0, c2_0);
                    }
                    Vector256.StoreUnsafe(c0_0, ref g0, 0);
                    Vector256.StoreUnsafe(c1_0, ref g1, 0);
                    Vector256.StoreUnsafe(c2_0, ref g2, 0);
                }
                // the last n mod 8 inputs, scalar
                for (; i < n; i++)
                {
                    for (int r = 0; r < 3; r++)
                    {
                        ref float dr = ref Unsafe.Add(ref dzo, r * Chunk);
                        float sum = 0f;
                        for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dr, s) * Unsafe.Add(ref rx, s * n + i);
                        Unsafe.Add(ref go, r * n + i) += sum;
                    }
                }
            }
            for (; o0 < m; o0++)
            {
                ref float dzo = ref Unsafe.Add(ref rdz, o0 * Chunk);
                ref float go = ref Unsafe.Add(ref rg, o0 * n);
                int i = 0;
                for (; i <= n - 32; i += 32)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector256<float> c0_0 = Vector256.LoadUnsafe(ref g0, 0), c0_1 = Vector256.LoadUnsafe(ref g0, 8), c0_2 = Vector256.LoadUnsafe(ref g0, 16), c0_3 = Vector256.LoadUnsafe(ref g0, 24);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector256<float> x0 = Vector256.LoadUnsafe(ref xs, 0);
                        Vector256<float> x1 = Vector256.LoadUnsafe(ref xs, 8);
                        Vector256<float> x2 = Vector256.LoadUnsafe(ref xs, 16);
                        Vector256<float> x3 = Vector256.LoadUnsafe(ref xs, 24);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector256<float> d = Vector256.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma256(d, x0, c0_0); c0_1 = FusedMath.Fma256(d, x1, c0_1); c0_2 = FusedMath.Fma256(d, x2, c0_2); c0_3 = FusedMath.Fma256(d, x3, c0_3);
                    }
                    Vector256.StoreUnsafe(c0_0, ref g0, 0); Vector256.StoreUnsafe(c0_1, ref g0, 8); Vector256.StoreUnsafe(c0_2, ref g0, 16); Vector256.StoreUnsafe(c0_3, ref g0, 24);
                }
                for (; i <= n - 8; i += 8)
                {
                    ref float g0 = ref Unsafe.Add(ref go, i);
                    Vector256<float> c0_0 = Vector256.LoadUnsafe(ref g0, 0);
                    for (int s = 0; s < ns; s++)
                    {
                        ref float xs = ref Unsafe.Add(ref rx, s * n + i);
                        Vector256<float> x0 = Vector256.LoadUnsafe(ref xs, 0);
                        ref float ds = ref Unsafe.Add(ref dzo, s);
                        Vector256<float> d = Vector256.Create(Unsafe.Add(ref ds, 0));
                        c0_0 = FusedMath.Fma256(d, x0, c0_0);
                    }
                    Vector256.StoreUnsafe(c0_0, ref g0, 0);
                }
                // the last n mod 8 inputs, scalar
                for (; i < n; i++)
                {
                    for (int r = 0; r < 1; r++)
                    {
                        ref float dr = ref Unsafe.Add(ref dzo, r * Chunk);
                        float sum = 0f;
                        for (int s = 0; s < ns; s++) sum += Unsafe.Add(ref dr, s) * Unsafe.Add(ref rx, s * n + i);
                        Unsafe.Add(ref go, r * n + i) += sum;
                    }
                }
            }
        }
    }
}
