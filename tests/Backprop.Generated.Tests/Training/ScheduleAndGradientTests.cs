using System;
using System.Linq;
using System.Text.Json;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Training;

public sealed class ScheduleTests
{
    public static TheoryData<string> Cases => new("step", "exponential", "cosine", "warmup_cosine", "warmup_constant");

    private static ILearningRateSchedule Create(string name) => name switch
    {
        "step" => new StepDecaySchedule(3, 0.5f),
        "exponential" => new ExponentialDecaySchedule(0.9f),
        "cosine" => new CosineAnnealingSchedule(10, 0.001f),
        "warmup_cosine" => new LinearWarmupSchedule(4, new CosineAnnealingSchedule(10), startFactor: 0.25f),
        "warmup_constant" => new LinearWarmupSchedule(5),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchSchedulers(string name)
    {
        JsonElement c = Reference.Case("schedules", name);
        float baseRate = (float)c.GetProperty("base").GetDouble();
        double[] rates = c.GetProperty("rates").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        ILearningRateSchedule schedule = Create(name);
        for (int epoch = 0; epoch < rates.Length; epoch++)
        {
            double got = schedule.GetLearningRate(epoch, baseRate);
            Assert.True(Math.Abs(got - rates[epoch]) <= 1e-6 * Math.Max(rates[epoch], 1e-3),
                $"{name} epoch {epoch}: got {got:R}, PyTorch {rates[epoch]:R}");
        }
    }

    [Fact]
    public void FormulasAtKeyEpochs()
    {
        Assert.Equal(0.1f, new ConstantSchedule().GetLearningRate(99, 0.1f));
        Assert.Equal(0.025f, new StepDecaySchedule(2, 0.5f).GetLearningRate(5, 0.1f), 7);
        Assert.Equal(0.001f, new CosineAnnealingSchedule(8, 0.001f).GetLearningRate(8, 0.1f), 7);
        Assert.Equal(0.0505f, new CosineAnnealingSchedule(10, 0.001f).GetLearningRate(5, 0.1f), 7);
        var warm = new LinearWarmupSchedule(4, new ExponentialDecaySchedule(0.5f), 0.2f);
        Assert.Equal(0.02f, warm.GetLearningRate(0, 0.1f), 7);
        Assert.Equal(0.06f, warm.GetLearningRate(2, 0.1f), 7);
        Assert.Equal(0.1f, warm.GetLearningRate(4, 0.1f), 7);
        Assert.Equal(0.05f, warm.GetLearningRate(5, 0.1f), 7);
    }

    [Fact]
    public void InvalidArgumentsNameTheValue()
    {
        Assert.Equal("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecaySchedule(1.5f)).ParamName);
        Assert.Equal("period", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(0)).ParamName);
        Assert.Equal("minLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(5, -1)).ParamName);
        Assert.Equal("warmupEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(0)).ParamName);
        Assert.Equal("startFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(3, startFactor: 0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule().GetLearningRate(-1, 0.1f) + new ExponentialDecaySchedule(0.5f).GetLearningRate(-1, 0.1f));
    }
}

public sealed class GradientTests
{
    [Fact]
    public void ClipByNormMatchesPyTorch()
    {
        foreach (JsonElement c in Reference.Root.GetProperty("clipNorm").EnumerateArray())
        {
            float[] g = c.GetProperty("gradients").Floats();
            float[] want = c.GetProperty("expected").Floats();
            double norm = GradientClipping.ClipByNorm(g, (float)c.GetProperty("maxNorm").GetDouble());
            Assert.Equal(c.GetProperty("totalNorm").GetDouble(), norm, 5);
            for (int i = 0; i < g.Length; i++)
            {
                Assert.True(Reference.Ulps(g[i], want[i]) <= 2, $"{c.GetProperty("name")} {i}: {g[i]:R} vs {want[i]:R}");
            }
        }
    }

    [Fact]
    public void ClipByNormUsesTheEpsilonAndOnlyShrinks()
    {
        float[] g = [3f, 4f]; // norm exactly 5
        GradientClipping.ClipByNorm(g, 5f);
        float coef = (float)(5.0 / (5.0 + 1e-6)); // below 1 because of the 1e-6
        Assert.Equal(3f * coef, g[0]);
        Assert.Equal(4f * coef, g[1]);
        Assert.NotEqual(3f, g[0]);

        float[] small = [0.3f, -0.4f];
        Assert.Equal(0.5, GradientClipping.ClipByNorm(small, 1f), 6);
        Assert.Equal([0.3f, -0.4f], small); // untouched, bit for bit

        float[] big = [30f, 40f];
        GradientClipping.ClipByNorm(big, 1f);
        Assert.Equal(0.6f, big[0], 5);
        Assert.Equal(0.8f, big[1], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm(big, 0f));
    }

    [Fact]
    public void ClipByValueMatchesPyTorch()
    {
        JsonElement c = Reference.Root.GetProperty("clipValue");
        float[] g = c.GetProperty("gradients").Floats();
        GradientClipping.ClipByValue(g, (float)c.GetProperty("maxValue").GetDouble());
        Assert.Equal(c.GetProperty("expected").Floats(), g);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(g, float.NaN));
    }

    private static LinearModel ModelWithKnownWeights()
    {
        var net = new LinearModel(5, 3, Loss.MeanSquaredError); // 15 weights then 3 biases
        for (int i = 0; i < net.ParameterCount; i++) net.Parameters[i] = (i % 4 - 1.5f) * (i % 5 == 0 ? 0 : 1); // includes zeros
        for (int i = 0; i < net.ParameterCount; i++) net.Gradients[i] = 0.25f * i;
        return net;
    }

    [Fact]
    public void L2AppliesToWeightsOnly()
    {
        LinearModel net = ModelWithKnownWeights();
        Regularization.AddL2Gradient(net, 0.1f);
        for (int i = 0; i < 15; i++) Assert.Equal(0.25f * i + 0.1f * net.Parameters[i], net.Gradients[i]);
        for (int i = 15; i < 18; i++) Assert.Equal(0.25f * i, net.Gradients[i]); // biases untouched
    }

    [Fact]
    public void L1AppliesToWeightsOnlyWithSignZeroAtZero()
    {
        LinearModel net = ModelWithKnownWeights();
        Regularization.AddL1Gradient(net, 0.1f);
        for (int i = 0; i < 15; i++)
        {
            float w = net.Parameters[i];
            Assert.Equal(0.25f * i + 0.1f * MathF.Sign(w), net.Gradients[i]);
        }
        Assert.Equal(0f, net.Gradients[0]); // w = 0: no pull
        for (int i = 15; i < 18; i++) Assert.Equal(0.25f * i, net.Gradients[i]);
    }

    [Fact]
    public void L1AndL2SkipStateAndAreVectorizedConsistently()
    {
        var net = new LinearModel(37, 4, Loss.MeanSquaredError, stateSize: 3); // 148 weights: vector body and tail
        net.InitializeParameters(1);
        Regularization.AddL1Gradient(net, 0.5f);
        Regularization.AddL2Gradient(net, 2f);
        for (int i = 0; i < 148; i++) Assert.Equal(0.5f * MathF.Sign(net.Parameters[i]) + 2f * net.Parameters[i], net.Gradients[i]);
        for (int i = 148; i < net.ParameterCount; i++) Assert.Equal(0f, net.Gradients[i]);
    }
}
