using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Benchmarks;

/// <summary>FashionCnn of issue 14: two 5×5 convolutions with max pooling, then softmax.</summary>
[Network(Loss.CrossEntropy)]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnn { }

/// <summary>SensorNet of issue 14: a strided 1-D convolution, average pooling, a second convolution, global average pooling, softmax.</summary>
[Network(Loss.CrossEntropy)]
[Input(3, 128)]
[Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]
[AvgPool1D(2)]
[Conv1D(16, 3, Activation.Tanh)]
[GlobalAveragePool]
[Dense(4, Activation.Softmax)]
public partial class SensorNet { }

/// <summary>
/// <c>--conv-networks [--onnx DIR] [--short] [--results file]</c>: the whole convolutional networks of issue 14 on the calling
/// thread (run it under <c>taskset -c 1</c>): one-sample <c>Forward</c> (and ONNX Runtime's on DIR/{network}.onnx, made
/// by <c>conv_bench.py --onnx DIR</c> from the weights <c>--export-weights DIR</c> writes, checked against the generated
/// outputs first), a training step (<c>Backward</c> over the mini-batch, <c>Sgd.Step</c>, <c>ZeroGradients</c>) at 32 and
/// 256 samples, and where the step's time goes at 256: each convolution kernel timed alone as the generated
/// <c>Backward</c> calls it (blocks of 32 samples), as GFLOP/s and % of the FMA peak measured in the same process, and
/// what remains for pooling, activations, the Dense layer, the loss and the step. Stopwatch timings: the median and the
/// best of many rounds of at least ~2 ms each. <c>conv_bench.py</c> gives PyTorch's side; <c>conv_report.py</c> joins them.
/// </summary>
public static class ConvNetworkSuite
{
    /// <summary>The benchmarked convolutional networks, as fresh networks of seed 1 (names as conv_bench.py's).</summary>
    public static readonly (string Name, Func<INetwork> Create)[] Networks =
    {
        ("fashioncnn", () => new FashionCnn(1)),
        ("sensornet", () => new SensorNet(1)),
    };

    /// <summary>A convolution as the generated code calls it.</summary>
    private sealed record Conv(string Network, string Label, ConvShape Shape, bool First);

    private static readonly Conv[] Convs =
    {
        new("fashioncnn", "conv1: Conv2D 1→16 5×5 pad 2 on 28×28", ConvShape.TwoD(1, 28, 28, 16, 5, 1, 2, 1), true),
        new("fashioncnn", "conv2: Conv2D 16→32 5×5 pad 2 on 14×14", ConvShape.TwoD(16, 14, 14, 32, 5, 1, 2, 1), false),
        new("sensornet", "conv1: Conv1D 3→8 k5 s2 p2 on 128", ConvShape.OneD(3, 128, 8, 5, 2, 2, 1), true),
        new("sensornet", "conv2: Conv1D 8→16 k3 on 32", ConvShape.OneD(8, 32, 16, 3, 1, 0, 1), false),
    };

    /// <summary>A pooling layer as the generated code calls it.</summary>
    private sealed record Pool(string Network, string Label, PoolShape Shape, bool Max);

    private static readonly Pool[] Pools =
    {
        new("fashioncnn", "pool1: MaxPool2D 2 on 16×28×28", new PoolShape(16, 28, 28, 2, 2), true),
        new("fashioncnn", "pool2: MaxPool2D 2 on 32×14×14", new PoolShape(32, 14, 14, 2, 2), true),
        new("sensornet", "pool1: AvgPool1D 2 on 8×64", new PoolShape(8, 1, 64, 1, 2), false),
        new("sensornet", "GlobalAveragePool on 16×30", new PoolShape(16, 1, 30, 1, 30), false),
    };

    /// <summary>Samples per block of the generated mini-batch Backward (BatchBackward).</summary>
    private const int Block = 32;

