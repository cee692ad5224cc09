using Backprop.Generated;
using Digits;

namespace Backprop.Generated.Tests;

/// <summary>
/// The fused step of the Digits network on the digits themselves: pixels in [0, 1], many of them 0, and ReLU units
/// that are off for a sample, so the first layer's update skips the rows whose gradient is +0
/// (<c>DenseKernels.BackwardRowsSgd</c>). Step after step it must leave the parameters and the loss bit for bit where
/// <c>ZeroGradients</c>, <c>Backward</c> and <c>Sgd.Step</c> leave them.
/// </summary>
public class DigitsTrainStepTests
{
    private static readonly Lazy<DigitsData> Data = new(() => DigitsData.Load());

    [Fact]
    public void TrainStep_on_the_digits_equals_Backward_then_Sgd_Step_bit_for_bit()
    {
        Dataset train = Data.Value.ToDataset(Data.Value.TrainRows);
        var fused = new DigitsNet(3);
        var reference = new DigitsNet(3);
        const float rate = 0.3f; // the sample's SGD rate: units switch off and on as the weights move
        int skippedRows = 0, zeroLosses = 0;
        for (int s = 0; s < 600; s++)
        {
            ReadOnlySpan<float> x = train.GetInput(s % train.Count), t = train.GetTarget(s % train.Count);
            float fusedLoss = fused.TrainStep(x, t, rate);
            reference.ZeroGradients();
            float loss = reference.Backward(x, t);
            Sgd.Step(reference.Parameters, reference.Gradients, rate);

            // the loss too, a loss of exactly 0 included (+0 from both)
            if (loss == 0f) zeroLosses++;
            Assert.True(BitConverter.SingleToInt32Bits(loss) == BitConverter.SingleToInt32Bits(fusedLoss), $"step {s}: loss {fusedLoss:R}, Backward {loss:R}");
            ReadOnlySpan<float> a = fused.Parameters, b = reference.Parameters;
            for (int i = 0; i < a.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
                {
                    Assert.Fail($"step {s}, parameter {i}: fused {a[i]:R}, Backward + Sgd.Step {b[i]:R}");
                }
            }
            // the rows of layer 0 whose bias gradient was +0 (inactive units): the ones the fused step skipped
            ReadOnlySpan<float> g = reference.Gradients.Slice(DigitsNet.InputSize * 32, 32);
            for (int o = 0; o < 32; o++) if (BitConverter.SingleToInt32Bits(g[o]) == 0) skippedRows++;
        }
        Assert.True(skippedRows > 600, $"only {skippedRows} inactive first-layer rows in 600 steps: the skip was hardly tested");
        Assert.True(zeroLosses > 0, "no sample's loss was exactly 0: the sign of a zero loss was not tested");
    }
}
