using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Backprop.Generated.CompilerServices;
using Perfolizer.Horology;

namespace Backprop.Generated.Benchmarks;

// `--kernels`: the runtime's kernels (Backprop.Generated.CompilerServices) called directly, one layer shape at a time,
// against the FMA peak and L2 read rate measured in the same process: a roofline table.

/// <summary>Layer shapes (m outputs × n inputs) of the digits, mnist and deep networks.</summary>
public static class KernelShapes
{
    /// <summary>digits 32×64, 10×32; mnist 128×784, 10×128; deep 256×784, 256×256, 10×256.</summary>
    public static readonly string[] All = { "32x64", "10x32", "128x784", "10x128", "256x784", "256x256", "10x256" };

    public static (int M, int N) Parse(string shape)
    {
        int x = shape.IndexOf('x');
        return (int.Parse(shape.AsSpan(0, x), CultureInfo.InvariantCulture), int.Parse(shape.AsSpan(x + 1), CultureInfo.InvariantCulture));
    }

    /// <summary>64-byte aligned floats in [-1, 1) (the networks' parameters and batch buffers are aligned the same way).</summary>
    public static AlignedFloats Random(int length, int seed)
    {
        var buffer = new AlignedFloats(length);
        var rng = new Random(seed);
        Span<float> span = buffer.Span;
        for (int i = 0; i < span.Length; i++) span[i] = (float)(rng.NextDouble() * 2 - 1);
        return buffer;
    }
}

// The constant sizes of the batch kernels, as generated code declares them.
public readonly struct KernelSize32 : IConstantSize { public static int Value => 32; }
public readonly struct KernelSize64 : IConstantSize { public static int Value => 64; }
public readonly struct KernelSize128 : IConstantSize { public static int Value => 128; }
public readonly struct KernelSize256 : IConstantSize { public static int Value => 256; }
public readonly struct KernelSize784 : IConstantSize { public static int Value => 784; }

/// <summary>
/// The one-sample kernels (<see cref="DenseKernels"/>) on one layer: the matrix-vector product with ReLU and with no
/// activation, the one-sweep backward (weight gradient and input gradient) and its fused-SGD twin (with the input
/// gradient, as for every layer but the first).
/// </summary>
[MemoryDiagnoser]
public class DenseKernelBenchmarks
{
    private AlignedFloats _w = null!, _g = null!, _b = null!, _x = null!, _y = null!, _dz = null!, _dx = null!;
    private int _m, _n;

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Shapes => KernelShapes.All;

    [GlobalSetup]
    public void Setup()
    {
        (_m, _n) = KernelShapes.Parse(Shape);
        _w = KernelShapes.Random(_m * _n, 1);
        _g = new AlignedFloats(_m * _n);
        _b = KernelShapes.Random(_m, 2);
        _x = KernelShapes.Random(_n, 3);
        _y = new AlignedFloats(_m);
        _dz = KernelShapes.Random(_m, 4);
        _dx = new AlignedFloats(_n);
    }

    [Benchmark]
    public void GemvReLU() => DenseKernels.Gemv<ReLUActivation>(_w.Span, _b.Span, _m, _n, _x.Span, _y.Span);

    [Benchmark]
    public void GemvLinear() => DenseKernels.Gemv<LinearActivation>(_w.Span, _b.Span, _m, _n, _x.Span, _y.Span);

    [Benchmark]
    public void BackwardRows() => DenseKernels.BackwardRows(_w.Span, _g.Span, _dz.Span, _m, _n, _x.Span, _dx.Span);

    [Benchmark]
    public void BackwardRowsSgd() => DenseKernels.BackwardRowsSgd(_w.Span, _dz.Span, _m, _n, _x.Span, _dx.Span, BenchmarkSettings.LearningRate);
}

/// <summary>
/// The mini-batch kernels (<see cref="BatchKernels"/>) on one layer and one chunk of 32 samples: forward (ReLU for the
/// hidden layers, none for the 10-output layers, as the networks call it), input gradient through a ReLU below, and the
/// weight gradient (with the bias gradient).
/// </summary>
[MemoryDiagnoser]
public class BatchKernelBenchmarks
{
    private const int Chunk = BatchKernels.Chunk;
    private AlignedFloats _w = null!, _g = null!, _b = null!, _gb = null!, _xT = null!, _x = null!, _yT = null!, _dzT = null!, _dxT = null!;
    private int _m, _n;

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Shapes => KernelShapes.All;

