using Backprop.Generated;

namespace Backprop.Generated.Tests;

/// <summary>
/// The fused one-sample SGD step (<see cref="ISgdTrainStep.TrainStep"/>) must leave the parameters bit for bit where
/// <c>ZeroGradients</c>, a one-sample <c>Backward</c> and <c>Sgd.Step</c> leave them, which the gradient checks tie to
/// PyTorch: on every Dense-only shape (unrolled, looped with row and vector tails, mixed), step after step.
/// </summary>
public class FusedTrainStepTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string name in new[]
        {
            nameof(TinyNet), nameof(DigitsShapedNet), nameof(DeepNet), nameof(MixedNet),
            nameof(BatchReluSoftmaxNet), nameof(BatchTanhLeakySigmoidNet), nameof(BatchSigmoidLinearNet), nameof(BatchLinearTanhHingeNet),
            nameof(BatchCeOnSigmoidNet), nameof(BatchMseOnSoftmaxNet), nameof(BatchThreeLayerNet), nameof(BatchSmallLargeSmallNet),
            nameof(BatchBceOneOutputNet),
        })
        {
            data.Add(name);
        }
        return data;
    }

    private static ISgdTrainStep Create(string name, int seed) => name switch
    {
        nameof(TinyNet) => new TinyNet(seed),
        nameof(MixedNet) => new MixedNet(seed),
        _ => (ISgdTrainStep)BatchPathTests.Create(name, seed),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void TrainStep_equals_ZeroGradients_Backward_and_Sgd_Step_bit_for_bit(string name)
    {
        ISgdTrainStep fused = Create(name, 4);
        ISgdTrainStep reference = Create(name, 4);
        const int steps = 12;
        (float[] x, float[] t) = BatchPathTests.Data(fused, steps, 21);
        // a large rate, so that every step moves the weights the next step's gradients are taken from
        const float rate = 0.05f;
        float[] before = fused.Parameters.ToArray();
        fused.Gradients.Fill(0.5f); // TrainStep must neither read nor write them
        for (int s = 0; s < steps; s++)
        {
            ReadOnlySpan<float> xs = x.AsSpan(s * fused.InputSize, fused.InputSize);
            ReadOnlySpan<float> ts = t.AsSpan(s * fused.OutputSize, fused.OutputSize);
            float fusedLoss = fused.TrainStep(xs, ts, rate);

            reference.ZeroGradients();
            float loss = reference.Backward(xs, ts);
            Sgd.Step(reference.Parameters, reference.Gradients, rate);

            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(fusedLoss));
            ReadOnlySpan<float> a = fused.Parameters, b = reference.Parameters;
            for (int i = 0; i < a.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
                {
                    Assert.Fail($"step {s}, parameter {i} of {a.Length}: fused {a[i]:R}, Backward + Sgd.Step {b[i]:R}");
                }
            }
        }
        Assert.True(fused.Gradients.ToArray().All(g => g == 0.5f), "TrainStep changed Gradients");
        Assert.False(before.SequenceEqual(fused.Parameters.ToArray()), "the parameters did not move");
        Assert.Equal(steps, fused.TrainingStep);
    }

    [Fact]
    public void TrainStep_with_rate_zero_changes_nothing_and_returns_the_loss()
    {
        ISgdTrainStep net = Create(nameof(DeepNet), 2);
        (float[] x, float[] t) = BatchPathTests.Data(net, 1, 5);
        float[] before = net.Parameters.ToArray();
        float loss = net.TrainStep(x, t, 0f);
        Assert.True(before.SequenceEqual(net.Parameters.ToArray()));
        ISgdTrainStep other = Create(nameof(DeepNet), 2);
        Assert.Equal(other.Backward(x, t), loss);
    }

    [Fact]
    public void TrainStep_rejects_wrong_lengths_and_rates_naming_them()
    {
        ISgdTrainStep net = Create(nameof(DigitsShapedNet), 1);
        float[] x = new float[64], t = new float[10];
        var input = Assert.Throws<ArgumentException>(() => net.TrainStep(new float[63], t, 0.1f));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("must be 64", input.Message);
        Assert.Contains("is 63", input.Message);
        var target = Assert.Throws<ArgumentException>(() => net.TrainStep(x, new float[20], 0.1f));
        Assert.Equal("target", target.ParamName);
        Assert.Contains("must be 10", target.Message);
        foreach (float bad in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            var rate = Assert.Throws<ArgumentException>(() => net.TrainStep(x, t, bad));
            Assert.Equal("learningRate", rate.ParamName);
        }
    }

    [Fact]
    public void TrainStep_allocates_nothing_after_warm_up()
    {
        ISgdTrainStep net = Create(nameof(DeepNet), 1);
        (float[] x, float[] t) = BatchPathTests.Data(net, 1, 3);
        net.TrainStep(x, t, 1e-3f);
        Assert.Equal(0, AllocationProbe.MinBytes(() =>
        {
            for (int i = 0; i < 20; i++) net.TrainStep(x, t, 1e-3f);
        }));
    }

    [Fact]
    public void Networks_with_staged_layers_do_not_offer_the_fused_step()
    {
        Assert.False(typeof(ISgdTrainStep).IsAssignableFrom(typeof(StagedNet)));
        Assert.True(typeof(ISgdTrainStep).IsAssignableFrom(typeof(TinyNet)));
    }
}
