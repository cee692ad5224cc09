using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.Statistics;

/// <summary>Every layer kind and activation on the layer-by-layer path, with inference-mode batch norm and dropout.</summary>
[Network(Loss.CrossEntropy)]
[Input(5)]
[Dense(7)]
[BatchNorm]
[Activation(Activation.Tanh)]
[Dropout(0.3)]
[Dense(6, Activation.Sigmoid)]
[Dense(9, Activation.LeakyReLU)]
[Dense(8)]
[Activation(Activation.ReLU)]
[Dense(4)]
[Activation(Activation.Softmax)]
internal partial class InspectStagedNet { }

/// <summary>Convolution, per-channel batch norm, max pooling, a second convolution and global average pooling into Dense.</summary>
[Network(Loss.CrossEntropy)]
[Input(2, 8, 8)]
[Conv2D(4, 3, Padding = 1)]
[BatchNorm]
[Activation(Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(3, 3, Activation.Tanh)]
[GlobalAveragePool]
[Dense(2, Activation.Softmax)]
internal partial class InspectConv2DNet { }

/// <summary>A 1-D convolution with stride and dilation, average pooling and dropout, flattened into Dense.</summary>
[Network(Loss.CrossEntropy)]
[Input(2, 17)]
[Conv1D(3, 3, Activation.LeakyReLU, Stride = 2, Padding = 1)]
[Dropout(0.2)]
[Conv1D(4, 2, Activation.Sigmoid, Dilation = 2, Padding = 1)]
[AvgPool1D(3)]
[Dense(3, Activation.Softmax)]
internal partial class InspectConv1DNet { }

/// <summary>
/// <c>Inspect</c> against an independent float64 computation of every layer's outputs (from the tensors, with dead units
/// decided on the pre-activations), its argument checks and its allocations; <see cref="ActivityAccumulator"/> against
/// direct sums.
/// </summary>
public class InspectTests
{
    /// <summary>
    /// A layer as the reference computes it: its kind, activation, width and the index of its tensors; convolution and
    /// pooling layers carry their geometry (<see cref="ConvShape"/> or <see cref="PoolShape"/>), batch norm on shaped
    /// values its positions per channel.
    /// </summary>
    private sealed record RefLayer(string Kind, Activation Activation, int Units, int Index, object? Geometry = null, int Positions = 1);

    private static readonly RefLayer[] Conv2DLayers =
    [
        new("Conv2D", Activation.Linear, 256, 0, ConvShape.TwoD(2, 8, 8, 4, 3, 1, 1, 1)),
        new("BatchNorm", Activation.Linear, 256, 0, Positions: 64),
        new("Activation", Activation.ReLU, 256, 0),
        new("MaxPool2D", Activation.Linear, 64, 0, new PoolShape(4, 8, 8, 2, 2)),
        new("Conv2D", Activation.Tanh, 12, 1, ConvShape.TwoD(4, 4, 4, 3, 3, 1, 0, 1)),
        new("GlobalAveragePool", Activation.Linear, 3, 1, new PoolShape(3, 2, 2, 2, 2)),
        new("Dense", Activation.Softmax, 2, 2),
    ];

    private static readonly RefLayer[] Conv1DLayers =
    [
        new("Conv1D", Activation.LeakyReLU, 27, 0, ConvShape.OneD(2, 17, 3, 3, 2, 1, 1)),
        new("Dropout", Activation.Linear, 27, 0),
        new("Conv1D", Activation.Sigmoid, 36, 1, ConvShape.OneD(3, 9, 4, 2, 1, 1, 2)),
        new("AvgPool1D", Activation.Linear, 12, 1, new PoolShape(4, 1, 9, 1, 3)),
        new("Dense", Activation.Softmax, 3, 2),
    ];

    private static readonly RefLayer[] StagedLayers =
    [
        new("Dense", Activation.Linear, 7, 0), new("BatchNorm", Activation.Linear, 7, 0), new("Activation", Activation.Tanh, 7, 0),
        new("Dropout", Activation.Linear, 7, 0), new("Dense", Activation.Sigmoid, 6, 1), new("Dense", Activation.LeakyReLU, 9, 2),
        new("Dense", Activation.Linear, 8, 3), new("Activation", Activation.ReLU, 8, 3), new("Dense", Activation.Linear, 4, 4),
        new("Activation", Activation.Softmax, 4, 4),
    ];

    private static readonly RefLayer[] MixedLayers = [new("Dense", Activation.LeakyReLU, 40, 0), new("Dense", Activation.Tanh, 30, 1), new("Dense", Activation.Sigmoid, 3, 2)];
    private static readonly RefLayer[] DigitsLayers = [new("Dense", Activation.ReLU, 32, 0), new("Dense", Activation.Softmax, 10, 1)];
    private static readonly RefLayer[] TinyLayers = [new("Dense", Activation.Tanh, 4, 0), new("Dense", Activation.Sigmoid, 1, 1)];

    public static TheoryData<string> Networks => new() { nameof(InspectStagedNet), nameof(MixedNet), nameof(DigitsShapedNet), nameof(TinyNet), nameof(InspectConv2DNet), nameof(InspectConv1DNet) };

    private static (IInspectableNetwork Network, RefLayer[] Layers) Create(string name) => name switch
    {
        nameof(InspectStagedNet) => (new InspectStagedNet(), StagedLayers),
        nameof(MixedNet) => (new MixedNet(1), MixedLayers),
        nameof(DigitsShapedNet) => (new DigitsShapedNet(1), DigitsLayers),
        nameof(TinyNet) => (new TinyNet(1), TinyLayers),
        nameof(InspectConv2DNet) => (new InspectConv2DNet(1), Conv2DLayers),
        nameof(InspectConv1DNet) => (new InspectConv1DNet(1), Conv1DLayers),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>
    /// Parameters that make every statistic non-trivial: weights scaled up (saturated sigmoid and tanh outputs),
    /// biases and batch-norm shifts in [−1, 1] with a few strongly negative ones (dead ReLU units; a whole channel of a convolution), batch norm with its own running statistics.
    /// </summary>
    private static void Perturb(INetwork network, int seed)
    {
        var rng = new Random(seed);
        network.InitializeParameters(seed);
        foreach (TensorInfo t in network.Tensors)
        {
            Span<float> v = t.Slice(t.Storage == TensorStorage.State ? network.State : network.Parameters);
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = t.Role switch
                {
                    TensorRole.Weight => v[i] * 3f,
                    TensorRole.Bias => i % 5 == 2 ? -20f : (float)(2 * rng.NextDouble() - 1),
                    TensorRole.BatchNormWeight => (float)(0.5 + 1.5 * rng.NextDouble()),
                    TensorRole.BatchNormBias => i % 5 == 2 ? -20f : (float)(rng.NextDouble() - 0.5),
                    TensorRole.BatchNormRunningMean => (float)(rng.NextDouble() - 0.5),
                    _ => (float)(0.5 + 1.5 * rng.NextDouble()),
                };
            }
        }
    }

    private static float[] Inputs(int k, int size, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[k * size];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(4 * rng.NextDouble() - 2);
        return x;
    }

    private static double Act(Activation activation, double z) => activation switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        Activation.Tanh => Math.Tanh(z),
        Activation.ReLU => Math.Max(0, z),
        Activation.LeakyReLU => z > 0 ? z : 0.01 * z,
        _ => z,
    };

    private static double[] Tensor(INetwork network, string name)
    {
        TensorInfo t = network.Tensors.Single(t => t.Name == name);
        return t.Slice(t.Storage == TensorStorage.State ? network.State : network.Parameters).ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>The reference: each layer's outputs and pre-activations (the values its activation reads) for one sample, in double.</summary>
    private static (double[] Output, double[] PreActivation)[] Reference(INetwork network, RefLayer[] layers, ReadOnlySpan<float> sample)
    {
        var result = new (double[], double[])[layers.Length];
        double[] x = sample.ToArray().Select(v => (double)v).ToArray();
        for (int p = 0; p < layers.Length; p++)
        {
            RefLayer l = layers[p];
            double[] z;
            switch (l.Kind)
            {
                case "Dense":
                    double[] w = Tensor(network, $"layers.{l.Index}.weight"), b = Tensor(network, $"layers.{l.Index}.bias");
                    z = new double[l.Units];
                    for (int o = 0; o < l.Units; o++)
                    {
                        z[o] = b[o];
                        for (int i = 0; i < x.Length; i++) z[o] += w[o * x.Length + i] * x[i];
                    }
                    break;
                case "BatchNorm":
                    double[] g = Tensor(network, $"layers.{l.Index}.bn.weight"), be = Tensor(network, $"layers.{l.Index}.bn.bias");
                    double[] m = Tensor(network, $"layers.{l.Index}.bn.running_mean"), v = Tensor(network, $"layers.{l.Index}.bn.running_var");
                    int per = l.Positions; // per channel after a convolution: element j belongs to channel j / positions
                    z = x.Select((xi, j) => g[j / per] * (xi - m[j / per]) / Math.Sqrt(v[j / per] + 1e-5) + be[j / per]).ToArray();
                    break;
                case "Conv1D":
                case "Conv2D":
                    z = Convolution((ConvShape)l.Geometry!, Tensor(network, $"layers.{l.Index}.weight"), Tensor(network, $"layers.{l.Index}.bias"), x);
                    break;
                case "MaxPool2D":
                case "MaxPool1D":
                case "AvgPool1D":
                case "AvgPool2D":
                case "GlobalAveragePool":
                    z = Pooling((PoolShape)l.Geometry!, l.Kind.StartsWith("Max", StringComparison.Ordinal), x);
                    break;
                default:
                    z = x;
                    break;
            }
            double[] a;
            if (l.Activation == Activation.Softmax)
            {
                double max = z.Max();
                double sum = z.Sum(v => Math.Exp(v - max));
                a = z.Select(v => Math.Exp(v - max) / sum).ToArray();
            }
            else
            {
                a = z.Select(v => Act(l.Activation, v)).ToArray();
            }
            result[p] = (a, z);
            x = a;
        }
        return result;
    }

    /// <summary>z[f, y, x] = b[f] + Σ_c Σ_u Σ_v W[f, c, u, v] · in[c, y·sy + u·dy − py, x·sx + v·dx − px], zero outside, in double.</summary>
    private static double[] Convolution(ConvShape s, double[] w, double[] b, double[] input)
    {
        var z = new double[s.OutputSize];
        for (int f = 0; f < s.Filters; f++)
        {
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                for (int ox = 0; ox < s.OutWidth; ox++)
                {
                    double sum = b[f];
                    for (int c = 0; c < s.InChannels; c++)
                    {
                        for (int u = 0; u < s.KernelHeight; u++)
                        {
                            for (int v = 0; v < s.KernelWidth; v++)
                            {
                                int iy = oy * s.StrideY + u * s.DilationY - s.PaddingY, ix = ox * s.StrideX + v * s.DilationX - s.PaddingX;
                                if (iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth) continue;
                                sum += w[((f * s.InChannels + c) * s.KernelHeight + u) * s.KernelWidth + v] * input[(c * s.InHeight + iy) * s.InWidth + ix];
                            }
                        }
                    }
                    z[(f * s.OutHeight + oy) * s.OutWidth + ox] = sum;
                }
            }
        }
        return z;
    }

    /// <summary>The maximum or the mean of each window, windows side by side, in double.</summary>
    private static double[] Pooling(PoolShape s, bool max, double[] input)
    {
        var y = new double[s.OutputSize];
        for (int c = 0; c < s.Channels; c++)
        {
            for (int oy = 0; oy < s.OutHeight; oy++)
            {
                for (int ox = 0; ox < s.OutWidth; ox++)
                {
                    var window = new List<double>();
                    for (int u = 0; u < s.WindowHeight; u++)
                    {
                        for (int v = 0; v < s.WindowWidth; v++)
                        {
                            window.Add(input[(c * s.InHeight + oy * s.WindowHeight + u) * s.InWidth + ox * s.WindowWidth + v]);
                        }
                    }
                    y[(c * s.OutHeight + oy) * s.OutWidth + ox] = max ? window.Max() : window.Average();
                }
            }
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Inspect_matches_a_float64_computation_of_every_layer(string name)
    {
        (IInspectableNetwork network, RefLayer[] layers) = Create(name);
        Perturb(network, 7);
        const int k = 37;
        float[] inputs = Inputs(k, network.InputSize, 11);
        var activity = new LayerActivity[network.LayerCount];
        network.Inspect(inputs, activity);

        Assert.Equal(layers.Length, network.LayerCount);
        var perSample = Enumerable.Range(0, k).Select(s => Reference(network, layers, inputs.AsSpan(s * network.InputSize, network.InputSize))).ToArray();
        bool anySaturated = false, anyDead = false;
        for (int p = 0; p < layers.Length; p++)
        {
            RefLayer l = layers[p];
            double[] values = perSample.SelectMany(r => r[p].Output).ToArray();
            double mean = values.Average();
            double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
            double saturated = l.Activation switch
            {
                Activation.Sigmoid => values.Count(v => v <= 0.01 || v >= 0.99) / (double)values.Length,
                Activation.Tanh => values.Count(v => Math.Abs(v) >= 0.99) / (double)values.Length,
                _ => 0,
            };
            double dead = l.Activation is Activation.ReLU or Activation.LeakyReLU
                ? Enumerable.Range(0, l.Units).Count(u => perSample.All(r => r[p].PreActivation[u] <= 0)) / (double)l.Units
                : 0;
            LayerActivity a = activity[p];
            string at = $"layer {p} ({l.Kind}, {l.Activation})";
            Assert.Equal((p, l.Kind, l.Activation, l.Units), (a.Position, a.Kind, a.Activation, a.Units));
            Assert.True(Math.Abs(a.Mean - mean) <= 1e-5 * Math.Max(1, Math.Abs(mean)), $"{at}: mean {a.Mean} vs {mean}");
            Assert.True(Math.Abs(a.StandardDeviation - std) <= 1e-5 * Math.Max(1e-3, std), $"{at}: std {a.StandardDeviation} vs {std}");
            Assert.True(saturated == a.SaturatedFraction, $"{at}: saturated {a.SaturatedFraction} vs {saturated}");
            Assert.True(dead == a.DeadFraction, $"{at}: dead {a.DeadFraction} vs {dead}");
            anySaturated |= saturated > 0;
            anyDead |= dead > 0;
        }
        // The perturbed parameters make the fractions worth checking where the network has such layers.
        if (layers.Any(l => l.Activation is Activation.Sigmoid or Activation.Tanh)) Assert.True(anySaturated, "no saturated output to check");
        if (layers.Any(l => l.Activation is Activation.ReLU or Activation.LeakyReLU)) Assert.True(anyDead, "no dead unit to check");
    }

    [Fact]
    public void Inspect_runs_in_inference_mode_like_Forward()
    {
        var network = new InspectStagedNet();
        Perturb(network, 3);
        float[] inputs = Inputs(5, InspectStagedNet.InputSize, 4);
        var activity = new LayerActivity[InspectStagedNet.LayerCount];
        network.Inspect(inputs, activity);
        long step = network.TrainingStep;
        float[] state = network.State.ToArray();

        // The statistics of the output layer are those of Forward's outputs: dropout off, batch norm on its running statistics.
        float[] outputs = new float[5 * InspectStagedNet.OutputSize];
        network.Forward(inputs, outputs);
        double mean = outputs.Average(v => (double)v);
        double std = Math.Sqrt(outputs.Sum(v => (v - mean) * (v - mean)) / outputs.Length);
        Assert.Equal(std, activity[^1].StandardDeviation, 6);
        // The dropout layer passes its input on: the same statistics as the tanh before it.
        Assert.Equal(activity[2].Mean, activity[3].Mean);
        Assert.Equal(activity[2].StandardDeviation, activity[3].StandardDeviation);
        Assert.Equal(step, network.TrainingStep);
        Assert.Equal(state, network.State.ToArray());
    }

    [Fact]
    public void Wrong_lengths_throw_ArgumentException_naming_what_was_expected()
    {
        var network = new MixedNet(1);
        var layers = new LayerActivity[MixedNet.LayerCount];
        var e = Assert.Throws<ArgumentException>(() => network.Inspect(new float[MixedNet.InputSize * 2], new LayerActivity[2]));
        Assert.Equal("layers", e.ParamName);
        Assert.Contains("layers.Length must be 3 (LayerCount", e.Message);
        e = Assert.Throws<ArgumentException>(() => network.Inspect(new float[MixedNet.InputSize + 1], layers));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("positive multiple of 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => network.Inspect(ReadOnlySpan<float>.Empty, layers));
        Assert.Equal("inputs", e.ParamName);
        Assert.Equal(10, InspectStagedNet.LayerCount);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    [InlineData(nameof(DeepNet))]
    public void Inspect_allocates_nothing_after_warm_up(string name)
    {
        IInspectableNetwork network = name == nameof(DeepNet) ? new DeepNet(1) : Create(name).Network;
        float[] inputs = Inputs(20, network.InputSize, 5);
        var layers = new LayerActivity[network.LayerCount];
        for (int i = 0; i < 20; i++) network.Inspect(inputs, layers);
        long allocated = AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 50; i++) network.Inspect(inputs, layers);
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_accumulator_gives_the_mean_and_population_deviation_of_all_values_added()
    {
        var rng = new Random(2);
        float[][] samples = Enumerable.Range(0, 9).Select(_ => Enumerable.Range(0, 13).Select(_ => (float)(1000 + 3 * rng.NextDouble())).ToArray()).ToArray();
        var acc = default(ActivityAccumulator);
        foreach (float[] s in samples) acc.Add(s, Activation.Linear, default);
        LayerActivity a = acc.Result(4, "Dense", Activation.Linear, 13, default);

        double[] all = samples.SelectMany(s => s).Select(v => (double)v).ToArray();
        double mean = all.Average();
        double std = Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / all.Length);
        Assert.Equal(mean, a.Mean, 9);
        Assert.Equal(std, a.StandardDeviation, 9); // a large offset: the pairwise update keeps the small spread exact
        Assert.Equal((4, "Dense", 13, 0.0, 0.0), (a.Position, a.Kind, a.Units, a.SaturatedFraction, a.DeadFraction));
    }

    [Fact]
    public void The_accumulator_counts_saturated_outputs_and_units_dead_for_every_sample()
    {
        var sigmoid = default(ActivityAccumulator);
        sigmoid.Add([0.01f, 0.5f, 0.99f, 0.0101f], Activation.Sigmoid, default);
        Assert.Equal(0.5, sigmoid.Result(0, "Dense", Activation.Sigmoid, 4, default).SaturatedFraction);

        var tanh = default(ActivityAccumulator);
        tanh.Add([-0.99f, 0.98f, 1f, 0f], Activation.Tanh, default);
        Assert.Equal(0.5, tanh.Result(0, "Dense", Activation.Tanh, 4, default).SaturatedFraction);

        float[] alive = new float[4];
        var relu = default(ActivityAccumulator);
        relu.Add([0f, 1f, 0f, 0f], Activation.ReLU, alive);
        relu.Add([0f, 0f, 2f, 0f], Activation.ReLU, alive);
        LayerActivity r = relu.Result(0, "Dense", Activation.ReLU, 4, alive);
        Assert.Equal(0.5, r.DeadFraction); // units 0 and 3 never positive
        Assert.Equal(0, r.SaturatedFraction);

        var leaky = default(ActivityAccumulator);
        float[] leakyAlive = new float[2];
        leaky.Add([-0.01f, 0.5f], Activation.LeakyReLU, leakyAlive);
        Assert.Equal(0.5, leaky.Result(0, "Activation", Activation.LeakyReLU, 2, leakyAlive).DeadFraction);

        var e = Assert.Throws<ArgumentException>(() => default(ActivityAccumulator).Add([1f, 2f], Activation.ReLU, new float[3]));
        Assert.Contains("alive.Length must be 2", e.Message);
    }
}