    [GlobalSetup]
    public void Setup()
    {
        (_m, _n) = KernelShapes.Parse(Shape);
        _w = KernelShapes.Random(_m * _n, 1);
        _g = new AlignedFloats(_m * _n);
        _b = KernelShapes.Random(_m, 2);
        _gb = new AlignedFloats(_m);
        _xT = KernelShapes.Random(_n * Chunk, 3); // feature-major [n × 32]: the layer's input (and the activation below)
        _x = KernelShapes.Random(Chunk * _n, 4); // sample-major [32 × n], for the weight gradient
        _yT = new AlignedFloats(_m * Chunk);
        _dzT = KernelShapes.Random(_m * Chunk, 5);
        _dxT = new AlignedFloats(_n * Chunk);
    }

    [Benchmark]
    public void ForwardChunk()
    {
        ReadOnlySpan<float> w = _w.Span, b = _b.Span, x = _xT.Span;
        Span<float> y = _yT.Span;
        // one constant-size instantiation per shape, each called directly (what generated code does)
        switch (_n)
        {
            case 64: BatchKernels.ForwardChunk<KernelSize64, ReLUActivation>(w, b, _m, x, y); break;
            case 784: BatchKernels.ForwardChunk<KernelSize784, ReLUActivation>(w, b, _m, x, y); break;
            case 32: BatchKernels.ForwardChunk<KernelSize32, LinearActivation>(w, b, _m, x, y); break;
            case 128: BatchKernels.ForwardChunk<KernelSize128, LinearActivation>(w, b, _m, x, y); break;
            case 256 when _m == 10: BatchKernels.ForwardChunk<KernelSize256, LinearActivation>(w, b, _m, x, y); break;
            case 256: BatchKernels.ForwardChunk<KernelSize256, ReLUActivation>(w, b, _m, x, y); break;
            default: throw new InvalidOperationException($"no constant size for n = {_n}");
        }
    }

    [Benchmark]
    public void InputGradientChunk() => BatchKernels.InputGradientChunk<ReLUActivation>(_w.Span, _m, _n, _dzT.Span, _xT.Span, _dxT.Span);

    [Benchmark]
    public void WeightGradientChunk() => BatchKernels.WeightGradientChunk(_dzT.Span, _m, _n, _x.Span, Chunk, _g.Span, _gb.Span);
}

/// <summary>Runs the two kernel suites after the peak and L2 probes and prints the roofline table.</summary>
public static class KernelSuite
{
    /// <summary>
    /// Useful flops and bytes of weights (or weight gradients) streamed per call. Gemv: 2mn flops, W read (4mn bytes).
    /// BackwardRows: gW += dz·xᵀ and dx = Wᵀ·dz, 4mn flops; W read, gW read and written (12mn bytes). BackwardRowsSgd: the
    /// same 4mn flops (the update itself not counted, as the training GFLOP/s elsewhere); W read and written (8mn).
    /// Chunk kernels on 32 samples: 2mn·32 flops; W read (4mn) for forward and input gradient, gW read and written (8mn)
    /// for the weight gradient.
    /// </summary>
    public static (double Flops, double Bytes) Work(string method, int m, int n)
    {
        double mn = (double)m * n;
        return method switch
        {
            "GemvReLU" or "GemvLinear" => (2 * mn, 4 * mn),
            "BackwardRows" => (4 * mn, 12 * mn),
            "BackwardRowsSgd" => (4 * mn, 8 * mn),
            "ForwardChunk" or "InputGradientChunk" => (2 * mn * BatchKernels.Chunk, 4 * mn),
            "WeightGradientChunk" => (2 * mn * BatchKernels.Chunk, 8 * mn),
            _ => throw new ArgumentException($"no work model for kernel '{method}'", nameof(method)),
        };
    }

