using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// `--conv-kernels`: the runtime's convolution and pooling kernels (<see cref="ConvKernels"/>, <see cref="PoolKernels"/>)
/// called directly on the layers of FashionCnn and SensorNet (issue 14) at 1, 32 and 256 samples: forward, input
/// gradient and weight gradient, as GFLOP/s (2 × samples × multiply-adds per call, the same count for all three) and as
/// a fraction of the FMA peak measured in the same process, beside the plain loops the kernels replaced
/// (<c>ConvKernels.*Loops</c>, what runs without SIMD hardware). Stopwatch best-of timings (the best of many runs of
/// at least ~2 ms each, so on a shared machine some run sees the core undisturbed), not BenchmarkDotNet: the loops take
/// up to a second per call at 256 samples. <c>--no-baseline</c> leaves the loops out (a quick look while working on the kernels).
/// </summary>
public static class ConvKernelSuite
{
    /// <summary>A convolution layer of the two networks.</summary>
    private sealed record ConvLayer(string Network, string Name, ConvShape Shape, bool First);

    /// <summary>A pooling layer of the two networks.</summary>
    private sealed record PoolLayer(string Network, string Name, PoolShape Shape, bool Max);

    private static readonly ConvLayer[] ConvLayers =
    {
        // FashionCnn: [Input(1,28,28)] Conv2D(16,5,ReLU,Padding=2) MaxPool2D(2) Conv2D(32,5,ReLU,Padding=2) MaxPool2D(2) Dense(10,Softmax)
        new("FashionCnn", "Conv2D 1→16 5×5 pad 2 on 28×28", ConvShape.TwoD(1, 28, 28, 16, 5, 1, 2, 1), true),
        new("FashionCnn", "Conv2D 16→32 5×5 pad 2 on 14×14", ConvShape.TwoD(16, 14, 14, 32, 5, 1, 2, 1), false),
        // SensorNet: [Input(3,128)] Conv1D(8,5,ReLU,Stride=2,Padding=2) AvgPool1D(2) Conv1D(16,3,Tanh) GlobalAveragePool Dense(4,Softmax)
        new("SensorNet", "Conv1D 3→8 k5 s2 p2 on 128", ConvShape.OneD(3, 128, 8, 5, 2, 2, 1), true),
        new("SensorNet", "Conv1D 8→16 k3 on 32", ConvShape.OneD(8, 32, 16, 3, 1, 0, 1), false),
    };

    private static readonly PoolLayer[] PoolLayers =
    {
        new("FashionCnn", "MaxPool2D 2 on 16×28×28", new PoolShape(16, 28, 28, 2, 2), true),
        new("FashionCnn", "MaxPool2D 2 on 32×14×14", new PoolShape(32, 14, 14, 2, 2), true),
        new("SensorNet", "AvgPool1D 2 on 8×64", new PoolShape(8, 1, 64, 1, 2), false),
        new("SensorNet", "GlobalAveragePool on 16×30", new PoolShape(16, 1, 30, 1, 30), false),
    };

    private static readonly int[] Batches = { 1, 32, 256 };

