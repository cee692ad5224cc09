using System.Diagnostics;
using Backprop.Generated;
using Backprop.Generated.CompilerServices;

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

public readonly struct S64 : IConstantSize { public static int Value => 64; }
public readonly struct S32 : IConstantSize { public static int Value => 32; }
public readonly struct S784 : IConstantSize { public static int Value => 784; }
public readonly struct S128 : IConstantSize { public static int Value => 128; }

/// <summary>
/// Batched Forward of digits (64-32-10) and mnist (784-128-10) on 256 samples, whole and by part: the input transpose,
/// each layer's chunk kernel, the softmax down the chunk's columns and the output transpose (and, for comparison, the
/// per-sample softmax the batch path called before), each timed alone on one chunk of 32
/// samples (best of 200 rounds of about 1 ms after a second of warm-up calls). Run:
/// <c>dotnet run -c Release --project benchmarks/ForwardParts</c>.
/// </summary>
public static class Program
{
    // best of `rounds` rounds, each the mean of `reps` calls, in ns per call
    private static double Time(Action a, int reps = 200, int rounds = 200)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 1000) a(); // a second of calls first: every method tiered up, as in a running program
        long t = Stopwatch.GetTimestamp(); a(); double once = Math.Max(1, Stopwatch.GetTimestamp() - t) * 1e9 / Stopwatch.Frequency;
        reps = Math.Max(1, (int)(1e6 / once));
        double best = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) a();
            double ns = (Stopwatch.GetTimestamp() - t0) * 1e9 / Stopwatch.Frequency / reps;
            best = Math.Min(best, ns);
        }
        return best;
    }

    private static float[] Rand(int n, int seed) { var r = new Random(seed); var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1); return a; }

    public static void Main(string[] args)
    {
        Console.WriteLine($"Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}");
        if (args.Contains("--context"))
        {
            Context.Run(args.Contains("--rounds") ? int.Parse(args[Array.IndexOf(args, "--rounds") + 1]) : 400);
            return;
        }
        Parts("digits", 64, 32, 10, new DigitsNet(seed: 1), (w, b, x, y) => BatchKernels.ForwardChunk<S64, ReLUActivation>(w, b, 32, x, y), (w, b, x, y) => BatchKernels.ForwardChunk<S32, LinearActivation>(w, b, 10, x, y));
        Parts("mnist", 784, 128, 10, new MnistNet(seed: 1), (w, b, x, y) => BatchKernels.ForwardChunk<S784, ReLUActivation>(w, b, 128, x, y), (w, b, x, y) => BatchKernels.ForwardChunk<S128, LinearActivation>(w, b, 10, x, y));
    }

    delegate void Layer(ReadOnlySpan<float> w, ReadOnlySpan<float> b, ReadOnlySpan<float> x, Span<float> y);

    private static void Parts(string name, int n0, int h, int o, INetwork net, Layer l0, Layer l1)
    {
        const int K = 256, C = 32;
        float[] inputs = Rand(K * n0, 3), outputs = new float[K * o];
        double fwd = Time(() => net.Forward(inputs, outputs), 20);
        float[] w0 = Rand(h * n0, 1), b0 = Rand(h, 2), w1 = Rand(o * h, 4), b1 = Rand(o, 5);
        var xT = new AlignedFloats(n0 * C); var hT = new AlignedFloats(h * C); var zT = new AlignedFloats(o * C);
        double tIn = Time(() => BatchKernels.ToFeatureMajor(inputs.AsSpan(0, C * n0), n0, C, xT.Span));
        double tL0 = Time(() => l0(w0, b0, xT.Span, hT.Span));
        double tL1 = Time(() => l1(w1, b1, hT.Span, zT.Span));
        double tOut = Time(() => BatchKernels.ToSampleMajor(zT.Span, o, C, outputs.AsSpan(0, C * o)));
        double tSm = Time(() => { for (int s = 0; s < C; s++) Softmax.Apply(outputs.AsSpan(s * o, o), outputs.AsSpan(s * o, o)); });
        double tSmChunk = Time(() => BatchKernels.SoftmaxChunk(zT.Span, o));
        double chunks = K / C;
        double sum = chunks * (tIn + tL0 + tL1 + tOut + tSmChunk);
        Console.WriteLine($"{name} Forward 256: {fwd / 1000:F2} us ({K / fwd * 1e9:N0} samples/s); parts x8: sum {sum / 1000:F2} us");
        void P(string what, double t) => Console.WriteLine($"  {what,-28} {t:F0} ns/chunk  {100 * chunks * t / fwd,5:F1}%");
        P("ToFeatureMajor", tIn); P($"ForwardChunk {h}x{n0}", tL0); P($"ForwardChunk {o}x{h}", tL1); P("SoftmaxChunk", tSmChunk); P("ToSampleMajor", tOut); P("(softmax x32 per sample)", tSm);
        double flops0 = 2.0 * h * n0 * C, flops1 = 2.0 * o * h * C;
        Console.WriteLine($"  layer0 {flops0 / tL0:F1} GFLOP/s, layer1 {flops1 / tL1:F1} GFLOP/s, whole {2.0 * K * (h * n0 + o * h) / fwd:F1} GFLOP/s");
    }
}

