using System;
using System.Globalization;

namespace Backprop.Generated.Benchmarks;

// Baked networks, float32 and int8, with the same weights: weights/{digits,mnist,deep}.safetensors, written by
// `--export-weights benchmarks/Backprop.Generated.Benchmarks/weights` (the reference networks initialized from seed 1,
// biases 0.05·sin) and listed as BakedWeights items in the project file.

/// <summary>digits 64-32-10, float32 weights baked in.</summary>
[Network(Loss.CrossEntropy, Weights = "digits.safetensors")]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsBaked { }

/// <summary>digits 64-32-10, int8.</summary>
[Network(Loss.CrossEntropy, Weights = "digits.safetensors", Precision = Precision.Int8)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsInt8 { }

/// <summary>mnist 784-128-10, float32 weights baked in.</summary>
[Network(Loss.CrossEntropy, Weights = "mnist.safetensors")]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistBaked { }

/// <summary>mnist 784-128-10, int8.</summary>
[Network(Loss.CrossEntropy, Weights = "mnist.safetensors", Precision = Precision.Int8)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistInt8 { }

/// <summary>deep 784-256-256-256-10, float32 weights baked in.</summary>
[Network(Loss.CrossEntropy, Weights = "deep.safetensors")]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DeepBaked { }

/// <summary>deep 784-256-256-256-10, int8.</summary>
[Network(Loss.CrossEntropy, Weights = "deep.safetensors", Precision = Precision.Int8)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DeepInt8 { }

/// <summary>
/// --int8: int8 against float32 baked networks with the same weights, one-sample Forward and Forward on 256 samples,
/// timed alternately in one run (best of 30 rounds each, see <see cref="Quick.Time"/>), as ratios; plus the bytes each
/// stores and the largest output difference on the timed inputs. Inputs are image-like, in [0, 1) (the int8 path's
/// common case: no negative value, one product per weight), and again in [−1, 1) (two products per weight in the
/// first layer).
/// </summary>
public static class Int8Comparison
{
    public static void Run()
    {
        // Every network at both sizes until its code is optimized (on a busy machine the JIT's background tier-up
        // can take seconds of wall time, and the first timings would catch it half-way).
        IInferenceNetwork[] all = { new DigitsBaked(), new DigitsInt8(), new MnistBaked(), new MnistInt8(), new DeepBaked(), new DeepInt8() };
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 3000)
        {
            foreach (IInferenceNetwork net in all)
            {
                foreach (int k in new[] { 1, 256 })
                {
                    float[] x = new float[k * net.InputSize], y = new float[k * net.OutputSize];
                    for (int i = 0; i < (k == 1 ? 50 : 1); i++) net.Forward(x, y);
                }
            }
        }
        Compare("digits", new DigitsBaked(), new DigitsInt8(), DigitsBaked.ParameterBytes, DigitsInt8.ParameterBytes, DigitsInt8.QuantizedWeightCount, DigitsInt8.WeightScaleCount);
        Compare("mnist", new MnistBaked(), new MnistInt8(), MnistBaked.ParameterBytes, MnistInt8.ParameterBytes, MnistInt8.QuantizedWeightCount, MnistInt8.WeightScaleCount);
        Compare("deep", new DeepBaked(), new DeepInt8(), DeepBaked.ParameterBytes, DeepInt8.ParameterBytes, DeepInt8.QuantizedWeightCount, DeepInt8.WeightScaleCount);
    }

    private static void Compare(string name, IInferenceNetwork f32, IInferenceNetwork i8, int f32Bytes, int i8Bytes, int quantized, int scales)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-7} bytes: float32 {f32Bytes}, int8 {i8Bytes} ({(double)i8Bytes / f32Bytes:F3}); int8 matrices + scales {quantized + 4 * scales} = {(quantized + 4.0 * scales) / quantized:F3} × a quarter of the float32 matrices"));
        foreach (bool signed in new[] { false, true })
        {
            foreach (int k in new[] { 1, 256 })
            {
                var rng = new Random(7);
                float[] x = new float[k * f32.InputSize];
                for (int i = 0; i < x.Length; i++) x[i] = (float)(signed ? rng.NextDouble() * 2 - 1 : rng.NextDouble());
                float[] y32 = new float[k * f32.OutputSize];
                float[] y8 = new float[k * f32.OutputSize];
                double t32 = Quick.Time(() => f32.Forward(x, y32));
                double t8 = Quick.Time(() => i8.Forward(x, y8));
                // again, the other way round, keeping each one's best: both see the same machine
                t8 = Math.Min(t8, Quick.Time(() => i8.Forward(x, y8)));
                t32 = Math.Min(t32, Quick.Time(() => f32.Forward(x, y32)));
                string range = signed ? "[-1,1)" : "[0,1) ";
                float diff = 0f;
                for (int i = 0; i < y32.Length; i++) diff = Math.Max(diff, Math.Abs(y32[i] - y8[i]));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-7} {range} k={k,3}  float32 {t32 / 1e3,9:F3} µs  int8 {t8 / 1e3,9:F3} µs  float32/int8 ×{t32 / t8,5:F2}  largest output difference {diff:G3}"));
            }
        }
    }
}

