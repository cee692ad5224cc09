using Backprop.Generated;

// Loss and output pairings the analyzers advise against are here on purpose: the batch path must compute them all.
#pragma warning disable BPG0004

namespace Backprop.Generated.Tests;

// Networks for the mini-batch path of Dense-only networks (k ≥ 8 samples and a layer of more than 64 weights):
// every hidden activation, every loss, fused and unfused output gradients, sizes that leave tails in every kernel
// (not multiples of the 12/3 row tiles or of the 16/8-float vectors), and unrolled layers between looped ones.

[Network(Loss.CrossEntropy)]
[Input(70)]
[Dense(45, Activation.ReLU)]
[Dense(13, Activation.Softmax)]
internal partial class BatchReluSoftmaxNet { }

[Network(Loss.BinaryCrossEntropy)]
[Input(33)]
[Dense(40, Activation.Tanh)]
[Dense(17, Activation.LeakyReLU)]
[Dense(5, Activation.Sigmoid)]
internal partial class BatchTanhLeakySigmoidNet { }

[Network(Loss.MeanSquaredError)]
[Input(20)]
[Dense(30, Activation.Sigmoid)]
[Dense(3, Activation.Linear)]
internal partial class BatchSigmoidLinearNet { }

[Network(Loss.Hinge)]
[Input(50)]
[Dense(25, Activation.Linear)]
[Dense(4, Activation.Tanh)]
internal partial class BatchLinearTanhHingeNet { }

[Network(Loss.CrossEntropy)]
[Input(24)]
[Dense(36, Activation.LeakyReLU)]
[Dense(6, Activation.Sigmoid)]
internal partial class BatchCeOnSigmoidNet { }

[Network(Loss.MeanSquaredError)]
[Input(40)]
[Dense(20, Activation.ReLU)]
[Dense(7, Activation.Softmax)]
internal partial class BatchMseOnSoftmaxNet { }

[Network(Loss.CrossEntropy)]
[Input(100)]
[Dense(64, Activation.ReLU)]
[Dense(48, Activation.Tanh)]
[Dense(10, Activation.Softmax)]
internal partial class BatchThreeLayerNet { }

[Network(Loss.MeanSquaredError)]
[Input(6)]
[Dense(10, Activation.Tanh)]
[Dense(60, Activation.ReLU)]
[Dense(2, Activation.Linear)]
internal partial class BatchSmallLargeSmallNet { }

[Network(Loss.BinaryCrossEntropy)]
[Input(17)]
[Dense(35, Activation.Sigmoid)]
[Dense(29, Activation.Linear)]
[Dense(1, Activation.Sigmoid)]
internal partial class BatchBceOneOutputNet { }