    public static int Run(bool shortMode, bool baseline, string? results)
    {
        var (peak, kind) = Peak.Measure(TimeSpan.FromSeconds(shortMode ? 1 : 3));
        double budget = shortMode ? 0.15 : 0.5;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"peak FMA: {peak:F1} GFLOP/s ({kind}, one core); widest SIMD: {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256" : "none")}; load average {LoadAverage()}"),
            "",
            "| network | layer | pass | batch | kernels | GFLOP/s | % of FMA peak | plain loops | GFLOP/s | × loops |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
        };
        Console.WriteLine(lines[0]);
        foreach (ConvLayer layer in ConvLayers)
        {
            ConvShape shape = layer.Shape;
            foreach (int batch in Batches)
            {
                AlignedFloats w = KernelShapes.Random(shape.WeightCount, 1), b = KernelShapes.Random(shape.Filters, 2);
                AlignedFloats x = KernelShapes.Random(batch * shape.InputSize, 3), dz = KernelShapes.Random(batch * shape.OutputSize, 4);
                AlignedFloats z = new(batch * shape.OutputSize), dx = new(batch * shape.InputSize);
                AlignedFloats gw = new(shape.WeightCount), gb = new(shape.Filters);
                double flops = 2.0 * batch * shape.MultiplyAdds;
                var passes = new List<(string Pass, Action Fast, Action Loops)>
                {
                    ("forward", () => ConvKernels.Forward(shape, w.Span, b.Span, x.Span, z.Span, batch),
                        () => ConvKernels.ForwardLoops(shape, w.Span, b.Span, x.Span, z.Span, batch)),
                    ("input gradient", () => ConvKernels.InputGradient(shape, w.Span, dz.Span, dx.Span, batch),
                        () => ConvKernels.InputGradientLoops(shape, w.Span, dz.Span, dx.Span, batch)),
                    ("weight gradient", () => ConvKernels.AddWeightGradient(shape, x.Span, dz.Span, gw.Span, gb.Span, batch),
                        () => ConvKernels.AddWeightGradientLoops(shape, x.Span, dz.Span, gw.Span, gb.Span, batch)),
                };
                foreach (var (pass, fast, loops) in passes)
                {
                    double tFast = Best(fast, budget), tLoops = baseline ? Best(loops, budget) : double.NaN;
                    string note = layer.First && pass == "input gradient" ? " (first layer: not needed in training)" : "";
                    string line = string.Create(CultureInfo.InvariantCulture,
                        $"| {layer.Network} | {layer.Name} | {pass}{note} | {batch} | {Time(tFast)} | {flops / tFast / 1e9:F1} | {100 * flops / tFast / 1e9 / peak:F0}% | {Time(tLoops)} | {flops / tLoops / 1e9:F2} | {tLoops / tFast:F1}× |");
                    lines.Add(line);
                    Console.WriteLine(line);
                }
            }
        }
        lines.Add("");
        lines.Add("| network | layer | pass | batch | time | GB/s (input + output read and written) |");
        lines.Add("|---|---|---|---:|---:|---:|");
        foreach (PoolLayer layer in PoolLayers)
        {
            PoolShape shape = layer.Shape;
            foreach (int batch in Batches)
            {
                AlignedFloats x = KernelShapes.Random(batch * shape.InputSize, 5), dy = KernelShapes.Random(batch * shape.OutputSize, 6);
                AlignedFloats y = new(batch * shape.OutputSize), dx = new(batch * shape.InputSize);
                double bytes = 4.0 * batch * (shape.InputSize + shape.OutputSize);
                (string, Action, double)[] passes = layer.Max
                    ? new (string, Action, double)[]
                    {
                        ("forward", () => PoolKernels.MaxForward(shape, x.Span, y.Span, batch), bytes),
                        ("backward", () => PoolKernels.MaxBackward(shape, x.Span, dy.Span, dx.Span, batch), bytes + 4.0 * batch * shape.InputSize),
                    }
                    : new (string, Action, double)[]
                    {
                        ("forward", () => PoolKernels.AverageForward(shape, x.Span, y.Span, batch), bytes),
                        ("backward", () => PoolKernels.AverageBackward(shape, dy.Span, dx.Span, batch), bytes),
                    };
                foreach (var (pass, action, moved) in passes)
                {
                    double t = Best(action, budget);
                    string line = string.Create(CultureInfo.InvariantCulture, $"| {layer.Network} | {layer.Name} | {pass} | {batch} | {Time(t)} | {moved / t / 1e9:F1} |");
                    lines.Add(line);
                    Console.WriteLine(line);
                }
            }
        }
        lines.Add("");
        lines.Add("Best of many timed runs; GFLOP/s = 2 × batch × multiply-adds of the layer / time (forward, input gradient and "
            + "weight gradient have the same count); % of the FMA peak measured above in the same process.");
        if (results is not null)
        {
            System.IO.File.WriteAllLines(results, lines);
            Console.WriteLine($"results: {results}");
        }
        else
        {
            Console.WriteLine();
            foreach (string line in lines) Console.WriteLine(line);
        }
        return 0;
    }

    /// <summary>Seconds per call: warm-up into tier-1 code, then the best of timed runs of enough calls to last ~2 ms, for about <paramref name="budget"/> seconds (at least 3 runs).</summary>
    private static double Best(Action action, double budget)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.05 || calls < 40)
        {
            action();
            calls++;
            if (sw.Elapsed.TotalSeconds > 2 * budget) break; // the loops at 256 samples: each call is long, tiering is done early
        }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int n = Math.Max(1, (int)(0.002 / perCall));
        double best = double.MaxValue;
        sw.Restart();
        int runs = 0;
        while (runs < 3 || sw.Elapsed.TotalSeconds < budget)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++) action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / n);
            runs++;
        }
        return best;
    }

    private static string LoadAverage()
    {
        try { return System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " / " + b); }
        catch (System.IO.IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    private static string Time(double seconds) => seconds < 1e-3
        ? (seconds * 1e6).ToString("F2", CultureInfo.InvariantCulture) + " µs"
        : (seconds * 1e3).ToString("F2", CultureInfo.InvariantCulture) + " ms";
}