/// <summary>
/// --context: whether mnist's batched Forward loses anything at 256 samples against 32 that the parts timed alone do
/// not show (the 784 KiB of inputs and the 392 KiB of W0 together exceed Zen 4's 1 MiB L2). Every variant runs once per
/// round, round-robin, and keeps its fastest call (so preemption by other processes drops out): Forward on 32 and on
/// 256 samples per sample; the chunk loop of ForwardChunks rebuilt from the kernels, reading each chunk's own inputs
/// (streamed) or chunk 0's every time (in cache); layer 0 alone over 8 different input blocks or the same one; and the
/// parts' time inside the loop at 32 and at 256 samples.
/// </summary>
public static class Context
{
    private const int C = 32, N0 = 784, H = 128, O = 10;
    private static readonly float[] W0 = Rand(H * N0, 1), B0 = Rand(H, 2), W1 = Rand(O * H, 4), B1 = Rand(O, 5);
    private static readonly AlignedFloats XT = new(N0 * C), HT = new(H * C), ZT = new(O * C), XAll = new(N0 * 256);
    private static readonly long[] Part = new long[4];

    private static float[] Rand(int n, int seed) { var r = new Random(seed); var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1); return a; }

    // ForwardChunks of the generated mnist network, from the kernels (its own weights, so W0 is a separate 392 KiB)
    private static void Chunks(float[] inputs, float[] outputs, int k, bool sameInputs, bool timeParts)
    {
        for (int s0 = 0; s0 < k; s0 += C)
        {
            long t0 = Stopwatch.GetTimestamp();
            BatchKernels.ToFeatureMajor(inputs.AsSpan((sameInputs ? 0 : s0) * N0, C * N0), N0, C, XT.Span);
            long t1 = Stopwatch.GetTimestamp();
            BatchKernels.ForwardChunk<S784, ReLUActivation>(W0, B0, H, XT.Span, HT.Span);
            long t2 = Stopwatch.GetTimestamp();
            BatchKernels.ForwardChunk<S128, LinearActivation>(W1, B1, O, HT.Span, ZT.Span);
            long t3 = Stopwatch.GetTimestamp();
            BatchKernels.SoftmaxChunk(ZT.Span, O);
            BatchKernels.ToSampleMajor(ZT.Span, O, C, outputs.AsSpan(s0 * O, C * O));
            long t4 = Stopwatch.GetTimestamp();
            if (timeParts) { Part[0] += t1 - t0; Part[1] += t2 - t1; Part[2] += t3 - t2; Part[3] += t4 - t3; }
        }
    }

    public static void Run(int rounds)
    {
        var net = new MnistNet(seed: 1);
        float[] x256 = Rand(256 * N0, 3), y256 = new float[256 * O], x32 = Rand(32 * N0, 3), y32 = new float[32 * O];
        for (int s0 = 0; s0 < 256; s0 += C) BatchKernels.ToFeatureMajor(x256.AsSpan(s0 * N0, C * N0), N0, C, XAll.Span.Slice(s0 * N0, C * N0));
        var variants = new (string Name, int K, Action Run)[]
        {
            ("Forward, 32 samples", 32, () => net.Forward(x32, y32)),
            ("Forward, 256 samples", 256, () => net.Forward(x256, y256)),
            ("chunk loop, inputs streamed", 256, () => Chunks(x256, y256, 256, false, false)),
            ("chunk loop, chunk 0's inputs", 256, () => Chunks(x256, y256, 256, true, false)),
            ("layer 0 alone, 8 blocks", 256, () => { for (int s0 = 0; s0 < 256; s0 += C) BatchKernels.ForwardChunk<S784, ReLUActivation>(W0, B0, H, XAll.Span.Slice(s0 * N0, C * N0), HT.Span); }),
            ("layer 0 alone, 1 block", 256, () => { for (int s0 = 0; s0 < 256; s0 += C) BatchKernels.ForwardChunk<S784, ReLUActivation>(W0, B0, H, XAll.Span.Slice(0, C * N0), HT.Span); }),
        };
        var best = new double[variants.Length];
        Array.Fill(best, double.MaxValue);
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 1500) foreach (var v in variants) v.Run();
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < variants.Length; i++)
            {
                long t = Stopwatch.GetTimestamp(); variants[i].Run();
                best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(t).TotalMicroseconds * 1e3);
            }
        }
        double flops = 2.0 * (N0 * H + H * O);
        Console.WriteLine($"mnist 784-128-10, fastest of {rounds} calls each, round-robin:");
        for (int i = 0; i < variants.Length; i++)
        {
            double perSample = best[i] / variants[i].K;
            Console.WriteLine($"  {variants[i].Name,-30} {best[i] / 1000,8:F1} us  {perSample,7:F1} ns/sample  {flops / perSample,6:F1} GFLOP/s");
        }
        foreach (int k in new[] { 32, 256 })
        {
            var bestPart = new double[4];
            Array.Fill(bestPart, double.MaxValue);
            float[] x = k == 32 ? x32 : x256, y = k == 32 ? y32 : y256;
            for (int r = 0; r < rounds; r++)
            {
                Array.Clear(Part);
                Chunks(x, y, k, false, true);
                for (int j = 0; j < 4; j++) bestPart[j] = Math.Min(bestPart[j], Part[j] * 1e9 / Stopwatch.Frequency / (k / C));
            }
            Console.WriteLine($"  parts inside the loop at {k,3} samples, per chunk: ToFeatureMajor {bestPart[0]:F0} ns, layer 0 {bestPart[1]:F0} ns " +
                $"({2.0 * N0 * H * C / bestPart[1]:F1} GFLOP/s), layer 1 {bestPart[2]:F0} ns, SoftmaxChunk + ToSampleMajor {bestPart[3]:F0} ns");
        }
    }
}
