using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests;

public class InitializerTests
{
    /// <summary>
    /// A fingerprint of the parameters for a fixed seed. The PRNG, the polar method and the logarithm use IEEE basic
    /// operations only, so this value is the same on every machine and runtime; a change here breaks everyone's
    /// reproducibility and must be deliberate.
    /// </summary>
    [Fact]
    public void The_same_seed_gives_the_same_bits_everywhere()
    {
        Assert.Equal(0x442AC576893DB81EUL, Fingerprint(new DigitsShapedNet(42).Parameters));

        Span<float> normal = new float[1000];
        LayerInitializer.Initialize(normal, new float[100], 10, 100, Init.HeNormal, Activation.ReLU, seed: 3, layer: 2);
        Assert.Equal(0xA5A58F57FDB47BFUL, Fingerprint(normal));
    }

    [Fact]
    public void Different_seeds_and_layers_give_different_parameters()
    {
        Assert.NotEqual(new TinyNet(1).Parameters.ToArray(), new TinyNet(2).Parameters.ToArray());
        var net = new TinyNet(1);
        var copy = new TinyNet(9);
        copy.InitializeParameters(1);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void The_parameterless_constructor_uses_seed_0()
    {
        Assert.Equal(new TinyNet(0).Parameters.ToArray(), new TinyNet().Parameters.ToArray());
    }

    [Fact]
    public void Biases_start_at_zero_and_weights_do_not()
    {
        INetwork net = new MixedNet(4);
        foreach (TensorInfo tensor in net.Tensors)
        {
            Span<float> values = tensor.Slice(net.Parameters);
            if (tensor.Role == TensorRole.Bias)
            {
                Assert.All(values.ToArray(), v => Assert.Equal(0f, v));
            }
            else
            {
                Assert.Contains(values.ToArray(), v => v != 0f);
            }
        }
    }

    [Theory]
    [InlineData(Init.XavierUniform, Activation.Tanh, 400, 200)]
    [InlineData(Init.XavierNormal, Activation.Sigmoid, 400, 200)]
    [InlineData(Init.HeUniform, Activation.ReLU, 400, 200)]
    [InlineData(Init.HeNormal, Activation.ReLU, 400, 200)]
    [InlineData(Init.HeNormal, Activation.LeakyReLU, 400, 200)]
    [InlineData(Init.LeCunNormal, Activation.Tanh, 400, 200)]
    [InlineData(Init.StandardUniform, Activation.Sigmoid, 400, 200)]
    [InlineData(Init.StandardUniform, Activation.ReLU, 400, 200)]
    public void Each_initializer_has_the_variance_its_paper_prescribes(Init init, Activation activation, int fanIn, int fanOut)
    {
        float[] w = new float[fanIn * fanOut];
        LayerInitializer.Initialize(w, new float[fanOut], fanIn, fanOut, init, activation, seed: 11, layer: 0);
        double mean = w.Average(v => (double)v);
        double variance = w.Sum(v => (v - mean) * (v - mean)) / (w.Length - 1);
        double gain2 = activation == Activation.LeakyReLU ? 2.0 / (1 + 0.01 * 0.01) : 2.0;
        double expected = init switch
        {
            Init.XavierUniform or Init.XavierNormal => 2.0 / (fanIn + fanOut),
            Init.HeUniform or Init.HeNormal => gain2 / fanIn,
            Init.StandardUniform => 1.0 / (3 * fanIn), // U(±1/√fanIn), whatever the activation (Glorot and Bengio 2010, eq. 1)
            _ => 1.0 / fanIn,
        };
        // 80,000 samples: the sample variance is within about 1% (uniform) to 0.5% x sqrt(2) (normal) of the truth.
        Assert.InRange(variance / expected, 0.97, 1.03);
        Assert.InRange(mean, -0.02 * Math.Sqrt(expected), 0.02 * Math.Sqrt(expected));
        if (init is Init.XavierUniform or Init.HeUniform or Init.StandardUniform)
        {
            double bound = Math.Sqrt(3 * expected);
            Assert.All(w, v => Assert.InRange(v, -bound, bound));
            Assert.True(w.Max() > 0.99 * bound && w.Min() < -0.99 * bound, "a uniform sample should reach near both bounds");
        }
        else
        {
            double kurtosis = w.Sum(v => Math.Pow(v - mean, 4)) / w.Length / (variance * variance);
            Assert.InRange(kurtosis, 2.9, 3.1); // normal: 3; uniform would be 1.8
        }
    }

    [Fact]
    public void Auto_picks_He_for_ReLU_family_and_Xavier_otherwise()
    {
        Assert.Equal(Init.HeUniform, Initializers.Resolve(Init.Auto, Activation.ReLU));
        Assert.Equal(Init.HeUniform, Initializers.Resolve(Init.Auto, Activation.LeakyReLU));
        Assert.Equal(Init.XavierUniform, Initializers.Resolve(Init.Auto, Activation.Tanh));
        Assert.Equal(Init.XavierUniform, Initializers.Resolve(Init.Auto, Activation.Softmax));
        Assert.Equal(Init.LeCunNormal, Initializers.Resolve(Init.LeCunNormal, Activation.ReLU));
    }

    [Fact]
    public void Deterministic_log_matches_the_platform_log_to_an_ulp()
    {
        var rng = new DeterministicRandom(1);
        for (int i = 0; i < 10_000; i++)
        {
            double x = Math.Exp((rng.NextDouble() - 0.5) * 200);
            double expected = Math.Log(x);
            double actual = DeterministicMath.Log(x);
            Assert.True(Math.Abs(actual - expected) <= 2 * (Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected)),
                $"log({x}) = {actual}, platform {expected}");
        }
        Assert.Equal(0.0, DeterministicMath.Log(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicMath.Log(0));
    }

    private static ulong Fingerprint(ReadOnlySpan<float> values)
    {
        ulong hash = 14695981039346656037UL; // FNV-1a over the bit patterns
        foreach (float v in values)
        {
            hash ^= BitConverter.SingleToUInt32Bits(v);
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