    public static int Run(bool shortMode, string? directory, string? results)
    {
        var (peak, kind) = Peak.Measure(TimeSpan.FromSeconds(shortMode ? 1 : 3));
        double budget = shortMode ? 0.3 : 1.5;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"peak FMA: {peak:F1} GFLOP/s ({kind}, one core; the process sees {Environment.ProcessorCount} CPU(s)); load average {LoadAverage()}"),
        };
        Console.WriteLine(lines[0]);
        var tsv = new List<string>();

        foreach (var (name, create) in Networks)
        {
            INetwork net = create();
            if (directory is not null) OnnxRuntimePeer.SetBiases(net); // what --export-weights wrote
            int nIn = net.InputSize, nOut = net.OutputSize;
            (float[] x1, _) = MakeData(1, nIn, nOut, 7);
            float[] y1 = new float[nOut];
            var (fMedian, fBest) = Measure(() => net.Forward(x1, y1), budget);
            Add(lines, tsv, name, "forward", "generated", 1, fMedian, fBest);
            if (directory is not null)
            {
                using var peer = new OnnxRuntimePeer(name, nIn, nOut, 1, directory);
                peer.Check(net, x1);
                var (oMedian, oBest) = Measure(peer.Run, budget);
                Add(lines, tsv, name, "forward", "OnnxRuntime", 1, oMedian, oBest);
            }
            foreach (int batch in new[] { 32, 256 })
            {
                INetwork train = create();
                var sgd = new Sgd(BenchmarkSettings.LearningRate);
                (float[] x, float[] t) = MakeData(batch, nIn, nOut, 7);
                var (tMedian, tBest) = Measure(() =>
                {
                    train.Backward(x, t);
                    sgd.Step(train);
                    train.ZeroGradients();
                }, budget);
                Add(lines, tsv, name, "batch", "generated", batch, tMedian, tBest);
                if (batch == 256) Profile(lines, tsv, name, tBest, peak, budget);
            }
        }
        if (results is not null)
        {
            string tmp = results + ".tmp";
            System.IO.File.WriteAllLines(tmp, new[] { "network\tgroup\timpl\tbatch\tmedian_ns\tmin_ns\textra" }
                .Concat(new[] { string.Create(CultureInfo.InvariantCulture, $"peak\t{kind}\t-\t-\t{peak:R}\t0\t{LoadAverage()}") })
                .Concat(tsv));
            System.IO.File.Move(tmp, results, overwrite: true);
            Console.WriteLine($"results: {results}");
        }
        return 0;
    }

    /// <summary>
    /// The convolution kernels of one network's training step at 256 samples, each timed alone on blocks of 32 samples
    /// (8 calls, as the generated Backward makes them), against the whole step's best time <paramref name="step"/>.
    /// </summary>
    private static void Profile(List<string> lines, List<string> tsv, string network, double step, double peak, double budget)
    {
        const int batch = 256;
        double convTotal = 0;
        foreach (Conv conv in Convs.Where(c => c.Network == network))
        {
            ConvShape shape = conv.Shape;
            AlignedFloats w = KernelShapes.Random(shape.WeightCount, 1), b = KernelShapes.Random(shape.Filters, 2);
            AlignedFloats x = KernelShapes.Random(Block * shape.InputSize, 3), dz = KernelShapes.Random(Block * shape.OutputSize, 4);
            AlignedFloats z = new(Block * shape.OutputSize), dx = new(Block * shape.InputSize);
            AlignedFloats gw = new(shape.WeightCount), gb = new(shape.Filters);
            var passes = new List<(string, Action)>
            {
                ("forward", () => ConvKernels.Forward(shape, w.Span, b.Span, x.Span, z.Span, Block)),
                ("weight gradient", () => ConvKernels.AddWeightGradient(shape, x.Span, dz.Span, gw.Span, gb.Span, Block)),
            };
            if (!conv.First) passes.Add(("input gradient", () => ConvKernels.InputGradient(shape, w.Span, dz.Span, dx.Span, Block)));
            double flops = 2.0 * batch * shape.MultiplyAdds;
            foreach (var (pass, action) in passes)
            {
                var (median, best) = Measure(action, budget / 2);
                double t = best * batch / Block;
                convTotal += t;
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"  {network} {conv.Label} {pass}, 256 samples as 8 blocks of 32: {t / 1e3:F1} µs, {flops / t:F1} GFLOP/s, {100 * flops / t / peak:F0}% of the FMA peak, {100 * t / step:F0}% of the step");
                lines.Add(line);
                Console.WriteLine(line);
                tsv.Add(string.Create(CultureInfo.InvariantCulture, $"{network}\tlayer\t{conv.Label} | {pass}\t{batch}\t{median * batch / Block:R}\t{t:R}\t{flops / t:F2}"));
            }
        }
        double poolTotal = 0, elementwise = 0;
        foreach (Pool pool in Pools.Where(p => p.Network == network))
        {
            PoolShape shape = pool.Shape;
            AlignedFloats x = KernelShapes.Random(Block * shape.InputSize, 5), dy = KernelShapes.Random(Block * shape.OutputSize, 6);
            AlignedFloats y = new(Block * shape.OutputSize), dx = new(Block * shape.InputSize);
            (string, Action)[] passes = pool.Max
                ? new (string, Action)[]
                {
                    ("forward", () => PoolKernels.MaxForward(shape, x.Span, y.Span, Block)),
                    ("backward", () => PoolKernels.MaxBackward(shape, x.Span, dy.Span, dx.Span, Block)),
                }
                : new (string, Action)[]
                {
                    ("forward", () => PoolKernels.AverageForward(shape, x.Span, y.Span, Block)),
                    ("backward", () => PoolKernels.AverageBackward(shape, dy.Span, dx.Span, Block)),
                };
            foreach (var (pass, action) in passes)
            {
                var (median, best) = Measure(action, budget / 4);
                double t = best * batch / Block;
                poolTotal += t;
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"  {network} {pool.Label} {pass}, 256 samples as 8 blocks of 32: {t / 1e3:F1} µs, {100 * t / step:F0}% of the step");
                lines.Add(line);
                Console.WriteLine(line);
                tsv.Add(string.Create(CultureInfo.InvariantCulture, $"{network}	layer	{pool.Label} | {pass}	{batch}	{median * batch / Block:R}	{t:R}	-"));
            }
        }
        if (network == "fashioncnn")
        {
            // The generated code's element-wise ReLU passes of one block (FashionCnn.g.cs, BackwardSamples): the runtime kernels it calls,
            // then the same passes as scalar loops (MathF.Max and the a > 0 mask, the plain-loop baseline).
            AlignedFloats h0 = KernelShapes.Random(Block * 12544, 8), d0 = KernelShapes.Random(Block * 12544, 9);
            AlignedFloats h2 = KernelShapes.Random(Block * 6272, 10), d2 = KernelShapes.Random(Block * 6272, 11);
            var (median, best) = Measure(() => ReLUKernels(h0.Span, d0.Span, h2.Span, d2.Span, Block), budget / 4);
            double t = best * batch / Block;
            elementwise = t;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"  {network} the ReLU passes (ActivationKernels.ReLU forward, DenseKernels.ChainDerivative backward; both convolutions), 256 samples as 8 blocks of 32: {t / 1e3:F1} µs, {100 * t / step:F0}% of the step");
            lines.Add(line);
            Console.WriteLine(line);
            tsv.Add(string.Create(CultureInfo.InvariantCulture, $"{network}\tlayer\tReLU kernels\t{batch}\t{median * batch / Block:R}\t{t:R}\t-"));
            var (lMedian, lBest) = Measure(() => ReLULoops(h0.Span, d0.Span, h2.Span, d2.Span, Block), budget / 4);
            double tl = lBest * batch / Block;
            string lline = string.Create(CultureInfo.InvariantCulture,
                $"  {network} the same passes as scalar loops (MathF.Max, h > 0 ? d : 0): {tl / 1e3:F1} µs, {tl / t:F1}× the kernels' time");
            lines.Add(lline);
            Console.WriteLine(lline);
            tsv.Add(string.Create(CultureInfo.InvariantCulture, $"{network}\tlayer\tReLU loops\t{batch}\t{lMedian * batch / Block:R}\t{tl:R}\t-"));
        }
        string rest = string.Create(CultureInfo.InvariantCulture,
            $"  {network} the step's best {step / 1e3:F1} µs: convolution kernels {convTotal / 1e3:F1} µs ({100 * convTotal / step:F0}%), pooling kernels {poolTotal / 1e3:F1} µs ({100 * poolTotal / step:F0}%), ReLU kernels {elementwise / 1e3:F1} µs ({100 * elementwise / step:F0}%), everything else (Dense, loss, SGD step, zeroing, glue, other processes) {(step - convTotal - poolTotal - elementwise) / 1e3:F1} µs");
        lines.Add(rest);
        Console.WriteLine(rest);
        tsv.Add(string.Create(CultureInfo.InvariantCulture, $"{network}\tprofile\tconv kernels, pool kernels, step\t{batch}\t{convTotal:R}\t{poolTotal:R}\t{step:R}"));
    }

    /// <summary>FashionCnn's ReLU passes of one block of k samples as the generated code makes them (forward on h0 and h2, then the masks on d2 and d0).</summary>
    private static void ReLUKernels(Span<float> h0, Span<float> d0, Span<float> h2, Span<float> d2, int k)
    {
        ActivationKernels.ReLU(h0.Slice(0, k * 12544));
        ActivationKernels.ReLU(h2.Slice(0, k * 6272));
        DenseKernels.ChainDerivative<ReLUActivation>(h2, d2, d2.Slice(0, k * 6272));
        DenseKernels.ChainDerivative<ReLUActivation>(h0, d0, d0.Slice(0, k * 12544));
    }

    /// <summary>The passes of <see cref="ReLUKernels"/> as scalar loops (the plain-loop baseline).</summary>
    private static void ReLULoops(Span<float> h0, Span<float> d0, Span<float> h2, Span<float> d2, int k)
    {
        for (int e = 0; e < k * 12544; e++) h0[e] = MathF.Max(h0[e], 0f);
        for (int e = 0; e < k * 6272; e++) h2[e] = MathF.Max(h2[e], 0f);
        for (int e = 0; e < k * 6272; e++) d2[e] = h2[e] > 0f ? d2[e] : 0f;
        for (int e = 0; e < k * 12544; e++) d0[e] = h0[e] > 0f ? d0[e] : 0f;
    }

    private static void Add(List<string> lines, List<string> tsv, string network, string group, string impl, int batch, double median, double best)
    {
        string rate = group == "batch" ? string.Create(CultureInfo.InvariantCulture, $" ({batch / (median / 1e9):N0} samples/s at the median)") : "";
        string line = string.Create(CultureInfo.InvariantCulture, $"{network} {group} {impl} batch {batch}: median {median / 1e3:F2} µs, best {best / 1e3:F2} µs{rate}");
        lines.Add(line);
        Console.WriteLine(line);
        tsv.Add(string.Create(CultureInfo.InvariantCulture, $"{network}\t{group}\t{impl}\t{batch}\t{median:R}\t{best:R}\t-"));
    }

    /// <summary>k deterministic samples: inputs in [-1, 1), one-hot targets.</summary>
    private static (float[] Inputs, float[] Targets) MakeData(int k, int inputSize, int outputSize, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[k * inputSize], t = new float[k * outputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int s = 0; s < k; s++) t[s * outputSize + rng.Next(outputSize)] = 1f;
        return (x, t);
    }

    /// <summary>
    /// (median, best) ns per call: a warm-up of at least 1.2 s into tier-1 code, then rounds of enough calls to last ~2 ms
    /// (one call when a call is longer) for about <paramref name="budget"/> seconds, at least 15 rounds.
    /// </summary>
    private static (double Median, double Best) Measure(Action action, double budget)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 1.2 || calls < 40)
        {
            action();
            calls++;
        }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        int n = Math.Max(1, (int)(0.002 / perCall));
        var times = new List<double>();
        sw.Restart();
        while (times.Count < 15 || sw.Elapsed.TotalSeconds < budget)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++) action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / n);
        }
        times.Sort();
        return (times[times.Count / 2], times[0]);
    }

    private static string LoadAverage()
    {
        try { return System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " / " + b); }
        catch (System.IO.IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }
}
