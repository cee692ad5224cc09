using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Backprop.Generated;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generated.Tests.Training;

public sealed class OptimizerTests(ITestOutputHelper output)
{
    public static TheoryData<string> ReferenceCases => new(Reference.Root.GetProperty("optimizers").EnumerateArray().Select(e => e.GetProperty("name").GetString()!));

    private static Optimizer Create(JsonElement c)
    {
        JsonElement h = c.GetProperty("hyper");
        float lr = (float)c.GetProperty("learningRates")[0].GetDouble();
        return c.GetProperty("kind").GetString() switch
        {
            "sgd" => h.TryGetProperty("momentum", out _)
                ? new Sgd(lr, h.Float("momentum", 0), h.Float("dampening", 0), h.Bool("nesterov"))
                : new Sgd(lr),
            "adam" => new Adam(lr, h.Float("beta1", 0.9f), h.Float("beta2", 0.999f), h.Float("epsilon", 1e-8f), h.Float("weightDecay", 0)),
            "rmsprop" => new RmsProp(lr, h.Float("alpha", 0.99f), h.Float("epsilon", 1e-8f), h.Float("momentum", 0), h.Bool("centered")),
            var kind => throw new InvalidOperationException(kind),
        };
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void MatchesPyTorch(string name)
    {
        JsonElement c = Reference.Case("optimizers", name);
        Optimizer optimizer = Create(c);
        var net = new ParameterBag();
        c.GetProperty("initial").Floats().CopyTo(net.Parameters);
        float[] rates = c.GetProperty("learningRates").Floats();
        JsonElement[] gradients = c.GetProperty("gradients").EnumerateArray().ToArray();
        JsonElement[] expected = c.GetProperty("expected").EnumerateArray().ToArray();
        long worst = 0;
        for (int step = 0; step < gradients.Length; step++)
        {
            optimizer.LearningRate = rates[step];
            gradients[step].Floats().CopyTo(net.Gradients);
            optimizer.Step(net);
            float[] want = expected[step].Floats();
            for (int i = 0; i < want.Length; i++)
            {
                float got = net.Parameters[i];
                long ulps = Reference.Ulps(got, want[i]);
                worst = Math.Max(worst, ulps);
                // PyTorch's vectorized kernels may fuse a multiply-add (one rounding instead of two): allow a few ulps.
                Assert.True(ulps <= 8 || Math.Abs(got - want[i]) <= 1e-7f,
                    $"{name} step {step + 1} parameter {i}: got {got:R}, PyTorch {want[i]:R} ({ulps} ulps)");
            }
        }
        Assert.Equal(gradients.Length, optimizer.StepCount);
        output.WriteLine($"{name}: worst difference {worst} ulps");
    }

    public static TheoryData<string> StateCases => new("sgd", "sgd_nesterov", "adam", "adamw", "rmsprop", "rmsprop_centered_momentum");

    private static Optimizer CreateNamed(string name) => name switch
    {
        "sgd" => new Sgd(0.05f),
        "sgd_nesterov" => new Sgd(0.05f, 0.9f, nesterov: true),
        "adam" => new Adam(0.01f),
        "adamw" => new Adam(0.01f, weightDecay: 0.05f),
        "rmsprop" => new RmsProp(0.01f),
        "rmsprop_centered_momentum" => new RmsProp(0.01f, 0.9f, 1e-7f, momentum: 0.5f, centered: true),
        _ => throw new ArgumentException(name),
    };

    private static void TrainSteps(INetwork net, IOptimizer optimizer, Dataset data, int from, int count)
    {
        for (int s = from; s < from + count; s++)
        {
            int row = s % data.Count;
            net.ZeroGradients();
            net.Backward(data.GetInput(row), data.GetTarget(row));
            optimizer.LearningRate = 0.01f / (1 + s); // changing rates must survive the round trip as well
            optimizer.Step(net);
        }
    }

    [Theory]
    [MemberData(nameof(StateCases))]
    public void SavedStateContinuesBitIdentically(string name)
    {
        Dataset data = TestData.Blobs(30, seed: 3);
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        net.InitializeParameters(5);
        Optimizer optimizer = CreateNamed(name);
        TrainSteps(net, optimizer, data, 0, 7);

        var saved = new MemoryStream();
        optimizer.SaveState(saved);
        float[] parametersAtSave = net.Parameters.ToArray();

        TrainSteps(net, optimizer, data, 7, 9);

        var restoredNet = new LinearModel(4, 3, Loss.CrossEntropy);
        parametersAtSave.CopyTo(restoredNet.Parameters);
        Optimizer restored = CreateNamed(name);
        saved.Position = 0;
        restored.LoadState(saved);
        Assert.Equal(7, restored.StepCount);
        TrainSteps(restoredNet, restored, data, 7, 9);

        Assert.Equal(net.Parameters.ToArray(), restoredNet.Parameters.ToArray()); // exact float equality
        var a = new MemoryStream();
        var b = new MemoryStream();
        optimizer.SaveState(a);
        restored.SaveState(b);
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void LoadStateRejectsOtherHyperParametersAndGarbage()
    {
        var net = new ParameterBag();
        var adam = new Adam(0.01f);
        adam.Step(net);
        var saved = new MemoryStream();
        adam.SaveState(saved);

        var other = new Adam(0.01f, beta1: 0.8f);
        other.Step(net);
        saved.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => other.LoadState(saved));
        Assert.Contains("beta1=0.9", e.Message);
        Assert.Contains("beta1=0.8", e.Message);
        Assert.Equal(1, other.StepCount); // unchanged

        saved.Position = 0;
        Assert.Throws<InvalidDataException>(() => new RmsProp().LoadState(saved));
        Assert.Throws<InvalidDataException>(() => new Adam().LoadState(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8])));
        byte[] truncated = saved.ToArray()[..^4];
        Assert.Throws<InvalidDataException>(() => new Adam(0.01f).LoadState(new MemoryStream(truncated)));
    }

    [Fact]
    public void UnboundStateRoundTrips()
    {
        var saved = new MemoryStream();
        new Sgd(0.1f, 0.9f).SaveState(saved);
        saved.Position = 0;
        var sgd = new Sgd(0.2f, 0.9f);
        sgd.LoadState(saved);
        Assert.Equal(0.1f, sgd.LearningRate);
        Assert.Equal(0, sgd.StepCount);
        sgd.Step(new ParameterBag()); // binds now
        Assert.Equal(1, sgd.StepCount);
    }

    [Fact]
    public void StateIsBoundToTheParameterCount()
    {
        var adam = new Adam();
        adam.Step(new ParameterBag());
        var e = Assert.Throws<InvalidOperationException>(() => adam.Step(new LinearModel(2, 2, Loss.MeanSquaredError)));
        Assert.Contains("18 parameters", e.Message);
        adam.ResetState();
        adam.Step(new LinearModel(2, 2, Loss.MeanSquaredError));
        Assert.Equal(1, adam.StepCount);
    }

    [Fact]
    public void StepsAllocateNothing()
    {
        var net = new LinearModel(37, 5, Loss.MeanSquaredError); // 190 parameters: vector body and tail
        Optimizer[] optimizers =
        [
            new Sgd(0.01f), new Sgd(0.01f, 0.9f), new Sgd(0.01f, 0.9f, nesterov: true),
            new Adam(0.001f), new Adam(0.001f, weightDecay: 0.01f),
            new RmsProp(0.001f), new RmsProp(0.001f, momentum: 0.9f, centered: true),
        ];
        for (int i = 0; i < net.Gradients.Length; i++) net.Gradients[i] = MathF.Sin(i) * 1e-3f;
        foreach (Optimizer optimizer in optimizers)
        {
            for (int i = 0; i < 10; i++) optimizer.Step(net); // warm-up: state allocation, JIT tiering
            long allocated = AllocationProbe.MinBytes(() =>
            {
                for (int i = 0; i < 2000; i++)
                {
                    optimizer.LearningRate = 0.001f;
                    optimizer.Step(net);
                }
            });
            Assert.True(allocated == 0, $"{optimizer} allocated {allocated} bytes in 2000 steps");
        }
    }

    [Fact]
    public void InvalidHyperParametersNameTheValue()
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0f)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(float.NaN)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, 1f)).ParamName);
        Assert.Equal("dampening", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, 0.9f, -0.1f)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd(0.1f, 0.9f, 0.5f, nesterov: true)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: -0.5f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: float.PositiveInfinity)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(weightDecay: -1f)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(alpha: 1.5f)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.Contains("[0, 1)", e.Message);
        var sgd = new Sgd(0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1f);
        sgd.LearningRate = 0f; // schedules may reach 0
        Assert.Equal("Adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1E-08, weightDecay=0)", new Adam().ToString());
        Assert.Equal("Sgd(lr=0.1)", new Sgd(0.1f).ToString());
    }

    [Fact]
    public void AdamWDecaysWeightsButNotBiases()
    {
        var net = new ParameterBag();
        net.Parameters.Fill(2f);
        var adamw = new Adam(0.1f, weightDecay: 0.5f);
        adamw.Step(net); // zero gradient: only the decay moves parameters
        float decayed = (float)(1.0 - 0.1f * (double)0.5f) * 2f;
        for (int i = 0; i < ParameterBag.Out * ParameterBag.In; i++) Assert.Equal(decayed, net.Parameters[i]);
        for (int i = ParameterBag.Out * ParameterBag.In; i < net.ParameterCount; i++) Assert.Equal(2f, net.Parameters[i]);
    }
}