    public static int Run(bool shortMode, string? results)
    {
        var (peak, kind) = Peak.Measure(TimeSpan.FromSeconds(shortMode ? 1 : 3));
        var (l2, l2dot) = Peak.MeasureL2ReadGBps(TimeSpan.FromSeconds(shortMode ? 0.5 : 1.5));
        string probes = string.Create(CultureInfo.InvariantCulture,
            $"peak FMA {peak:F1} GFLOP/s ({kind}, one core); L2 read {l2:F1} GB/s summed, {l2dot:F1} GB/s as a dot product with an L1 vector");
        Console.WriteLine(probes);

        Prewarm(TimeSpan.FromSeconds(shortMode ? 1 : 2));

        // Many short iterations: on a shared machine a 5 ms iteration has a fair chance of running undisturbed (a 100 ms
        // one hardly any), and the table's rates come from the best one.
        Job job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance);
        job = shortMode
            ? job.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20).WithIterationTime(TimeInterval.FromMilliseconds(5))
            : job.WithLaunchCount(1).WithWarmupCount(10).WithIterationCount(60).WithIterationTime(TimeInterval.FromMilliseconds(5));
        IConfig config = DefaultConfig.Instance.AddJob(job.AsDefault()).WithOptions(ConfigOptions.DisableLogFile);
        var rows = new List<(int Shape, int Kernel, string Line)>();
        foreach (Summary summary in BenchmarkRunner.Run(new[] { typeof(DenseKernelBenchmarks), typeof(BatchKernelBenchmarks) }, config))
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                if (report.ResultStatistics is null) continue;
                string method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
                string shape = (string)report.BenchmarkCase.Parameters.Items.First(p => p.Name == "Shape").Value;
                (int m, int n) = KernelShapes.Parse(shape);
                (double flops, double bytes) = Work(method, m, n);
                // rates from the best iteration (as the peak, the best of many runs: on a shared machine the best is the
                // closest to an undisturbed core); the median beside it
                double best = report.ResultStatistics.Min, median = report.ResultStatistics.Median;
                double gflops = flops / best, gbps = bytes / best, intensity = flops / bytes;
                // the roof at this intensity: the FMA peak, or the L2 read rate times the flops per byte
                double roof = Math.Min(peak, intensity * l2);
                rows.Add((Array.IndexOf(KernelShapes.All, shape), Array.IndexOf(Kernels, method), string.Create(CultureInfo.InvariantCulture,
                    $"| {method} | {m} × {n} | {Time(median)} | {Time(best)} | {gflops:F1} | {100 * gflops / peak:F0}% | {gbps:F0} | {100 * gbps / l2:F0}% | {intensity:F2} | {(roof < peak ? "L2" : "FMA")} {100 * gflops / roof:F0}% |")));
            }
        }
        var lines = new List<string>
        {
            probes,
            "",
            "| kernel | m × n | median | best | GFLOP/s | % of FMA peak | GB/s of weights | % of L2 read | flop/byte | roof, % of it |",
            "|---|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(rows.OrderBy(r => r.Kernel < 4 ? 0 : 1).ThenBy(r => r.Shape).ThenBy(r => r.Kernel).Select(r => r.Line));
        lines.Add("");
        lines.Add("Rates from the best iteration; GB/s counts the weights (or weight gradients) each call streams (x, dz and the "
            + "chunk buffers are extra); roof: the lower of the FMA peak and the L2 read rate × flop/byte.");
        foreach (string line in lines) Console.WriteLine(line);
        if (results is not null)
        {
            System.IO.File.WriteAllLines(results, lines);
            Console.WriteLine($"results: {results}");
        }
        return 0;
    }

    /// <summary>
    /// Every kernel instantiation at every shape, round after round, until it has run in tier-1 JIT code: without this
    /// the first shape to use an instantiation was measured partly in tier-0/OSR code (3× to 60× slower in places),
    /// BenchmarkDotNet's warm-up being shorter than tiered compilation's call-counting delay plus the background compile.
    /// </summary>
    private static void Prewarm(TimeSpan budget)
    {
        var actions = new List<Action>();
        foreach (string shape in KernelShapes.All)
        {
            var dense = new DenseKernelBenchmarks { Shape = shape };
            dense.Setup();
            actions.AddRange(new Action[] { dense.GemvReLU, dense.GemvLinear, dense.BackwardRows, dense.BackwardRowsSgd });
            var batch = new BatchKernelBenchmarks { Shape = shape };
            batch.Setup();
            actions.AddRange(new Action[] { batch.ForwardChunk, batch.InputGradientChunk, batch.WeightGradientChunk });
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < budget)
        {
            foreach (Action action in actions)
            {
                for (int i = 0; i < 50; i++) action();
            }
        }
    }

    private static readonly string[] Kernels =
        { "GemvReLU", "GemvLinear", "BackwardRows", "BackwardRowsSgd", "ForwardChunk", "InputGradientChunk", "WeightGradientChunk" };

    private static string Time(double ns) => ns < 1000
        ? ns.ToString("F1", CultureInfo.InvariantCulture) + " ns"
        : (ns / 1000).ToString("F2", CultureInfo.InvariantCulture) + " µs";
}
