using Backprop.Generated;

namespace Backprop.Generated.Benchmarks;

// The four reference networks of the benchmarks (issue 6), declared as a user would.

/// <summary>xor: 2-4-1, Tanh hidden, Sigmoid output, mean squared error. Every layer unrolled.</summary>
[Network(Loss.MeanSquaredError)]
[Input(2)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet { }

/// <summary>digits: 64-32-10, ReLU, Softmax, cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }

/// <summary>mnist: 784-128-10, ReLU, Softmax, cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistNet { }

/// <summary>deep: 784-256-256-256-10, ReLU, Softmax, cross-entropy.</summary>
[Network(Loss.CrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DeepNet { }

/// <summary>The shapes again, for the baselines that take their layout at run time.</summary>
public sealed record NetworkSpec(string Name, int[] Sizes, Activation Hidden, Activation Output, Loss Loss)
{
    public static readonly NetworkSpec Xor = new("xor", new[] { 2, 4, 1 }, Activation.Tanh, Activation.Sigmoid, Loss.MeanSquaredError);
    public static readonly NetworkSpec Digits = new("digits", new[] { 64, 32, 10 }, Activation.ReLU, Activation.Softmax, Loss.CrossEntropy);
    public static readonly NetworkSpec Mnist = new("mnist", new[] { 784, 128, 10 }, Activation.ReLU, Activation.Softmax, Loss.CrossEntropy);
    public static readonly NetworkSpec Deep = new("deep", new[] { 784, 256, 256, 256, 10 }, Activation.ReLU, Activation.Softmax, Loss.CrossEntropy);

    public static readonly NetworkSpec[] All = { Xor, Digits, Mnist, Deep };

    public int InputSize => Sizes[0];

    public int OutputSize => Sizes[^1];

    public long ParameterCount
    {
        get
        {
            long n = 0;
            for (int l = 1; l < Sizes.Length; l++) n += (long)Sizes[l] * Sizes[l - 1] + Sizes[l];
            return n;
        }
    }

    /// <summary>Multiply-adds of one forward pass on one sample (weights only).</summary>
    public long MacsPerSample
    {
        get
        {
            long n = 0;
            for (int l = 1; l < Sizes.Length; l++) n += (long)Sizes[l] * Sizes[l - 1];
            return n;
        }
    }

    public static NetworkSpec ByName(string name) => System.Array.Find(All, s => s.Name == name)
        ?? throw new System.ArgumentException($"unknown network '{name}'", nameof(name));

    /// <summary>A fresh generated network of this shape.</summary>
    public INetwork CreateGenerated(int seed) => Name switch
    {
        "xor" => new XorNet(seed),
        "digits" => new DigitsNet(seed),
        "mnist" => new MnistNet(seed),
        _ => new DeepNet(seed),
    };

    /// <summary>k deterministic samples: inputs in [-1, 1), one-hot targets (0/1 for xor).</summary>
    public (float[] Inputs, float[] Targets) MakeData(int k, int seed)
    {
        var rng = new System.Random(seed);
        float[] x = new float[k * InputSize];
        float[] t = new float[k * OutputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int s = 0; s < k; s++)
        {
            if (OutputSize == 1) t[s] = rng.Next(2);
            else t[s * OutputSize + rng.Next(OutputSize)] = 1f;
        }
        return (x, t);
    }
}
