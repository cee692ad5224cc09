using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// --align: where a baked network's weights land in memory, by its offset from a 64-byte line. The digits 64-32-10
/// layers (float32 Gemv: 32 × 64 with ReLU, then 10 × 32) run on copies of the same weights placed at every 4-byte
/// offset 0..60 inside one 64-byte-aligned buffer, the runtime's Gemv (unaligned 512-bit loads wherever the weights lie) against two
/// candidates that load only aligned vectors (AlignmentCandidates/: valignd per load; aligned loads with x shifted to
/// match) in alternating rounds, best of many;
/// then the int8 layers (Int8Kernels.DenseForward, 32 × 64 and 10 × 32 bytes) the same way. Each output is checked
/// bit for bit against offset 0's. The same run's FMA peak is printed first. Run pinned: taskset -c 1.
/// </summary>
public static unsafe class Alignment
{
    public static void Run()
    {
        (double peak, string kind) = Peak.Measure(TimeSpan.FromSeconds(2));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FMA peak {peak:F1} GFLOP/s ({kind}); digits layers' 2,368 multiply-adds at that peak: {2 * 2368 / peak:F1} ns"));
        var rng = new Random(11);
        // the Parameters layout of a digits network: W0 [32 × 64], b0 [32], W1 [10 × 32], b1 [10]
        float[] p = new float[32 * 64 + 32 + 10 * 32 + 10];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(rng.NextDouble() * 2 - 1) * 0.3f;
        float[] x = new float[64];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        float* buffer = (float*)NativeMemory.AlignedAlloc((nuint)(p.Length * 4 + 128), 64);
        sbyte* qbuffer = (sbyte*)NativeMemory.AlignedAlloc(64 * 64, 64);
        try
        {
            float[] h = new float[32], y = new float[10], refY = new float[10];
            Console.WriteLine("float32 digits layers (Gemv 32x64 ReLU + Gemv 10x32), ns per pair of calls, best (median) of 20,000 alternating rounds of 40");
            Console.WriteLine("offset  Gemv (unaligned loads)  valignd per load      aligned loads, x shifted   bits equal to Gemv at offset 0");
            Action<int>[] kernels =
            {
                off => { var ww = new ReadOnlySpan<float>((byte*)buffer + off, p.Length); DenseKernels.Gemv<ReLUActivation>(ww.Slice(0, 2048), ww.Slice(2048, 32), 32, 64, x, h); DenseKernels.Gemv<LinearActivation>(ww.Slice(2080, 320), ww.Slice(2400, 10), 10, 32, h, y); },
                off => { var ww = new ReadOnlySpan<float>((byte*)buffer + off, p.Length); AlignmentCandidates.Valignd.ShiftedRows.Gemv<ReLUActivation>(ww.Slice(0, 2048), ww.Slice(2048, 32), 32, 64, x, h); AlignmentCandidates.Valignd.ShiftedRows.Gemv<LinearActivation>(ww.Slice(2080, 320), ww.Slice(2400, 10), 10, 32, h, y); },
                off => { var ww = new ReadOnlySpan<float>((byte*)buffer + off, p.Length); AlignmentCandidates.ShiftedX.ShiftedRows.Gemv<ReLUActivation>(ww.Slice(0, 2048), ww.Slice(2048, 32), 32, 64, x, h); AlignmentCandidates.ShiftedX.ShiftedRows.Gemv<LinearActivation>(ww.Slice(2080, 320), ww.Slice(2400, 10), 10, 32, h, y); },
            };
            for (int off = 0; off < 64; off += 4)
            {
                p.CopyTo(new Span<float>((byte*)buffer + off, p.Length));
                int o = off;
                (double[] best, double[] median) = AlternateN(kernels, o);
                string bits = "";
                for (int kernel = 0; kernel < kernels.Length; kernel++)
                {
                    kernels[kernel](o);
                    if (off == 0 && kernel == 0) y.CopyTo(refY);
                    bool same = true;
                    for (int i = 0; i < 10; i++) same &= BitConverter.SingleToInt32Bits(y[i]) == BitConverter.SingleToInt32Bits(refY[i]);
                    bits += same ? " same" : " DIFFERENT";
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{off,6}  {best[0],8:F1} ({median[0],6:F1})       {best[1],8:F1} ({median[1],6:F1})    {best[2],8:F1} ({median[2],6:F1})         {bits}"));
            }

            // int8: the digits layers' quantized weights at every 4-byte offset
            sbyte[] q = new sbyte[32 * 64 + 10 * 32];
            for (int i = 0; i < q.Length; i++) q[i] = (sbyte)rng.Next(-127, 128);
            float[] scales = new float[42];
            for (int i = 0; i < scales.Length; i++) scales[i] = 0.004f;
            byte[] scratch = new byte[Int8Kernels.ScratchBytes(64, 1)];
            float[] y8 = new float[10], ref8 = new float[10], h8 = new float[32];
            Console.WriteLine("int8 digits layers (Int8Kernels.DenseForward 32x64 ReLU + 10x32), ns per pair of calls");
            Console.WriteLine("offset      best    median   bits");
            double best0 = 0;
            // two passes, the first not printed: on one pinned core the first offset timed here ran at about 1.5 µs a
            // call for seconds (code not yet tiered up), whichever offset came first
            for (int pass = 0; pass < 2; pass++)
            {
                for (int off = 0; off < 64; off += 4)
                {
                    sbyte* pq = qbuffer + off;
                    q.CopyTo(new Span<sbyte>(pq, q.Length));
                    Action run = () =>
                    {
                        var qq = new ReadOnlySpan<sbyte>(pq, 32 * 64 + 10 * 32);
                        Int8Kernels.DenseForward<ReLUActivation>(qq.Slice(0, 2048), scales.AsSpan(0, 32), p.AsSpan(2048, 32), 32, 64, x, 1, scratch, h8);
                        Int8Kernels.DenseForward<LinearActivation>(qq.Slice(2048, 320), scales.AsSpan(32, 10), p.AsSpan(2400, 10), 10, 32, h8, 1, scratch, y8);
                    };
                    (double[] bests, double[] medians) = AlternateN(new Action<int>[] { _ => run() }, off);
                    double b = bests[0], med = medians[0];
                    run();
                    if (off == 0) { y8.CopyTo(ref8); best0 = b; }
                    bool same = true;
                    for (int i = 0; i < 10; i++) same &= BitConverter.SingleToInt32Bits(y8[i]) == BitConverter.SingleToInt32Bits(ref8[i]);
                    if (pass == 1) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{off,6}  {b,8:F1}  {med,8:F1}   {(same ? "same" : "DIFFERENT")}  (×{b / best0:F2} of offset 0)"));
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
            NativeMemory.AlignedFree(qbuffer);
        }
    }

    /// <summary>Best and median ns per call of each kernel at one offset, in alternating rounds of 40 calls (after 0.5 s of warm-up).</summary>
    private static (double[] Best, double[] Median) AlternateN(Action<int>[] kernels, int off, int rounds = 20000, int calls = 40)
    {
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) foreach (Action<int> k in kernels) k(off);
        double[][] t = new double[kernels.Length][];
        for (int k = 0; k < kernels.Length; k++) t[k] = new double[rounds];
        double tick = 1e9 / System.Diagnostics.Stopwatch.Frequency / calls;
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < kernels.Length; k++)
            {
                long s = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) kernels[k](off);
                t[k][r] = (System.Diagnostics.Stopwatch.GetTimestamp() - s) * tick;
            }
        }
        double[] best = new double[kernels.Length], median = new double[kernels.Length];
        for (int k = 0; k < kernels.Length; k++)
        {
            Array.Sort(t[k]);
            best[k] = t[k][0];
            median[k] = t[k][rounds / 2];
        }
        return (best, median);
    }
}
