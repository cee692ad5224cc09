using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// The core's peak single-precision FMA rate, measured by a register-only loop of independent fused multiply-adds
/// (16 accumulator chains, enough to hide the FMA latency). Best of many short runs (~0.1 ms each), so on a
/// shared, loaded machine some runs see the core undisturbed.
/// </summary>
public static class Peak
{
    public static (double Gflops, string Kind) Measure(TimeSpan budget)
    {
        double best = 0;
        string kind = "scalar";
        var total = Stopwatch.StartNew();
        while (total.Elapsed < budget)
        {
            if (Avx512F.IsSupported)
            {
                double g = Run512(100_000);
                if (g > best) (best, kind) = (g, "Vector512 FMA");
            }
            if (Fma.IsSupported)
            {
                double g = Run256(100_000);
                if (g > best) (best, kind) = (g, "Vector256 FMA");
            }
            if (!Avx512F.IsSupported && !Fma.IsSupported) break;
            // (The first rounds run as tier-0 code with the accumulators in memory; the best round comes after tier-up.)
        }
        return (best, kind);
    }

    /// <summary>
    /// The core's read bandwidth from its L2 cache: a vectorized sum over 512 KiB (past the 48 KiB L1, inside the 1 MiB
    /// L2), eight independent accumulators, best of many runs. One-sample forward passes of the larger networks stream
    /// their weights at about this rate, so it is their ceiling.
    /// </summary>
    /// <remarks>
    /// Dot is the same stream multiplied into a 3 KiB vector that stays in L1 (Σ w[i] · x[i mod 784], 8 accumulators),
    /// the access pattern of a matrix-vector product: two loads per FMA instead of one.
    /// </remarks>
    public static (double Read, double Dot) MeasureL2ReadGBps(TimeSpan budget)
    {
        float[] data = new float[128 * 1024];
        float[] x = new float[784];
        for (int i = 0; i < data.Length; i++) data[i] = i % 7;
        for (int i = 0; i < x.Length; i++) x[i] = i % 5;
        double read = 0, dot = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed < budget)
        {
            const int Rounds = 20;
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < Rounds; r++) Sink = SumStream(data);
            read = Math.Max(read, Rounds * 4.0 * data.Length / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
            start = Stopwatch.GetTimestamp();
            for (int r = 0; r < Rounds; r++) Sink = DotStream(data, x);
            dot = Math.Max(dot, Rounds * 4.0 * data.Length / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return (read, dot);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float DotStream(float[] data, float[] x)
    {
        float sum = 0;
        if (!Vector512.IsHardwareAccelerated) return sum;
        ref float rx = ref x[0];
        // rows of 768 floats (48 vectors) of the stream against the first 768 floats of x
        for (int row = 0; row + 768 <= data.Length; row += 768)
        {
            ref float r = ref data[row];
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int i = 0; i < 768; i += 128)
            {
                a0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)i), Vector512.LoadUnsafe(ref rx, (nuint)i), a0);
                a1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 16)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 16)), a1);
                a2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 32)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 32)), a2);
                a3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 48)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 48)), a3);
                a4 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 64)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 64)), a4);
                a5 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 80)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 80)), a5);
                a6 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 96)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 96)), a6);
                a7 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)(i + 112)), Vector512.LoadUnsafe(ref rx, (nuint)(i + 112)), a7);
            }
            sum += Vector512.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float SumStream(float[] data)
    {
        ref float r = ref data[0];
        int n = data.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int i = 0; i <= n - 128; i += 128)
            {
                a0 += Vector512.LoadUnsafe(ref r, (nuint)i); a1 += Vector512.LoadUnsafe(ref r, (nuint)(i + 16));
                a2 += Vector512.LoadUnsafe(ref r, (nuint)(i + 32)); a3 += Vector512.LoadUnsafe(ref r, (nuint)(i + 48));
                a4 += Vector512.LoadUnsafe(ref r, (nuint)(i + 64)); a5 += Vector512.LoadUnsafe(ref r, (nuint)(i + 80));
                a6 += Vector512.LoadUnsafe(ref r, (nuint)(i + 96)); a7 += Vector512.LoadUnsafe(ref r, (nuint)(i + 112));
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
        }
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
        for (int i = 0; i <= n - 32; i += 32)
        {
            b0 += Vector256.LoadUnsafe(ref r, (nuint)i); b1 += Vector256.LoadUnsafe(ref r, (nuint)(i + 8));
            b2 += Vector256.LoadUnsafe(ref r, (nuint)(i + 16)); b3 += Vector256.LoadUnsafe(ref r, (nuint)(i + 24));
        }
        return Vector256.Sum(b0 + b1 + b2 + b3);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop512(int iterations)
    {
        Vector512<float> m = Vector512.Create(0.999999f), c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1.00f), a1 = Vector512.Create(1.01f), a2 = Vector512.Create(1.02f), a3 = Vector512.Create(1.03f);
        Vector512<float> a4 = Vector512.Create(1.04f), a5 = Vector512.Create(1.05f), a6 = Vector512.Create(1.06f), a7 = Vector512.Create(1.07f);
        Vector512<float> a8 = Vector512.Create(1.08f), a9 = Vector512.Create(1.09f), a10 = Vector512.Create(1.10f), a11 = Vector512.Create(1.11f);
        Vector512<float> a12 = Vector512.Create(1.12f), a13 = Vector512.Create(1.13f), a14 = Vector512.Create(1.14f), a15 = Vector512.Create(1.15f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c); a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c); a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
            a12 = Avx512F.FusedMultiplyAdd(a12, m, c); a13 = Avx512F.FusedMultiplyAdd(a13, m, c);
            a14 = Avx512F.FusedMultiplyAdd(a14, m, c); a15 = Avx512F.FusedMultiplyAdd(a15, m, c);
        }
        float sum = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15).ToScalar();
        return sum;
    }

    // The loop has a method of its own with no call in it: with the clock's (P/Invoke) calls in the same method, the JIT
    // kept every accumulator in memory.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Run512(int iterations)
    {
        long start = Stopwatch.GetTimestamp();
        Sink = Loop512(iterations);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return 2.0 * 16 * 16 * iterations / seconds / 1e9;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop256(int iterations)
    {
        Vector256<float> m = Vector256.Create(0.999999f), c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1.00f), a1 = Vector256.Create(1.01f), a2 = Vector256.Create(1.02f), a3 = Vector256.Create(1.03f);
        Vector256<float> a4 = Vector256.Create(1.04f), a5 = Vector256.Create(1.05f), a6 = Vector256.Create(1.06f), a7 = Vector256.Create(1.07f);
        Vector256<float> a8 = Vector256.Create(1.08f), a9 = Vector256.Create(1.09f), a10 = Vector256.Create(1.10f), a11 = Vector256.Create(1.11f);
        Vector256<float> a12 = Vector256.Create(1.12f), a13 = Vector256.Create(1.13f), a14 = Vector256.Create(1.14f), a15 = Vector256.Create(1.15f);
        for (int i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c);
            a2 = Fma.MultiplyAdd(a2, m, c); a3 = Fma.MultiplyAdd(a3, m, c);
            a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c);
            a8 = Fma.MultiplyAdd(a8, m, c); a9 = Fma.MultiplyAdd(a9, m, c);
            a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
            a12 = Fma.MultiplyAdd(a12, m, c); a13 = Fma.MultiplyAdd(a13, m, c);
            a14 = Fma.MultiplyAdd(a14, m, c); a15 = Fma.MultiplyAdd(a15, m, c);
        }
        float sum = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15).ToScalar();
        return sum;
    }

    // The loop has a method of its own with no call in it: with the clock's (P/Invoke) calls in the same method, the JIT
    // kept every accumulator in memory.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Run256(int iterations)
    {
        long start = Stopwatch.GetTimestamp();
        Sink = Loop256(iterations);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return 2.0 * 16 * 8 * iterations / seconds / 1e9;
    }

    public static float Sink;
}
