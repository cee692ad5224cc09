using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests;

/// <summary>Dropout, BatchNorm and Activation layers: gradients, modes and state.</summary>
public class StagedLayerTests
{
    private static (float[] X, float[] T) Batch(INetwork net, int k, int seed, bool oneHot)
    {
        var rng = new DeterministicRandom(seed);
        float[] x = new float[k * net.InputSize];
        float[] t = new float[k * net.OutputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int s = 0; s < k; s++)
        {
            if (oneHot) t[s * net.OutputSize + rng.NextInt(net.OutputSize)] = 1f;
            else for (int j = 0; j < net.OutputSize; j++) t[s * net.OutputSize + j] = rng.NextDouble() < 0.5 ? 0f : 1f;
        }
        return (x, t);
    }

    // StagedNet's ReLU sits right after a batch norm, whose outputs cluster around 0: finite differences there cross
    // kinks, so the tight check uses the smooth twin (StagedNet is checked against PyTorch's float64 references).
    public static TheoryData<string> Networks => new() { nameof(StagedSmoothNet), nameof(ActivationOutputNet) };

    private static INetwork Create(string name, int seed = 3) => name switch
    {
        nameof(StagedNet) => new StagedNet(seed),
        nameof(StagedSmoothNet) => new StagedSmoothNet(seed),
        nameof(ActivationOutputNet) => new ActivationOutputNet(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Backward_matches_central_finite_differences_with_the_dropout_mask_held_fixed(string name)
    {
        INetwork net = Create(name);
        var (x, t) = Batch(net, k: 6, seed: 1, oneHot: name == nameof(StagedNet));
        // Perturb the parameters away from their initial values so gamma/beta are not exactly 1/0.
        var rng = new DeterministicRandom(5);
        for (int i = 0; i < net.ParameterCount; i++) net.Parameters[i] += (float)(rng.NextDouble() - 0.5) * 0.2f;
        float[] state = net.State.ToArray();

        float Loss()
        {
            net.TrainingStep = 7;
            state.CopyTo(net.State); // running statistics do not affect training-mode outputs, but keep them identical anyway
            float value = net.Backward(x, t);
            return value;
        }

        net.ZeroGradients();
        Loss();
        float[] analytic = net.Gradients.ToArray();
        const float h = 1f / 512;
        foreach (TensorInfo tensor in net.Tensors.Where(tensor => tensor.Storage == TensorStorage.Parameters))
        {
            double diff2 = 0, norm2 = 0;
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Length; i++)
            {
                float saved = net.Parameters[i];
                double Central(float step)
                {
                    net.Parameters[i] = saved + step;
                    float plus = Loss();
                    net.Parameters[i] = saved - step;
                    float minus = Loss();
                    net.Parameters[i] = saved;
                    return (plus - minus) / (2.0 * step);
                }
                // Richardson extrapolation cancels the h² truncation term: batch norm over a few samples is strongly
                // curved, so a plain central difference is biased by more than float32 rounding.
                double numeric = (4 * Central(h / 2) - Central(h)) / 3;
                diff2 += (numeric - analytic[i]) * (numeric - analytic[i]);
                norm2 += (double)analytic[i] * analytic[i];
            }
            // Norm-wise per tensor: float32 rounding makes single tiny components noisy.
            Assert.True(Math.Sqrt(diff2) <= 1e-2 * Math.Sqrt(norm2) + 1e-4,
                $"{tensor.Name}: |numeric - analytic| = {Math.Sqrt(diff2):E3}, |analytic| = {Math.Sqrt(norm2):E3}");
            Assert.True(norm2 > 0, $"{tensor.Name} got no gradient at all");
        }
    }

    [Fact]
    public void Batch_norm_needs_two_samples_in_training_like_PyTorch()
    {
        var net = new StagedNet(1);
        var ex = Assert.Throws<ArgumentException>(() => net.Backward(new float[5], new float[3]));
        Assert.Contains("at least 2 samples", ex.Message);
    }

    [Fact]
    public void Batch_norm_updates_running_statistics_with_momentum_0_1_and_the_unbiased_variance()
    {
        var net = new ActivationOutputNet(2);
        var (x, t) = Batch(net, k: 4, seed: 9, oneHot: false);
        net.Backward(x, t);

        // Recompute layer 0's pre-activations by hand and the statistics PyTorch would keep.
        TensorInfo w = net.Tensors.Single(tensor => tensor.Name == "layers.0.weight");
        TensorInfo b = net.Tensors.Single(tensor => tensor.Name == "layers.0.bias");
        TensorInfo mean = net.Tensors.Single(tensor => tensor.Name == "layers.0.bn.running_mean");
        TensorInfo var = net.Tensors.Single(tensor => tensor.Name == "layers.0.bn.running_var");
        Assert.Equal(TensorStorage.State, mean.Storage);
        for (int j = 0; j < 3; j++)
        {
            double[] z = new double[4];
            for (int s = 0; s < 4; s++)
            {
                z[s] = w.Slice(net.Parameters)[j * 4 + 0] * x[s * 4] + w.Slice(net.Parameters)[j * 4 + 1] * x[s * 4 + 1]
                     + w.Slice(net.Parameters)[j * 4 + 2] * x[s * 4 + 2] + w.Slice(net.Parameters)[j * 4 + 3] * x[s * 4 + 3] + b.Slice(net.Parameters)[j];
            }
            double mu = z.Average();
            double unbiased = z.Sum(v => (v - mu) * (v - mu)) / 3;
            Assert.Equal(0.1 * mu, mean.Slice(net.State)[j], 5);
            Assert.Equal(0.9 + 0.1 * unbiased, var.Slice(net.State)[j], 5);
        }
    }

    [Fact]
    public void Forward_uses_running_statistics_and_no_dropout()
    {
        var net = new StagedNet(4);
        var (x, _) = Batch(net, k: 3, seed: 2, oneHot: true);
        float[] a = new float[9], b = new float[9];
        net.TrainingStep = 0;
        net.Forward(x, a);
        net.TrainingStep = 12345;
        net.Forward(x, b);
        Assert.Equal(a, b); // dropout is the identity in inference

        // With running mean 0 and variance 1 (fresh network), batch norm is γ x / √(1 + ε) + β.
        net.State[0] = 10f; // change layer 0's running mean for feature 0
        net.Forward(x, b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Dropout_masks_depend_on_seed_and_step_and_drop_the_declared_fraction()
    {
        int dropped = 0;
        const int n = 20_000;
        for (int e = 0; e < n; e++)
        {
            float scale = DropoutMask.Scale(seed: 3, step: 5, layer: 2, element: e, rate: 0.25f);
            Assert.True(scale == 0f || scale == 1f / 0.75f);
            if (scale == 0f) dropped++;
        }
        Assert.InRange(dropped / (double)n, 0.24, 0.26);

        var one = new StagedNet(8);
        var two = new StagedNet(8);
        var (x, t) = Batch(one, k: 4, seed: 3, oneHot: true);
        Assert.Equal(one.Backward(x, t), two.Backward(x, t));
        Assert.Equal(one.Gradients.ToArray(), two.Gradients.ToArray());
        Assert.Equal(1, one.TrainingStep);

        one.ZeroGradients();
        one.Backward(x, t); // step 1: another mask
        two.ZeroGradients();
        two.TrainingStep = 0;
        two.Backward(x, t); // step 0 again
        Assert.NotEqual(one.Gradients.ToArray(), two.Gradients.ToArray());
    }

    [Fact]
    public void Parameters_and_state_follow_the_documented_layout()
    {
        INetwork net = new StagedNet(1);
        string[] names = net.Tensors.Select(t => t.Name).ToArray();
        Assert.Equal(new[]
        {
            "layers.0.weight", "layers.0.bias", "layers.0.bn.weight", "layers.0.bn.bias", "layers.0.bn.running_mean", "layers.0.bn.running_var",
            "layers.1.weight", "layers.1.bias", "layers.1.bn.weight", "layers.1.bn.bias", "layers.1.bn.running_mean", "layers.1.bn.running_var",
            "layers.2.weight", "layers.2.bias",
        }, names);
        Assert.Equal(5 * 8 + 8 + 16 + 8 * 6 + 6 + 12 + 6 * 3 + 3, net.ParameterCount);
        Assert.Equal(16 + 12, net.State.Length);
        Assert.All(net.Tensors.Where(t => t.Role == TensorRole.BatchNormWeight), t => Assert.All(t.Slice(net.Parameters).ToArray(), v => Assert.Equal(1f, v)));
        Assert.All(net.Tensors.Where(t => t.Role == TensorRole.BatchNormRunningVariance), t => Assert.All(t.Slice(net.State).ToArray(), v => Assert.Equal(1f, v)));
        // Parameters are contiguous with no gaps: each tensor starts where the previous one ends.
        int expected = 0;
        foreach (TensorInfo tensor in net.Tensors.Where(t => t.Storage == TensorStorage.Parameters))
        {
            Assert.Equal(expected, tensor.Offset);
            expected += tensor.Length;
        }
        Assert.Equal(net.ParameterCount, expected);
    }

    [Fact]
    public void The_staged_path_allocates_nothing_after_warm_up()
    {
        var net = new StagedNet(1);
        var (x, t) = Batch(net, k: 8, seed: 1, oneHot: true);
        float[] y = new float[8 * 3];
        for (int i = 0; i < 20; i++) { net.Backward(x, t); net.Forward(x, y); }
        Assert.Equal(0, AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                net.ZeroGradients();
                net.Backward(x, t);
                net.Forward(x, y);
            }
        }));
    }

    [Fact]
    public void A_batch_normalized_network_trains()
    {
        var net = new StagedNet(1);
        var (x, t) = Batch(net, k: 32, seed: 4, oneHot: true);
        var sgd = new Sgd(0.1f);
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 300; epoch++)
        {
            net.ZeroGradients();
            last = net.Backward(x, t);
            if (epoch == 0) first = last;
            sgd.Step(net);
        }
        Assert.True(last < first * 0.5f, $"loss {first} -> {last}");
    }
}
