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
