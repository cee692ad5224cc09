using System;
using System.Diagnostics;
using System.Globalization;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// --quick: a fast check while working on kernels (not the published numbers): best-of-many Stopwatch timings of the
/// generated code and the TensorPrimitives baseline, without BenchmarkDotNet's statistics.
/// </summary>
public static class Quick
{
    public static void Run(string[] networks, string[] groups)
    {
        if (Want(groups, "forward"))
        {
            // What the one-sample forward passes of xor (4 tanh, 1 exp) and digits (10 exp) spend on scalar transcendentals.
            float[] v = { 0.3f, -1.2f, 0.7f, 2.1f, -0.4f, 1.5f, -2.2f, 0.1f, 0.9f, -0.6f, 1.1f, -1.7f, 0.5f, 0.2f };
            int c = 0;
            float sink = 0;
            double tanh4 = Time(() => { int k = (c++) & 3; sink += MathF.Tanh(v[k]) + MathF.Tanh(v[k + 1]) + MathF.Tanh(v[k + 2]) + MathF.Tanh(v[k + 3]); });
            double exp10 = Time(() => { int k = (c++) & 3; float s = 0; for (int j = 0; j < 10; j++) s += MathF.Exp(v[k + j]); sink += s; });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scalar transcendentals: 4 × MathF.Tanh {tanh4:F1} ns (xor's hidden layer), 10 × MathF.Exp {exp10:F1} ns (digits' softmax){(sink == 1234 ? " " : "")}"));
        }
        foreach (NetworkSpec spec in NetworkSpec.All)
        {
            if (networks.Length > 0 && Array.IndexOf(networks, spec.Name) < 0) continue;
            INetwork net = spec.CreateGenerated(1);
            var tp = new TensorPrimitivesMlp(spec, 1);
            var sgd = new Sgd(BenchmarkSettings.LearningRate);
            foreach (int batch in new[] { 1, 32, 256 })
            {
                (float[] x, float[] t) = spec.MakeData(batch, 7);
                float[] y = new float[batch * spec.OutputSize];
                if (batch == 1 && Want(groups, "forward"))
                {
                    Report(spec, "forward", batch, Time(() => net.Forward(x, y)), Time(() => tp.Forward(x, y)));
                }
                if (Want(groups, "forward") && OnnxRuntimePeer.Directory is not null)
                {
                    // The ONNX Runtime peer (checked against the generated Forward first) at 1, 32 and 256 samples, against
                    // a network holding the exported weights (`net` has taken training steps by now).
                    INetwork fresh = spec.CreateGenerated(1);
                    OnnxRuntimePeer.LoadExportedWeights(fresh, spec, OnnxRuntimePeer.Directory);
                    using var ort = new OnnxRuntimePeer(spec, batch, OnnxRuntimePeer.Directory);
                    ort.Check(fresh, x);
                    double gen = Time(() => fresh.Forward(x, y));
                    double bound = Time(ort.Run), values = Time(ort.RunWithValues);
                    long allocGen = AllocatedPerCall(() => fresh.Forward(x, y));
                    long allocBound = AllocatedPerCall(ort.Run), allocValues = AllocatedPerCall(ort.RunWithValues);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{spec.Name,-7}{"onnx",-8}{batch,4}  generated {gen / 1e3,10:F2} µs ({allocGen} B/call)   ONNX Runtime {bound / 1e3,10:F2} µs (IO binding, {allocBound} B/call), " +
                        $"{values / 1e3:F2} µs (Run with OrtValues, {allocValues} B/call)   ×{Math.Min(bound, values) / gen,6:F2}"));
                }
                if (Want(groups, batch == 1 ? "step" : "batch"))
                {
                    double gen = Time(() => { net.Backward(x, t); sgd.Step(net); net.ZeroGradients(); });
                    double tpt = Time(() => { tp.Backward(x, t); tp.Step(BenchmarkSettings.LearningRate); tp.ZeroGradients(); });
                    Report(spec, batch == 1 ? "step" : "batch", batch, gen, tpt);
                    if (batch == 256 && net is IParallelBackward parallel)
                    {
                        parallel.MaxDegreeOfParallelism = 2;
                        Report(spec, "batch2", batch, Time(() => { net.Backward(x, t); sgd.Step(net); net.ZeroGradients(); }), tpt);
                        parallel.MaxDegreeOfParallelism = 1;
                    }
                    if (batch == 1)
                    {
                        var fused = (ISgdTrainStep)net;
                        Report(spec, "fused", batch, Time(() => fused.TrainStep(x, t, BenchmarkSettings.LearningRate)), tpt);
                    }
                }
            }
        }
    }

    private static bool Want(string[] groups, string group) => groups.Length == 0 || Array.IndexOf(groups, group) >= 0;

    private static void Report(NetworkSpec spec, string group, int batch, double gen, double tp)
    {
        string extra = "";
        if (batch > 1)
        {
            double flops = 2.0 * batch * (3 * spec.MacsPerSample - (long)spec.Sizes[0] * spec.Sizes[1]);
            extra = $"  {flops / gen:F1} GFLOP/s";
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Name,-7}{group,-8}{batch,4}  generated {gen / 1e3,10:F2} µs   TensorPrimitives {tp / 1e3,10:F2} µs   ×{tp / gen,6:F2}{extra}"));
    }

    /// <summary>Managed bytes allocated on this thread per call, over 1,000 calls after a warm-up.</summary>
    public static long AllocatedPerCall(Action action)
    {
        for (int i = 0; i < 100; i++) action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
    }

    /// <summary>Best ns per call over 30 rounds of about 3 ms each, after a warm-up of 0.4 s (past tiered JIT's tier-up).</summary>
    public static double Time(Action action)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 400) action();
        var sw = Stopwatch.StartNew();
        int n = 0;
        while (sw.ElapsedMilliseconds < 3 || n < 2) { action(); n++; }
        double best = double.MaxValue;
        for (int round = 0; round < 30; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++) action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / n);
        }
        return best;
    }
}
