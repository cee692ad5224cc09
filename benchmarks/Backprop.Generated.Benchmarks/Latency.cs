using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// --latency: one-sample latency of the small networks, and where the digits network's time goes.
/// <para>Steady state (default): the FMA peak loop, then each operation timed as best-of-rounds and median-of-rounds
/// (every operation run for 0.2 s first, then each timed in 301 rounds of ~0.2 ms after a 0.5 s warm-up: short enough that most rounds run undisturbed on a shared core), the digits network's kernels called one at a time with its shapes.</para>
/// <para>--user: what a user's program sees: a fresh network, a 0.5 s warm-up loop, then 1,000,000 calls (100,000 for
/// mnist, 20,000 for deep) timed as one loop, five times. Run it with no DOTNET_ variables set (tiered compilation on,
/// default call counting) to see what tiering costs.</para>
/// </summary>
public static class Latency
{
    private const int Rounds = 301;

    public static void Run(bool user)
    {
        if (user)
        {
            RunUser();
            return;
        }
        var (gflops, kind) = Peak.Measure(TimeSpan.FromSeconds(1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak FMA: {gflops:F1} GFLOP/s ({kind}, one core; the process sees {Environment.ProcessorCount} CPU(s)); digits' 2,368 multiply-adds at that rate: {2 * 2368 / gflops:F1} ns"));
        Console.WriteLine($"{"operation",-58} {"best ns",9} {"median ns",10}");

        var d = new DigitsOps(pixels: false);
        var px = new DigitsOps(pixels: true);
        Console.WriteLine($"digits inputs: x in [-1, 1) ({d.Inactive} of 32 ReLU units off), and pixel-like x in [0, 1) as the digits sample feeds it ({px.Inactive} of 32 off)");
        var rows = new List<(string Name, Func<int, (double, double)> Time)>
        {
            Row("digits: NetworkGuard.SampleCount", new GuardOp()),
            Row("digits: DenseKernels.Gemv<ReLU> 32×64 (layer 0)", new Gemv0Op(d)),
            Row("digits: DenseKernels.Gemv<Linear> 10×32 (layer 1)", new Gemv1Op(d)),
            Row("digits: softmax of 10 (Softmax.Apply)", new SoftmaxOp(d)),
            Row("digits: both Gemv + softmax, no guard/call glue", new ForwardKernelsOp(d)),
            Row("digits: Forward (whole call)", new ForwardOp(d)),
            Row("digits: BackwardRowsSgd 10×32 with dx (layer 1)", new Sgd1Op(d)),
            Row("digits: BackwardRowsSgd 32×64, no dx (layer 0)", new Sgd0Op(d)),
            Row("digits: softmax + cross-entropy at the logits (10)", new SoftmaxLossOp(d)),
            Row("digits: TrainStep's kernels in sequence, no glue", new TrainStepKernelsOp(d)),
            Row("digits: TrainStep (whole call)", new TrainStepOp(d)),
            Row("digits, pixel x: BackwardRowsSgd 32×64, no dx (layer 0)", new Sgd0Op(px)),
            Row("digits, pixel x: TrainStep's kernels in sequence", new TrainStepKernelsOp(px)),
            Row("digits, pixel x: TrainStep (whole call)", new TrainStepOp(px)),
            Row("digits, pixel x: Forward (whole call)", new ForwardOp(px)),
            Row("xor: Forward", new NetForwardOp(new XorNet(1), 2, 1)),
            Row("mnist: Forward", new NetForwardOp(new MnistNet(1), 784, 10)),
            Row("deep: Forward", new NetForwardOp(new DeepNet(1), 784, 10)),
        };
        // BENCH_ONLY=text: only the rows whose name contains it, run for BENCH_SECONDS (default 10) each after the
        // warm-up rounds below (for a profiler: perf record with DOTNET_PerfMapEnabled=1)
        string? only = Environment.GetEnvironmentVariable("BENCH_ONLY");
        if (only is not null)
        {
            rows.RemoveAll(row => !row.Name.Contains(only, StringComparison.Ordinal));
            foreach (var row in rows) row.Time(200);
            foreach (var row in rows) row.Time(100);
            int seconds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SECONDS"), out int s) ? s : 10;
            foreach (var row in rows) row.Time(seconds * 1000);
        }
        // Every operation runs once first, so all their code is jitted before any is measured: tiered compilation waits
        // for 100 ms without new tier-0 code before it counts calls (1 s when the process sees one CPU, as under taskset).
        // A second round, with nothing new to jit, lets the call counting start and every kernel reach tier 1.
        foreach (var row in rows) row.Time(200);
        foreach (var row in rows) row.Time(100);
        foreach (var row in rows)
        {
            (double best, double median) = row.Time(500);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Name,-58} {best,9:F1} {median,10:F1}"));
        }
    }

    private static (string, Func<int, (double, double)>) Row<T>(string name, T op) where T : struct, IOp =>
        (name, warmMs => Time(ref op, warmMs));

    /// <summary>(best, median) ns per call over <see cref="Rounds"/> rounds of about 0.2 ms, after a warm-up.</summary>
    public static (double Best, double Median) Time<T>(ref T op, int warmMs) where T : struct, IOp
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < warmMs) Loop(ref op, 100);
        var sw = Stopwatch.StartNew();
        int n = 0;
        while (sw.Elapsed.TotalMilliseconds < 0.2) { Loop(ref op, 10); n += 10; }
        var times = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Loop(ref op, n);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / n;
        }
        Array.Sort(times);
        return (times[0], times[Rounds / 2]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Loop<T>(ref T op, int n) where T : struct, IOp
    {
        for (int i = 0; i < n; i++) op.Run();
    }

    private static void RunUser()
    {
        Console.WriteLine("as a user's program runs: fresh network, 0.5 s warm-up, then one timed loop (ns per call), five loops");
        var digits = new DigitsNet(1);
        (float[] dx, float[] dt) = NetworkSpec.Digits.MakeData(1, 7);
        float[] dy = new float[10];
        User("xor Forward", 1_000_000, new XorNet(1), 2, 1);
        User("digits Forward", 1_000_000, digits, 64, 10);
        User("mnist Forward", 100_000, new MnistNet(1), 784, 10);
        User("deep Forward", 20_000, new DeepNet(1), 784, 10);
        Print("digits TrainStep", TrainSteps(new DigitsNet(1), dx, dt));
        // the same with pixel-like inputs in [0, 1) (|x| of the same draw), as the digits sample feeds the network
        for (int i = 0; i < dx.Length; i++) dx[i] = MathF.Abs(dx[i]);
        Print("digits TrainStep px", TrainSteps(new DigitsNet(1), dx, dt));
    }

    private static void User(string name, int calls, IInferenceNetwork net, int inputs, int outputs)
    {
        float[] x = new float[inputs], y = new float[outputs];
        var rng = new Random(7);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var times = new List<double>();
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) net.Forward(x, y);
        for (int r = 0; r < 5; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) net.Forward(x, y);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / calls);
        }
        Print(name, times);
    }

    /// <summary>ns per TrainStep of five loops of a million steps, after 0.5 s of warm-up.</summary>
    private static List<double> TrainSteps(DigitsNet net, float[] x, float[] target)
    {
        var times = new List<double>();
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) net.TrainStep(x, target, BenchmarkSettings.LearningRate);
        for (int r = 0; r < 5; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < 1_000_000; i++) net.TrainStep(x, target, BenchmarkSettings.LearningRate);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / 1_000_000);
        }
        return times;
    }

    private static void Print(string name, List<double> times)
    {
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-20} min {times[0],8:F1}  median {times[times.Count / 2],8:F1}  max {times[^1],8:F1}   ({string.Join(", ", times.Select(t => t.ToString("F1", CultureInfo.InvariantCulture)))})"));
    }

    public interface IOp
    {
        void Run();
    }

    /// <summary>The digits network's parameters and buffers, sliced as its generated code slices them.</summary>
    private sealed class DigitsOps
    {
        public readonly DigitsNet Net = new(1);
        public readonly float[] X, T, Y = new float[10], Dz = new float[10], Buffer = new float[126];
        public readonly AlignedFloats Copy = new(DigitsNet.ParameterCount);

        /// <summary>ReLU units of layer 0 that are off for X (their rows of dz0 are +0).</summary>
        public readonly int Inactive;

        /// <param name="pixels">x in [0, 1) (|x| of the same draw), as the digits sample's pixels / 16; else in [-1, 1).</param>
        public DigitsOps(bool pixels)
        {
            (X, T) = NetworkSpec.Digits.MakeData(1, 7);
            if (pixels) for (int i = 0; i < X.Length; i++) X[i] = MathF.Abs(X[i]);
            Net.Parameters.CopyTo(Copy.Span);
            DigitsNet warm = new(1);
            warm.Forward(X, Y);
            new DigitsNet(1).Forward(X, Buffer.AsSpan(32, 10)); // a0 and z1 hold a forward's values
            DenseKernels.Gemv<ReLUActivation>(Copy.Span.Slice(0, 2048), Copy.Span.Slice(2048, 32), 32, 64, X, Buffer.AsSpan(0, 32));
            for (int j = 52; j < 94; j++) Buffer[j] = 0.01f * (j - 70);
            // dz0 = da0 ⊙ relu'(z0): +0 in the rows of the units that are off, as in a TrainStep
            DenseKernels.ChainDerivative<ReLUActivation>(Buffer.AsSpan(0, 32), Buffer.AsSpan(62, 32), Buffer.AsSpan(94, 32));
            for (int j = 0; j < 32; j++) if (Buffer[j] == 0f) Inactive++;
        }
    }

    private readonly struct GuardOp : IOp
    {
        public void Run() => Sink = NetworkGuard.SampleCount(Sink + 64, 64, 10, 10, "inputs", "outputs") - 1;

        private static int Sink;
    }

    private readonly struct Gemv0Op(DigitsOps d) : IOp
    {
        public void Run()
        {
            Span<float> p = d.Copy.Span;
            DenseKernels.Gemv<ReLUActivation>(p.Slice(0, 2048), p.Slice(2048, 32), 32, 64, d.X, d.Buffer.AsSpan(0, 32));
        }
    }

    private readonly struct Gemv1Op(DigitsOps d) : IOp
    {
        public void Run()
        {
            Span<float> p = d.Copy.Span;
            DenseKernels.Gemv<LinearActivation>(p.Slice(2080, 320), p.Slice(2400, 10), 10, 32, d.Buffer.AsSpan(0, 32), d.Buffer.AsSpan(32, 10));
        }
    }

    private readonly struct SoftmaxOp(DigitsOps d) : IOp
    {
        public void Run() => Softmax(d.Buffer.AsSpan(32, 10), d.Y);
    }

    /// <summary>The generated softmax (Digits.verified.cs): the runtime's, z into y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Softmax(ReadOnlySpan<float> z, Span<float> y) => Backprop.Generated.CompilerServices.Softmax.Apply(z, y);

    private readonly struct ForwardKernelsOp(DigitsOps d) : IOp
    {
        public void Run()
        {
            Span<float> p = d.Copy.Span;
            Span<float> a0 = d.Buffer.AsSpan(0, 32);
            DenseKernels.Gemv<ReLUActivation>(p.Slice(0, 2048), p.Slice(2048, 32), 32, 64, d.X, a0);
            DenseKernels.Gemv<LinearActivation>(p.Slice(2080, 320), p.Slice(2400, 10), 10, 32, a0, d.Y);
            Softmax(d.Y, d.Y);
        }
    }

    private readonly struct ForwardOp(DigitsOps d) : IOp
    {
        public void Run() => d.Net.Forward(d.X, d.Y);
    }

    private readonly struct Sgd1Op(DigitsOps d) : IOp
    {
        // learning rate 0: the weights keep their values however often it runs
        public void Run() => DenseKernels.BackwardRowsSgd(d.Copy.Span.Slice(2080, 320), d.Buffer.AsSpan(52, 10), 10, 32, d.Buffer.AsSpan(0, 32), d.Buffer.AsSpan(62, 32), 0f);
    }

    private readonly struct Sgd0Op(DigitsOps d) : IOp
    {
        public void Run() => DenseKernels.BackwardRowsSgd(d.Copy.Span.Slice(0, 2048), d.Buffer.AsSpan(94, 32), 32, 64, d.X, default, 0f);
    }

    /// <summary>The generated TrainStep's loss step: softmax with its log-sum-exp, then the cross-entropy and ∂ℓ/∂z.</summary>
    private readonly struct SoftmaxLossOp(DigitsOps d) : IOp
    {
        public void Run()
        {
            ReadOnlySpan<float> z = d.Buffer.AsSpan(32, 10);
            float lse = Backprop.Generated.CompilerServices.Softmax.ApplyLogSumExp(z, d.Y);
            Sink += LossKernels.CrossEntropyAtLogits(z, d.Y, lse, d.T, d.Dz, 1f);
        }

        private static float Sink;
    }

    /// <summary>Every runtime call of the generated TrainStep in its order (learning rate 0), without the generated loops between them.</summary>
    private readonly struct TrainStepKernelsOp(DigitsOps d) : IOp
    {
        public void Run()
        {
            Span<float> p = d.Copy.Span;
            Span<float> a0 = d.Buffer.AsSpan(0, 32);
            Span<float> z1 = d.Buffer.AsSpan(32, 10);
            DenseKernels.Gemv<ReLUActivation>(p.Slice(0, 2048), p.Slice(2048, 32), 32, 64, d.X, a0);
            DenseKernels.Gemv<LinearActivation>(p.Slice(2080, 320), p.Slice(2400, 10), 10, 32, a0, z1);
            float lse = Backprop.Generated.CompilerServices.Softmax.ApplyLogSumExp(z1, d.Y);
            LossKernels.CrossEntropyAtLogits(z1, d.Y, lse, d.T, d.Dz, 1f);
            DenseKernels.BackwardRowsSgd(p.Slice(2080, 320), d.Dz, 10, 32, a0, d.Buffer.AsSpan(62, 32), 0f);
            DenseKernels.BackwardRowsSgd(p.Slice(0, 2048), d.Buffer.AsSpan(94, 32), 32, 64, d.X, default, 0f);
        }
    }

    private readonly struct TrainStepOp(DigitsOps d) : IOp
    {
        public void Run() => d.Net.TrainStep(d.X, d.T, BenchmarkSettings.LearningRate);
    }

    private readonly struct NetForwardOp(IInferenceNetwork net, int inputs, int outputs) : IOp
    {
        private readonly float[] _x = Enumerable.Range(0, inputs).Select(i => (float)Math.Sin(i)).ToArray();
        private readonly float[] _y = new float[outputs];

        public void Run() => net.Forward(_x, _y);
    }
}
