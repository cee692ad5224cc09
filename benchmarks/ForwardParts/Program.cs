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