/// <summary>
/// The batch path (chunks of 32 samples through matrix kernels) must give what the per-sample path gives, which the
/// gradient checks tie to PyTorch: the loss and gradient of k samples equal the mean of k one-sample Backward calls.
/// </summary>
public class BatchPathTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Names)
        {
            foreach (int k in new[] { 8, 13, 32, 33, 39, 64, 70 })
            {
                data.Add(name, k);
            }
        }
        return data;
    }

    private static readonly string[] Names =
    {
        nameof(BatchReluSoftmaxNet), nameof(BatchTanhLeakySigmoidNet), nameof(BatchSigmoidLinearNet), nameof(BatchLinearTanhHingeNet),
        nameof(BatchCeOnSigmoidNet), nameof(BatchMseOnSoftmaxNet), nameof(BatchThreeLayerNet), nameof(BatchSmallLargeSmallNet),
        nameof(BatchBceOneOutputNet), nameof(DeepNet), nameof(DigitsShapedNet),
    };

    internal static INetwork Create(string name, int seed) => name switch
    {
        nameof(BatchReluSoftmaxNet) => new BatchReluSoftmaxNet(seed),
        nameof(BatchTanhLeakySigmoidNet) => new BatchTanhLeakySigmoidNet(seed),
        nameof(BatchSigmoidLinearNet) => new BatchSigmoidLinearNet(seed),
        nameof(BatchLinearTanhHingeNet) => new BatchLinearTanhHingeNet(seed),
        nameof(BatchCeOnSigmoidNet) => new BatchCeOnSigmoidNet(seed),
        nameof(BatchMseOnSoftmaxNet) => new BatchMseOnSoftmaxNet(seed),
        nameof(BatchThreeLayerNet) => new BatchThreeLayerNet(seed),
        nameof(BatchSmallLargeSmallNet) => new BatchSmallLargeSmallNet(seed),
        nameof(BatchBceOneOutputNet) => new BatchBceOneOutputNet(seed),
        nameof(DeepNet) => new DeepNet(seed),
        nameof(DigitsShapedNet) => new DigitsShapedNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Inputs in [-1.5, 1.5); targets fitting the loss (one-hot for cross-entropy, 0/1 for BCE, ±1 for hinge).</summary>
    internal static (float[] Inputs, float[] Targets) Data(INetwork net, int k, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[k * net.InputSize];
        float[] t = new float[k * net.OutputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 3 - 1.5);
        for (int s = 0; s < k; s++)
        {
            for (int j = 0; j < net.OutputSize; j++)
            {
                t[s * net.OutputSize + j] = net.Loss switch
                {
                    Loss.CrossEntropy => 0f,
                    Loss.BinaryCrossEntropy => rng.Next(2),
                    Loss.Hinge => rng.Next(2) * 2 - 1,
                    _ => (float)(rng.NextDouble() * 2 - 1),
                };
            }
            if (net.Loss == Loss.CrossEntropy) t[s * net.OutputSize + rng.Next(net.OutputSize)] = 1f;
        }
        return (x, t);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batch_Backward_equals_the_mean_of_single_sample_Backward(string name, int k)
    {
        INetwork batch = Create(name, 3);
        INetwork single = Create(name, 3);
        (float[] x, float[] t) = Data(batch, k, 11 + k);
        float loss = batch.Backward(x, t);

        double lossSum = 0;
        double[] sum = new double[single.ParameterCount];
        for (int s = 0; s < k; s++)
        {
            single.ZeroGradients();
            lossSum += single.Backward(x.AsSpan(s * single.InputSize, single.InputSize), t.AsSpan(s * single.OutputSize, single.OutputSize));
            ReadOnlySpan<float> g = single.Gradients;
            for (int i = 0; i < sum.Length; i++) sum[i] += g[i];
        }

        Assert.Equal(lossSum / k, loss, 1e-5 * Math.Max(1, Math.Abs(lossSum / k)));
        double scale = 0;
        foreach (double v in sum) scale = Math.Max(scale, Math.Abs(v / k));
        ReadOnlySpan<float> gradient = batch.Gradients;
        var failures = new List<string>();
        for (int i = 0; i < sum.Length; i++)
        {
            double expected = sum[i] / k;
            if (Math.Abs(gradient[i] - expected) > 1e-7 + 2e-5 * scale)
            {
                failures.Add($"parameter {i}: batch {gradient[i]:R}, per-sample mean {expected:R}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {sum.Length} gradients differ (scale {scale:G3}): " + string.Join("; ", failures.Take(8)));
    }

    [Theory]
    [InlineData(nameof(DeepNet))]
    [InlineData(nameof(BatchTanhLeakySigmoidNet))]
    public void Batch_Backward_is_bit_identical_run_to_run(string name)
    {
        INetwork a = Create(name, 5), b = Create(name, 5);
        (float[] x, float[] t) = Data(a, 77, 2);
        float la = a.Backward(x, t), lb = b.Backward(x, t);
        Assert.Equal(la, lb);
        Assert.True(a.Gradients.SequenceEqual(b.Gradients));
    }

    [Fact]
    public void Batch_Backward_allocates_nothing_after_warm_up()
    {
        INetwork net = Create(nameof(DeepNet), 1);
        (float[] x, float[] t) = Data(net, 40, 3);
        for (int i = 0; i < 5; i++) net.Backward(x, t);
        Assert.Equal(0, AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                net.Backward(x, t);
                net.ZeroGradients();
            }
        }));
    }
}
