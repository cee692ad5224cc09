using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// Usage: dotnet run -c Release --project benchmarks/Backprop.Generated.Benchmarks -- [--short] [--network xor|digits|mnist|deep]...
/// [--group forward|step|batch]... [--results file.tsv] [--peak-only] [--no-peak] [--quick] [--kernels] [--conv-kernels] [--conv-networks] [--onnx DIR] [--int8]
/// <para>--onnx DIR runs the ONNX Runtime peer on DIR/{network}.onnx (forward at 1, 32 and 256 samples);
/// --export-weights DIR writes DIR/{network}.safetensors for benchmarks/export_onnx.py and exits;
/// --kernels runs the runtime kernels' roofline suite instead of the networks; --conv-kernels the convolution and pooling
/// kernels on the layers of FashionCnn and SensorNet (GFLOP/s, % of the FMA peak, × the plain loops); --conv-networks those two
/// networks whole (one-sample Forward, with ONNX Runtime's under --onnx DIR; training at 32 and 256; where the step's time goes); --latency [--user] the one-sample
/// breakdown of the small networks (steady state, or as a user's program runs).</para>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool shortMode = false, peakOnly = false, noPeak = false, quick = false, kernels = false, convKernels = false, convNetworks = false, noBaseline = false;
        var networks = new List<string>();
        var groups = new List<string>();
        string? results = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--short": shortMode = true; break;
                case "--quick": quick = true; break;
                case "--kernels": kernels = true; break; // the runtime's kernels by layer shape: KernelBenchmarks.cs
                case "--conv-kernels": convKernels = true; break; // the convolution and pooling kernels: ConvKernelBenchmarks.cs
                case "--conv-networks": convNetworks = true; break; // FashionCnn and SensorNet whole: ConvNetworkBenchmarks.cs
                case "--no-baseline": noBaseline = true; break; // --conv-kernels without the plain loops
                case "--probe": Probes.Run(); return 0;
                case "--short-row-probes": ShortRowProbes.Run(); return 0;
                case "--int8": Int8Comparison.Run(); return 0; // int8 against float32 baked networks: Int8.cs
                case "--int8-conv": Int8ConvComparison.Run(i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : null); return 0; // FashionCnn int8 vs float32: Int8Conv.cs
                case "--int8-spin": Int8Parts.Spin(); return 0; // for a profiler: Int8.cs
                case "--int8-digits": Int8Digits.Run(); return 0; // one-sample digits, int8 against float32, short alternating rounds: Int8.cs
                case "--align": Alignment.Run(); return 0; // the digits layers with their weights at every offset from a 64-byte line: Alignment.cs
                case "--int8-parts": Int8Parts.Run(); return 0; // the digits layers' int8 kernels against float32 Gemv: Int8.cs
                case "--latency": Latency.Run(user: Array.IndexOf(args, "--user") >= 0); return 0;
                case "--peak-only": peakOnly = true; break;
                case "--no-peak": noPeak = true; break;
                case "--network": networks.Add(args[++i]); break;
                case "--group": groups.Add(args[++i]); break;
                case "--results": results = args[++i]; break;
                case "--onnx": OnnxRuntimePeer.Directory = Path.GetFullPath(args[++i]); break;
                case "--export-weights": OnnxRuntimePeer.ExportWeights(args[++i]); return 0;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; see Program.cs for the usage");
                    return 2;
            }
        }
        foreach (string n in networks) NetworkSpec.ByName(n);
        foreach (string g in groups)
        {
            if (g is not ("forward" or "step" or "batch")) { Console.Error.WriteLine($"unknown group {g}"); return 2; }
        }

        if (kernels) return KernelSuite.Run(shortMode, results);
        if (convKernels) return ConvKernelSuite.Run(shortMode, !noBaseline, results);
        if (convNetworks) return ConvNetworkSuite.Run(shortMode, OnnxRuntimePeer.Directory, results);
        NetworkSpec[] selected = networks.Count > 0 ? networks.Select(NetworkSpec.ByName).ToArray() : NetworkSpec.All;
        if (OnnxRuntimePeer.Directory is not null && (groups.Count == 0 || groups.Contains("forward")) && !peakOnly && !quick)
        {
            // ONNX Runtime's outputs against the generated Forward's, before anything is timed (--quick checks each
            // peer where it creates it).
            OnnxRuntimePeer.CheckAll(OnnxRuntimePeer.Directory, selected);
        }

        if (quick)
        {
            Quick.Run(networks.ToArray(), groups.ToArray());
            return 0;
        }

        var lines = new List<string>();
        if (!noPeak)
        {
            var (gflops, kind) = Peak.Measure(TimeSpan.FromSeconds(shortMode ? 1 : 3));
            Console.WriteLine($"peak FMA: {gflops.ToString("F1", CultureInfo.InvariantCulture)} GFLOP/s ({kind}, one core)");
            lines.Add($"peak\t{kind}\t-\t-\t{gflops.ToString("R", CultureInfo.InvariantCulture)}\t0\t0");
            var (l2, l2dot) = Peak.MeasureL2ReadGBps(TimeSpan.FromSeconds(shortMode ? 0.5 : 1.5));
            Console.WriteLine($"L2 read: {l2.ToString("F1", CultureInfo.InvariantCulture)} GB/s, as a dot product with an L1 vector {l2dot.ToString("F1", CultureInfo.InvariantCulture)} GB/s (one core)");
            lines.Add($"l2read\tGB/s\t-\t-\t{l2.ToString("R", CultureInfo.InvariantCulture)}\t{l2dot.ToString("R", CultureInfo.InvariantCulture)}\t0");
        }
        if (!peakOnly)
        {
            // Every implementation's methods reach tier-1 JIT before BenchmarkDotNet starts measuring anything.
            Prewarm(TimeSpan.FromMilliseconds(shortMode ? 300 : 1000));
            Job job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance);
            job = shortMode
                ? job.WithLaunchCount(1).WithWarmupCount(4).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(60))
                : job.WithLaunchCount(1).WithWarmupCount(4).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(200));
            IConfig config = DefaultConfig.Instance.AddJob(job.AsDefault()).WithOptions(ConfigOptions.DisableLogFile);
            if (groups.Count > 0) config = config.AddFilter(new AnyCategoriesFilter(groups.ToArray()));
            if (OnnxRuntimePeer.Directory is null)
            {
                Console.WriteLine("no --onnx DIR: the ONNX Runtime peer is not run");
                config = config.AddFilter(new SimpleFilter(b => !b.Descriptor.WorkloadMethod.Name.EndsWith("_OnnxRuntime", StringComparison.Ordinal)));
            }

            string[] names = networks.Count > 0 ? networks.ToArray() : NetworkSpec.All.Select(s => s.Name).ToArray();
            var types = new List<Type>();
            foreach (string n in names)
            {
                string prefix = char.ToUpperInvariant(n[0]) + n.Substring(1);
                if (groups.Count == 0 || groups.Contains("forward") || groups.Contains("step")) types.Add(Type.GetType($"Backprop.Generated.Benchmarks.{prefix}_Single")!);
                if (groups.Count == 0 || groups.Contains("forward")) types.Add(Type.GetType($"Backprop.Generated.Benchmarks.{prefix}_BatchForward")!);
                if (groups.Count == 0 || groups.Contains("batch")) types.Add(Type.GetType($"Backprop.Generated.Benchmarks.{prefix}_Batch")!);
            }
            foreach (Summary summary in BenchmarkRunner.Run(types.ToArray(), config))
            {
                foreach (BenchmarkReport report in summary.Reports)
                {
                    if (report.ResultStatistics is null) continue;
                    string type = report.BenchmarkCase.Descriptor.Type.Name;
                    string network = type.Substring(0, type.IndexOf('_')).ToLowerInvariant();
                    string[] method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name.Split('_');
                    object? batch = report.BenchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Batch")?.Value;
                    if (method[1] == "Generated2" && (batch is not int b || b < 64 || NetworkSpec.All.First(s => s.Name == network).CreateGenerated(1) is not IParallelBackward))
                    {
                        continue; // one thread in fact: fewer than two chunks, or no batch path
                    }
                    long bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
                    lines.Add(string.Join('\t', network, method[0].ToLowerInvariant(), method[1], batch?.ToString() ?? "1",
                        report.ResultStatistics.Median.ToString("R", CultureInfo.InvariantCulture),
                        report.ResultStatistics.Min.ToString("R", CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }
        foreach (var ((network, batch), diff) in OnnxRuntimePeer.Checks.OrderBy(c => c.Key))
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"ortcheck\t{network}\t-\t{batch}\t{diff:R}\t0\t0"));
        }
        if (results is not null)
        {
            File.WriteAllLines(results, new[] { "network\tgroup\timpl\tbatch\tmedian_ns\tmin_ns\tbytes (the peak line: kind, GFLOP/s)" }.Concat(lines));
            Console.WriteLine($"results: {results}");
        }
        return 0;
    }

    private static void Prewarm(TimeSpan perNetwork)
    {
        foreach (NetworkSpec spec in NetworkSpec.All)
        {
            INetwork net = spec.CreateGenerated(1);
            IBaselineMlp[] baselines = { new LoopMlp(spec, 1), new TensorPrimitivesMlp(spec, 1) };
            var sgd = new Sgd(BenchmarkSettings.LearningRate);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (sw.Elapsed < perNetwork)
            {
                foreach (int k in new[] { 1, 32 })
                {
                    (float[] x, float[] t) = spec.MakeData(k, 3);
                    float[] y = new float[k * spec.OutputSize];
                    net.Forward(x, y);
                    net.Backward(x, t);
                    sgd.Step(net);
                    net.ZeroGradients();
                    if (k == 1) ((ISgdTrainStep)net).TrainStep(x, t, BenchmarkSettings.LearningRate);
                    foreach (IBaselineMlp b in baselines)
                    {
                        b.Forward(x, y);
                        b.Backward(x, t);
                        b.Step(BenchmarkSettings.LearningRate);
                        b.ZeroGradients();
                    }
                }
            }
        }
    }
}
