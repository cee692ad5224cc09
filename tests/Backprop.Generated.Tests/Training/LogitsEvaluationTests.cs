using System;
using Backprop.Generated.Tests.GradientChecks;
using Xunit;

namespace Backprop.Generated.Tests.Training;

/// <summary>
/// Networks whose outputs are logits (a Linear output under CrossEntropy or BinaryCrossEntropy) say so through
/// <see cref="IInferenceNetwork.OutputsAreLogits"/>, and <see cref="Evaluation"/> reads them as PyTorch's
/// CrossEntropyLoss and BCEWithLogitsLoss do: the loss from the logits, a single logit split at 0, several by argmax.
/// </summary>
public sealed class LogitsEvaluationTests
{
    [Theory]
    [InlineData("Ce_Logits_k3_soft")]
    [InlineData("Ce_Logits_Loop_64_32_10_k12_onehot")]
    [InlineData("Ce_Logits_Large_Output_16_8_80_k9_soft")]
    [InlineData("Bce_Logits_k5_soft")]
    [InlineData("Bce_ReLU_Logits_k3_hard")]
    [InlineData("Bce_Logits_Loop_48_24_3_k10_soft")]
    public void EvaluateTakesTheLossFromTheLogitsAsPyTorch(string caseName)
    {
        GradientCheckCase c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        Assert.True(net.OutputsAreLogits);

        var data = new Dataset(c.Inputs, c.Targets, c.InputSize, c.OutputSize);
        EvaluationResult result = Evaluation.Evaluate(net, data);

        // PyTorch's float64 loss of the same float32 parameters; Forward's float32 logits differ by a few ulps only.
        Assert.True(Math.Abs(result.Loss - c.ExpectedLoss) <= 2e-5 * Math.Max(1, Math.Abs(c.ExpectedLoss)),
            $"{c.Name}: Evaluate's loss {result.Loss:R}, PyTorch {c.ExpectedLoss:R}");
        Assert.True(Math.Abs(result.Loss - net.Backward(c.Inputs, c.Targets)) <= 2e-5 * Math.Max(1, Math.Abs(c.ExpectedLoss)));
    }

    [Theory]
    [InlineData(0.25f, 1)]
    [InlineData(-0.25f, 0)]
    public void ASingleLogitIsSplitAtZero(float logit, int expected)
    {
        // Every weight 0 and the output bias = logit: the network outputs that logit for any input. σ(0.25) ≈ 0.56 is
        // class 1 although 0.25 < 0.5, so a 0.5 threshold (right for a sigmoid output) would get it wrong.
        INetwork net = GradientCheckNetworks.Create("Bce_ReLU_Logits");
        Assert.Equal(1, net.OutputSize);
        Assert.True(net.OutputsAreLogits);
        net.Parameters.Clear();
        net.Parameters[^1] = logit;
        var input = new float[net.InputSize];
        Assert.Equal(expected, Evaluation.Predict(net, input));

        var data = new Dataset(new float[2 * net.InputSize], new float[] { 1, 0 }, net.InputSize, 1);
        ClassificationMetrics metrics = Evaluation.Evaluate(net, data).Classification!;
        Assert.Equal(0.5, metrics.Accuracy, 12); // one of the two targets is the predicted class
        // BCEWithLogitsLoss of z for t = 1 and t = 0: log(1 + e^−z) and log(1 + e^z), averaged.
        double expectedLoss = (Math.Log(1 + Math.Exp(-logit)) + Math.Log(1 + Math.Exp(logit))) / 2;
        Assert.Equal(expectedLoss, Evaluation.Evaluate(net, data).Loss, 6);
    }

    [Fact]
    public void SeveralLogitsAreReadByArgmax()
    {
        INetwork net = GradientCheckNetworks.Create("Ce_Logits");
        net.Parameters.Clear();
        net.Parameters[^3] = -3f; // biases: class 2 has the largest logit, though every logit is negative
        net.Parameters[^2] = -2f;
        net.Parameters[^1] = -1f;
        Assert.Equal(2, Evaluation.Predict(net, new float[net.InputSize]));
    }

    [Theory]
    [InlineData(100f)]
    [InlineData(-100f)]
    public void LogitsFarFromZeroGiveAFiniteExactLossAndGradient(float logit)
    {
        // σ(±100) rounds to 1 or 0 in float, so log σ would be −∞ or 0 · ∞; the stable forms give the exact values.
        INetwork bce = GradientCheckNetworks.Create("Bce_ReLU_Logits");
        bce.Parameters.Clear();
        bce.Parameters[^1] = logit;
        var x = new float[2 * bce.InputSize];
        float loss = bce.Backward(x, new float[] { 1, 0 }); // ℓ(z, 1) = log(1 + e^−z), ℓ(z, 0) = log(1 + e^z)
        double expected = (Math.Log(1 + Math.Exp(-logit)) + Math.Log(1 + Math.Exp(logit))) / 2; // ≈ 50
        Assert.True(Math.Abs(loss - expected) <= 1e-5 * expected, $"BCE loss {loss:R}, expected {expected:R}");
        // ∂L/∂b = mean over the two samples of σ(z) − t = σ(z) − 0.5: ±0.5 here
        Assert.Equal(MathF.Sign(logit) * 0.5f, bce.Gradients[^1]);

        INetwork ce = GradientCheckNetworks.Create("Ce_Logits");
        ce.Parameters.Clear();
        ce.Parameters[^3] = logit; // class 0's logit, the others 0
        float ceLoss = ce.Backward(new float[ce.InputSize], new float[] { 0, 1, 0 }); // −log softmax(z)_1 = log(e^z + 2)
        double ceExpected = Math.Log(Math.Exp(logit) + 2);
        Assert.True(Math.Abs(ceLoss - ceExpected) <= 1e-5 * Math.Max(1, ceExpected), $"CE loss {ceLoss:R}, expected {ceExpected:R}");
        Assert.All(ce.Gradients.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Theory]
    [InlineData("Ce_Softmax")]
    [InlineData("Bce_Sigmoid")]
    [InlineData("Hinge_Linear")]
    [InlineData("Mse_Linear")]
    public void OtherOutputsAreNotLogits(string network)
    {
        Assert.False(GradientCheckNetworks.Create(network).OutputsAreLogits);
    }

    private static INetwork Prepare(GradientCheckCase c)
    {
        INetwork net = GradientCheckNetworks.Create(c.Network);
        c.Parameters.CopyTo(net.Parameters);
        return net;
    }
}
