using System;
using System.Globalization;
using System.IO;

namespace Backprop.Generated.Benchmarks;

// FashionCnn with trained weights, float32 and int8, from two files (BakedWeights items in the project file):
// weights/fashion_cnn.safetensors, trained by the sample (`dotnet run --project samples/FashionMnist -c Release --
// --seed 0`, its default recipe: Adam lr 0.001, batch 64, 9 epochs; it reported 91.12 % test accuracy), and
// samples/FashionMnist/pytorch/fashion_cnn_seed0.safetensors, the same network trained by PyTorch (seed 0).

/// <summary>FashionCnn, the sample's trained float32 weights baked in.</summary>
[Network(Loss.CrossEntropy, Weights = "fashion_cnn.safetensors")]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnnBaked { }

/// <summary>FashionCnn, int8, from the sample's weights.</summary>
[Network(Loss.CrossEntropy, Weights = "fashion_cnn.safetensors", Precision = Precision.Int8)]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnnInt8 { }

/// <summary>FashionCnn, PyTorch's trained float32 weights baked in.</summary>
[Network(Loss.CrossEntropy, Weights = "fashion_cnn_seed0.safetensors")]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnnTorchBaked { }

/// <summary>FashionCnn, int8, from PyTorch's weights.</summary>
[Network(Loss.CrossEntropy, Weights = "fashion_cnn_seed0.safetensors", Precision = Precision.Int8)]
[Input(1, 28, 28)]
[Conv2D(16, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Conv2D(32, 5, Activation.ReLU, Padding = 2)]
[MaxPool2D(2)]
[Dense(10, Activation.Softmax)]
public partial class FashionCnnTorchInt8 { }

/// <summary>
/// --int8-conv [folder]: FashionCnn's int8 twin against the float32 baked network with the same trained weights (each
/// of the two files above), on the
/// 10,000 Fashion-MNIST test images (default folder /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist):
/// test accuracy of both, how often they agree, the largest output (probability) difference, the bytes each stores,
/// and one-sample Forward timed alternately in one run (best of 30 rounds each, <see cref="Quick.Time"/>), as a ratio.
/// </summary>
public static class Int8ConvComparison
{
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    public static void Run(string? folder)
    {
        folder ??= DebianFolder;
        string images = Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), labels = Path.Combine(folder, "t10k-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
        {
            throw new FileNotFoundException($"--int8-conv needs the Fashion-MNIST test files t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in {folder} (apt-get install dataset-fashion-mnist, or pass the folder after --int8-conv).");
        }
        Dataset test = Dataset.FromIdx(images, labels);
        Compare(test, images, new FashionCnnBaked(), new FashionCnnInt8(), FashionCnnBaked.BakedWeightsFile, FashionCnnBaked.ParameterBytes, FashionCnnInt8.ParameterBytes);
        Compare(test, images, new FashionCnnTorchBaked(), new FashionCnnTorchInt8(), FashionCnnTorchBaked.BakedWeightsFile, FashionCnnTorchBaked.ParameterBytes, FashionCnnTorchInt8.ParameterBytes);
    }

    private static void Compare(Dataset test, string images, IInferenceNetwork f32, IInferenceNetwork i8, string file, int f32Bytes, int i8Bytes)
    {
        if (test.InputSize != f32.InputSize)
        {
            throw new InvalidDataException($"{images}: images of {test.InputSize} pixels; FashionCnn takes {f32.InputSize} (28 × 28).");
        }
        int n = test.Count;
        var a = new float[n * 10];
        var b = new float[n * 10];
        f32.Forward(test.Inputs, a);
        i8.Forward(test.Inputs, b);
        int correctF32 = 0, correctI8 = 0, agree = 0;
        double largest = 0;
        for (int s = 0; s < n; s++)
        {
            int label = ArgMax(test.GetTarget(s));
            int pa = ArgMax(a.AsSpan(s * 10, 10)), pb = ArgMax(b.AsSpan(s * 10, 10));
            if (pa == label) correctF32++;
            if (pb == label) correctI8++;
            if (pa == pb) agree++;
            for (int j = 0; j < 10; j++) largest = Math.Max(largest, Math.Abs(a[s * 10 + j] - b[s * 10 + j]));
        }
        // one sample at a time must give the batch's bits (checked on a few, as the tests do everywhere)
        var one = new float[10];
        for (int s = 0; s < n; s += 997)
        {
            i8.Forward(test.GetInput(s), one);
            if (!one.AsSpan().SequenceEqual(b.AsSpan(s * 10, 10))) throw new InvalidOperationException($"int8 sample {s}: one at a time differs from the batch");
        }
        CultureInfo c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"FashionCnn on {n} test images ({file}):"));
        Console.WriteLine(string.Create(c, $"  accuracy: float32 {100.0 * correctF32 / n:F2} %, int8 {100.0 * correctI8 / n:F2} % ({100.0 * (correctF32 - correctI8) / n:F2} points lost); same answer on {agree}/{n}; largest output difference {largest:G3}"));
        int floatWeights = 4 * FashionCnnInt8.QuantizedWeightCount; // the same layers in both files
        Console.WriteLine(string.Create(c, $"  bytes: float32 {f32Bytes}, int8 {i8Bytes} ({(double)i8Bytes / f32Bytes:F3}); " +
            $"int8 weights + scales {FashionCnnInt8.QuantizedWeightCount + 4 * FashionCnnInt8.WeightScaleCount} = {(FashionCnnInt8.QuantizedWeightCount + 4.0 * FashionCnnInt8.WeightScaleCount) / (floatWeights / 4.0):F3} × a quarter of the float32 weights ({floatWeights})"));

        float[] x = test.GetInput(0).ToArray();
        var y = new float[10];
        double tf = 0, ti = 0;
        for (int round = 0; round < 3; round++) // alternate, keep each one's best
        {
            double f = Quick.Time(() => f32.Forward(x, y));
            double i = Quick.Time(() => i8.Forward(x, y));
            tf = round == 0 ? f : Math.Min(tf, f);
            ti = round == 0 ? i : Math.Min(ti, i);
        }
        Console.WriteLine(string.Create(c, $"  one-sample Forward: float32 {tf / 1000:F1} µs, int8 {ti / 1000:F1} µs: int8 is {tf / ti:F2}× float32's speed; " +
            $"allocated per call {Quick.AllocatedPerCall(() => i8.Forward(x, y))} bytes (int8), {Quick.AllocatedPerCall(() => f32.Forward(x, y))} (float32)"));
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
