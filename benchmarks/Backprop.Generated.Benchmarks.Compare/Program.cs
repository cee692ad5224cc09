using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Backprop.Generated;

namespace Backprop.Generated.Benchmarks.Compare;

// The four reference networks of the benchmarks, declared as in ../Backprop.Generated.Benchmarks/Networks.cs.

[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet { }

[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }

[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistNet { }

[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DeepNet { }

/// <summary>
/// Usage: Backprop.Generated.Benchmarks.Compare [--user] [--network xor|digits|mnist|deep]...
/// <para>Without --user: the rows of the benchmarks' table for the generated code (forward and train step on 1 sample,
/// fused train step, train on batches of 32 and 256, and 256 on two cores), best-of Stopwatch timings as --quick.</para>
/// <para>--user (one network, digits by default): what a program sees from its first call, under whatever runtime
/// settings the process has: mean time per call over calls 1–1,000, 1,001–10,000, 10,001–100,000 and
/// 100,001–1,000,000, then the best-of timing with no further warm-up.</para>
/// Output lines: row, network, measure, batch, ns per call (tab-separated); with --user also jit, window, methods
/// compiled so far, milliseconds spent compiling them (System.Runtime.JitInfo).
/// </summary>
public static class Program
{
    private const float LearningRate = 1e-3f;

    public static int Main(string[] args)
    {
        bool user = false;
        var networks = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--user": user = true; break;
                case "--network" when i + 1 < args.Length: networks.Add(args[++i]); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; expected --user or --network xor|digits|mnist|deep");
                    return 2;
            }
        }
        foreach (string n in networks)
        {
            if (Array.IndexOf(new[] { "xor", "digits", "mnist", "deep" }, n) < 0)
            {
                Console.Error.WriteLine($"unknown network '{n}'; expected xor, digits, mnist or deep");
                return 2;
            }
        }
        if (user)
        {
            if (networks.Count > 1)
            {
                Console.Error.WriteLine("--user measures one network per process (tiering state is per process)");
                return 2;
            }
            User(networks.Count == 1 ? networks[0] : "digits");
            return 0;
        }
        foreach (string name in new[] { "xor", "digits", "mnist", "deep" })
        {
            if (networks.Count > 0 && !networks.Contains(name)) continue;
            Rows(name);
        }
        return 0;
    }

    private static INetwork Create(string name) => name switch
    {
        "xor" => new XorNet(1),
        "digits" => new DigitsNet(1),
        "mnist" => new MnistNet(1),
        _ => new DeepNet(1),
    };

    private static void Rows(string name)
    {
        INetwork net = Create(name);
        var sgd = new Sgd(LearningRate);
        foreach (int batch in new[] { 1, 32, 256 })
        {
            (float[] x, float[] t) = MakeData(net, batch, 7);
            float[] y = new float[batch * net.OutputSize];
            if (batch == 1)
            {
                Print(name, "forward", 1, Time(() => net.Forward(x, y)));
                Print(name, "step", 1, Time(() => { net.Backward(x, t); sgd.Step(net); net.ZeroGradients(); }));
                var fused = (ISgdTrainStep)net;
                Print(name, "fused", 1, Time(() => fused.TrainStep(x, t, LearningRate)));
                continue;
            }
            Print(name, "batch", batch, Time(() => { net.Backward(x, t); sgd.Step(net); net.ZeroGradients(); }));
            if (batch == 256 && net is IParallelBackward parallel)
            {
                parallel.MaxDegreeOfParallelism = 2;
                Print(name, "batch2", batch, Time(() => { net.Backward(x, t); sgd.Step(net); net.ZeroGradients(); }));
                parallel.MaxDegreeOfParallelism = 1;
            }
        }
    }

    private static void User(string name)
    {
        INetwork net = Create(name);
        (float[] x, _) = MakeData(net, 1, 7);
        float[] y = new float[net.OutputSize];
        long done = 0;
        foreach (long end in new long[] { 1_000, 10_000, 100_000, 1_000_000 })
        {
            long start = Stopwatch.GetTimestamp();
            for (long i = done; i < end; i++) net.Forward(x, y);
            double ns = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / (end - done);
            string window = string.Create(CultureInfo.InvariantCulture, $"calls {done + 1:N0}–{end:N0}");
            Print(name, $"forward, {window} (mean)", 1, ns);
            // methods the JIT compiled so far in this process (every tier) and the time it took
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"jit\t{window}\t{System.Runtime.JitInfo.GetCompiledMethodCount()}\t{System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F2}"));
            done = end;
        }
        Print(name, "forward, then best-of", 1, Time(() => net.Forward(x, y), warmUpMilliseconds: 0));
    }

    private static void Print(string network, string measure, int batch, double ns) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"row\t{network}\t{measure}\t{batch}\t{ns:F2}"));

    /// <summary>k deterministic samples: inputs in [-1, 1), one-hot targets (0/1 for one output), as the benchmarks' MakeData.</summary>
    private static (float[] Inputs, float[] Targets) MakeData(INetwork net, int k, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[k * net.InputSize];
        float[] t = new float[k * net.OutputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int s = 0; s < k; s++)
        {
            if (net.OutputSize == 1) t[s] = rng.Next(2);
            else t[s * net.OutputSize + rng.Next(net.OutputSize)] = 1f;
        }
        return (x, t);
    }

    /// <summary>Best ns per call over 30 rounds of about 3 ms each, after a warm-up (as the benchmarks' --quick).</summary>
    private static double Time(Action action, int warmUpMilliseconds = 400)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < warmUpMilliseconds) action();
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