/// <summary>--int8-parts: the digits layers' int8 kernels and their float32 counterparts, one sample (where the time goes).</summary>
public static class Int8Parts
{
    /// <summary>--int8-spin: one-sample digits (INT8_SPIN=deep: deep) int8 Forward in a loop for a few seconds (to run under a sampling profiler).</summary>
    public static void Spin()
    {
        IInferenceNetwork net = Environment.GetEnvironmentVariable("INT8_SPIN") == "deep" ? new DeepInt8() : new DigitsInt8();
        var rng = new Random(7);
        float[] x = new float[net.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        float[] y = new float[net.OutputSize];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        while (clock.ElapsedMilliseconds < 6000)
        {
            for (int i = 0; i < 10000; i++) net.Forward(x, y);
            calls += 10000;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calls} calls, {clock.Elapsed.TotalMilliseconds * 1e6 / calls:F1} ns each"));
    }

    private static double T(Action a) => Int8Digits.Alternate(a, a, 5000).BestA;

    public static void Run()
    {
        var rng = new Random(3);
        foreach ((int m, int n) in new[] { (32, 64), (10, 32), (128, 784) })
        {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)rng.NextDouble();
            sbyte[] wq = new sbyte[m * n];
            float[] w = new float[m * n];
            for (int i = 0; i < wq.Length; i++) { wq[i] = (sbyte)rng.Next(-127, 128); w[i] = wq[i] / 127f; }
            float[] ws = new float[m], b = new float[m], y = new float[m];
            for (int i = 0; i < m; i++) { ws[i] = 0.01f; b[i] = 0.05f; }
            byte[] scratch = new byte[Backprop.Generated.CompilerServices.Int8Kernels.ScratchBytes(n, 1)];
            byte[] pos = new byte[n], neg = new byte[n];
            int[] sums = new int[m];
            double quant = T(() => Backprop.Generated.CompilerServices.Int8Kernels.QuantizeInput(x, pos, neg, out _));
            double mp = T(() => Backprop.Generated.CompilerServices.Int8Kernels.MatrixProduct(wq, m, n, pos, 1, sums, false));
            double dense = T(() => Backprop.Generated.CompilerServices.Int8Kernels.DenseForward<Backprop.Generated.CompilerServices.ReLUActivation>(wq, ws, b, m, n, x, 1, scratch, y));
            double gemv = T(() => Backprop.Generated.CompilerServices.DenseKernels.Gemv<Backprop.Generated.CompilerServices.ReLUActivation>(w, b, m, n, x, y));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m}x{n}: quantize {quant:F1} ns  matrix product {mp:F1} ns  int8 dense {dense:F1} ns  float gemv {gemv:F1} ns  gemv/dense ×{gemv / dense:F2}"));
        }
    }
}

/// <summary>
/// --int8-digits: one-sample digits Forward, int8 against float32, on a busy machine: many short rounds (about 40 calls
/// each) taken alternately, so a round is seldom interrupted; reports each one's best round and the median of rounds,
/// and the ratios of both. Then the int8 layers' parts timed the same way.
/// </summary>
public static class Int8Digits
{
    public static void Run()
    {
        var rng = new Random(7);
        var f32 = new DigitsBaked();
        var i8 = new DigitsInt8();
        // Where the compiler puts a baked network's weights in the assembly's data moves with every change to the
        // assembly, and at 14 of the 16 4-byte offsets from a 64-byte line the float32 Gemv's loads straddle lines (about
        // 1.2x for digits' two layers: --align, docs/performance.md): print it, so runs of different builds can be
        // compared. The trainable DigitsNet with the same weights copied in (the same layout, the same kernels, the same
        // bits) keeps its parameters on a 64-byte line in every build: float32 at its fastest placement.
        var aligned = new DigitsNet(1);
        DigitsBaked.Parameters.CopyTo(aligned.Parameters);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"weights' address mod 64: float32 baked {Mod64(DigitsBaked.Parameters)}, float32 trainable {Mod64<float>((ReadOnlySpan<float>)aligned.Parameters)}, int8 {Mod64(DigitsInt8.QuantizedWeights)}"));
        foreach (bool signed in new[] { false, true })
        {
            float[] x = new float[64];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(signed ? rng.NextDouble() * 2 - 1 : rng.NextDouble());
            float[] y32 = new float[10], y8 = new float[10], yAligned = new float[10];
            f32.Forward(x, y32);
            aligned.Forward(x, yAligned);
            if (!y32.AsSpan().SequenceEqual(yAligned)) throw new InvalidOperationException("the trainable twin's outputs differ from the baked network's");
            string range = signed ? "[-1,1)" : "[0,1) ";
            (double b32, double m32, double b8, double m8) = Alternate(() => f32.Forward(x, y32), () => i8.Forward(x, y8));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"digits {range} k=1  float32 baked     best {b32:F1} ns median {m32:F1} ns  int8 best {b8:F1} ns median {m8:F1} ns  float32/int8 best ×{b32 / b8:F3} median ×{m32 / m8:F3}"));
            (double ba, double ma, double b8a, double m8a) = Alternate(() => aligned.Forward(x, yAligned), () => i8.Forward(x, y8));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"digits {range} k=1  float32 trainable best {ba:F1} ns median {ma:F1} ns  int8 best {b8a:F1} ns median {m8a:F1} ns  float32/int8 best ×{ba / b8a:F3} median ×{ma / m8a:F3}"));
        }
    }

    private static unsafe long Mod64<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        fixed (T* p = data) return (long)p % 64;
    }

    /// <summary>Best and median ns per call of two actions, in alternating rounds of a few calls.</summary>
    public static (double BestA, double MedianA, double BestB, double MedianB) Alternate(Action a, Action b, int rounds = 20000, int calls = 40)
    {
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 500) { a(); b(); }
        double[] ta = new double[rounds], tb = new double[rounds];
        double tick = 1e9 / System.Diagnostics.Stopwatch.Frequency / calls;
        for (int r = 0; r < rounds; r++)
        {
            long s = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) a();
            long m = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) b();
            long e = System.Diagnostics.Stopwatch.GetTimestamp();
            ta[r] = (m - s) * tick;
            tb[r] = (e - m) * tick;
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[0], ta[rounds / 2], tb[0], tb[rounds / 2]);
    }
}
