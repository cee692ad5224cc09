using Xor;

namespace Backprop.Generated.Tests;

public class XorSampleTests
{
    [Fact]
    public void Plain_sgd_reaches_a_loss_below_0_01_within_the_sample_epochs()
    {
        var (network, losses) = XorTraining.Train(seed: 0, epochs: XorTraining.DefaultEpochs);

        Assert.True(losses[^1] < 0.01f, $"final loss {losses[^1]} after {XorTraining.DefaultEpochs} epochs");
        Assert.True(losses[0] > 0.1f, $"the untrained loss {losses[0]} should be near 0.25, or the test proves nothing");
        Span<float> y = stackalloc float[4];
        network.Forward(XorTraining.Inputs, y);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(XorTraining.Targets[i], MathF.Round(y[i]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Training_converges_from_other_seeds_too(int seed)
    {
        var (_, losses) = XorTraining.Train(seed: seed, epochs: XorTraining.DefaultEpochs);
        Assert.True(losses[^1] < 0.01f, $"seed {seed}: final loss {losses[^1]}");
    }

    [Fact]
    public void Training_is_bit_identical_run_after_run()
    {
        var (a, _) = XorTraining.Train(seed: 5, epochs: 300);
        var (b, _) = XorTraining.Train(seed: 5, epochs: 300);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
    }
}
