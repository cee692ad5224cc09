using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Backprop.Generated.Tests.GradientChecks;

/// <summary>
/// Gradient checks for convolutional networks: every case of conv_gradcheck_cases.json (PyTorch float64, see
/// tests/reference/make_conv_gradcheck_refs.py) for the loss, every gradient, the Forward outputs and the batch-norm
/// running statistics; Richardson-extrapolated float32 central differences on the generated networks; Forward on k
/// samples against k one-sample calls; the blocked and multi-threaded Backward and TrainStep against the plain path.
/// </summary>
public sealed class ConvGradientCheckTests
{
    // The tolerances of StagedGradientCheckTests (the script checks float32 torch stays below 0.1 of them, and that
    // max pooling's gradient to the last maximum of a tie, a missing 1/k, a flipped kernel and the biased running
    // variance are ≥ 142× outside).
    private static (double Relative, double Absolute) RefTolerance(StagedGradientCheckCase c) => c.HasBatchNorm ? (1e-4, 3e-5) : (3e-5, 3e-6);

    private const double OutRelative = 3e-5;
    private const double OutAbsolute = 3e-6;
    private const double StateTolerance = 2e-6;

    // Finite differences as StagedGradientCheckTests: norm-wise per tensor, Richardson (4 C(h/2) − C(h)) / 3.
    private const float FdStep = 1f / 512f;
    private const double FdRelative = 2e-2;
    private const double FdAbsolute = 2e-4;

    public static TheoryData<string> CaseNames => Data(ConvGradientCheckData.Cases.Keys);

    // Finite differences on the small cases, except the max-pooling ties: there the loss has a kink in the
    // convolution's weights by construction (which tied value is the maximum switches with the weights), so a
    // difference quotient averages the two one-sided slopes; the PyTorch comparison covers that case instead.
    public static TheoryData<string> SmallCaseNames => Data(ConvGradientCheckData.Cases.Values
        .Where(c => c.K <= 5 && c.Network != "C_Mse_MaxPoolTies").Select(c => c.Name));

    public static TheoryData<string> NetworkNames => Data(ConvGradientCheckNetworks.Names);

    private static TheoryData<string> Data(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (string name in names) data.Add(name);
        return data;
    }

    [Fact]
    public void EveryNetworkHasACase()
    {
        var fromCases = ConvGradientCheckData.Cases.Values.Select(c => c.Network).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(ConvGradientCheckNetworks.Names.OrderBy(n => n, StringComparer.Ordinal), fromCases);
        Assert.Contains(ConvGradientCheckData.Cases.Values, c => c.K == 1);
        Assert.Contains(ConvGradientCheckData.Cases.Values, c => c.K > 32); // blocks of 32 and a remainder
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void TensorsMatchTheDocumentedLayout(string network)
    {
        var c = ConvGradientCheckData.Cases.Values.First(x => x.Network == network);
        INetwork net = ConvGradientCheckNetworks.Create(network, 1);
        Assert.Equal(c.InputSize, net.InputSize);
        Assert.Equal(c.OutputSize, net.OutputSize);
        Assert.Equal(c.Tensors.Select(t => t.Name), net.Tensors.Select(t => t.Name));
        foreach (var (expected, actual) in c.Tensors.Zip(net.Tensors))
        {
            Assert.Equal(expected.Storage, actual.Storage);
            Assert.Equal(expected.Offset, actual.Offset);
            Assert.Equal(expected.Shape, actual.Shape);
        }
        Assert.Equal(c.Parameters.Values.Sum(v => v.Length), net.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardMatchesPyTorchReference(string caseName)
    {
        var c = ConvGradientCheckData.Cases[caseName];
        INetwork net = Prepare(c);

        float loss = net.Backward(c.Inputs, c.Targets);

        var failures = new List<string>();
        var (relative, absolute) = RefTolerance(c);
        double lossTolerance = relative * Math.Abs(c.ExpectedLoss) + absolute;
        if (!(Math.Abs(loss - c.ExpectedLoss) <= lossTolerance))
            failures.Add($"loss: expected {c.ExpectedLoss:R}, actual {loss:R} (tolerance {lossTolerance:G3})");
        foreach (TensorInfo t in net.Tensors.Where(t => t.Storage == TensorStorage.Parameters))
        {
            double[] expected = c.ExpectedGradients[t.Name];
            float[] actual = t.Slice(net.Gradients).ToArray();
            double scale = c.GradientScales[t.Name];
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = relative * Math.Abs(expected[i]) + absolute * scale;
                if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                    failures.Add($"{t.Name}[{i}]: expected {expected[i]:R}, actual {actual[i]:R} (tolerance {tolerance:G3})");
            }
        }
        foreach (TensorInfo t in net.Tensors.Where(t => t.Storage == TensorStorage.State))
        {
            double[] expected = c.ExpectedState[t.Name];
            float[] actual = t.Slice(net.State).ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = StateTolerance * Math.Max(1, Math.Abs(expected[i]));
                if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                    failures.Add($"{t.Name}[{i}] after Backward: expected {expected[i]:R}, actual {actual[i]:R}");
            }
        }
        AssertNoFailures(c, "PyTorch reference", failures);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardMatchesPyTorchInferenceOutputs(string caseName)
    {
        var c = ConvGradientCheckData.Cases[caseName];
        INetwork net = Prepare(c);
        var outputs = new float[c.K * c.OutputSize];

        net.Forward(c.Inputs, outputs);

        var failures = new List<string>();
        for (int i = 0; i < outputs.Length; i++)
        {
            double expected = c.ExpectedOutputs[i];
            double tolerance = OutRelative * Math.Abs(expected) + OutAbsolute * Math.Max(1, Math.Abs(expected));
            if (!(Math.Abs(outputs[i] - expected) <= tolerance))
                failures.Add($"output[{i}]: expected {expected:R}, actual {outputs[i]:R}");
        }
        AssertNoFailures(c, "Forward outputs", failures);
    }

    /// <summary>Forward on k samples against k one-sample calls: the same bits below 8 samples, within float rounding from 8 on.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardOnKSamplesEqualsKSingleCalls(string caseName)
    {
        var c = ConvGradientCheckData.Cases[caseName];
        INetwork net = Prepare(c);
        var inputs = new float[Math.Max(c.K, 11) * c.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = c.Inputs[i % c.Inputs.Length] * (1 + 0.01f * (i / c.Inputs.Length));
        foreach (int k in new[] { 2, 7, 8, 11, Math.Max(c.K, 11) }.Distinct())
        {
            var together = new float[k * c.OutputSize];
            net.Forward(inputs.AsSpan(0, k * c.InputSize), together);
            var single = new float[c.OutputSize];
            for (int s = 0; s < k; s++)
            {
                net.Forward(inputs.AsSpan(s * c.InputSize, c.InputSize), single);
                for (int j = 0; j < c.OutputSize; j++)
                {
                    float a = together[s * c.OutputSize + j], b = single[j];
                    if (k < 8) Assert.True(BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b), $"{caseName} k={k} sample {s} output {j}: {a:R} vs {b:R}");
                    else Assert.True(Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b)), $"{caseName} k={k} sample {s} output {j}: {a:R} vs {b:R}");
                }
            }
        }
    }

    /// <summary>Finite differences of the loss through the generated Backward itself, with the dropout mask held fixed.</summary>
    [Theory]
    [MemberData(nameof(SmallCaseNames))]
    public void BackwardMatchesFiniteDifferences(string caseName)
    {
        var c = ConvGradientCheckData.Cases[caseName];
        INetwork net = Prepare(c);
        float loss = net.Backward(c.Inputs, c.Targets);
        float[] analytic = net.Gradients.ToArray();
        float[] state = net.State.ToArray();

        float LossAt(int index, float value)
        {
            float saved = net.Parameters[index];
            net.Parameters[index] = value;
            net.TrainingStep = c.TrainingStep;
            float l = net.Backward(c.Inputs, c.Targets);
            net.Parameters[index] = saved;
            return l;
        }

        var failures = new List<string>();
        foreach (TensorInfo t in net.Tensors.Where(t => t.Storage == TensorStorage.Parameters))
        {
            double diff = 0, norm = 0;
            for (int i = 0; i < t.Length; i++)
            {
                int index = t.Offset + i;
                float p = net.Parameters[index];
                double Central(float h) => ((double)LossAt(index, p + h) - LossAt(index, p - h)) / (((double)(p + h)) - (p - h));
                double fd = (4 * Central(FdStep / 2) - Central(FdStep)) / 3;
                diff += (fd - analytic[index]) * (fd - analytic[index]);
                norm += (double)analytic[index] * analytic[index];
            }
            double tolerance = FdRelative * Math.Sqrt(norm) + FdAbsolute * Math.Max(1, Math.Abs(loss)) * Math.Sqrt(t.Length);
            if (!(Math.Sqrt(diff) <= tolerance))
                failures.Add($"{t.Name}: ‖fd − g‖ = {Math.Sqrt(diff):G3}, ‖g‖ = {Math.Sqrt(norm):G3}, tolerance {tolerance:G3}");
        }
        state.CopyTo(net.State);
        AssertNoFailures(c, "finite differences", failures);
    }

    /// <summary>The blocked Backward (blocks of 32 plus a remainder, on 1 or 3 threads) against one sample at a time.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void BlockedAndParallelBackwardEqualPerSampleBackward(int threads)
    {
        var c = ConvGradientCheckData.Cases.Values.First(x => x.Network == "C_Ce_Conv1DStride2_MaxPoolOdd_K1_Gap_Logits" && x.K > 32);
        const int k = 101; // 3 blocks of 32 and a remainder of 5
        var rng = new Random(3);
        float[] inputs = Enumerable.Range(0, k * c.InputSize).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] targets = new float[k * c.OutputSize];
        for (int s = 0; s < k; s++) targets[s * c.OutputSize + rng.Next(c.OutputSize)] = 1f;

        INetwork blocked = Prepare(c);
        ((IParallelBackward)blocked).MaxDegreeOfParallelism = threads;
        float blockedLoss = blocked.Backward(inputs, targets);

        INetwork single = Prepare(c);
        double singleLoss = 0;
        var perSample = new double[single.ParameterCount];
        for (int s = 0; s < k; s++)
        {
            single.ZeroGradients();
            singleLoss += single.Backward(inputs.AsSpan(s * c.InputSize, c.InputSize), targets.AsSpan(s * c.OutputSize, c.OutputSize));
            for (int i = 0; i < perSample.Length; i++) perSample[i] += single.Gradients[i] / (double)k;
        }
        Assert.True(Math.Abs(blockedLoss - singleLoss / k) <= 1e-5 * Math.Abs(singleLoss / k), $"loss {blockedLoss:R} vs {singleLoss / k:R}");
        double scale = perSample.Max(Math.Abs);
        for (int i = 0; i < perSample.Length; i++)
            Assert.True(Math.Abs(blocked.Gradients[i] - perSample[i]) <= 1e-5 * scale, $"gradient {i}: {blocked.Gradients[i]:R} vs {perSample[i]:R}");
    }

    [Fact]
    public void TrainStepEqualsZeroGradientsBackwardSgdStepBitForBit()
    {
        var c = ConvGradientCheckData.Cases.Values.First(x => x.Network == "C_Ce_Conv2DStride2Pad1_MaxPoolOdd" && x.K == 4);
        INetwork a = Prepare(c);
        INetwork b = Prepare(c);
        for (int s = 0; s < c.K; s++)
        {
            var x = c.Inputs.AsSpan(s * c.InputSize, c.InputSize);
            var t = c.Targets.AsSpan(s * c.OutputSize, c.OutputSize);
            float stepLoss = ((ISgdTrainStep)a).TrainStep(x, t, 0.05f);
            b.ZeroGradients();
            float loss = b.Backward(x, t);
            Sgd.Step(b.Parameters, b.Gradients, 0.05f);
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(stepLoss));
            Assert.True(a.Parameters.SequenceEqual(b.Parameters), $"parameters differ after step {s}");
        }
        Assert.True(a.Gradients.ToArray().All(g => g == 0f), "TrainStep touched Gradients");
    }

    [Fact]
    public void ConvolutionalNetworksWithoutBatchNormDropoutOrActivationHaveTheTrainingInterfaces()
    {
        Assert.IsAssignableFrom<ISgdTrainStep>(new FashionCnn());
        Assert.IsAssignableFrom<IParallelBackward>(new SensorNet());
        Assert.False(new ConvWithBatchNorm() is ISgdTrainStep);
        Assert.False(new ConvWithBatchNorm() is IParallelBackward);
    }

    [Fact]
    public void ForwardBackwardAndTrainStepAllocateNothingAfterTheFirstCall()
    {
        var rng = new Random(5);
        var fashion = new FashionCnn(1);
        float[] x = Enumerable.Range(0, 37 * FashionCnn.InputSize).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] t = new float[37 * FashionCnn.OutputSize];
        for (int s = 0; s < 37; s++) t[s * 10 + s % 10] = 1f;
        float[] y = new float[37 * FashionCnn.OutputSize];
        void Round()
        {
            fashion.Forward(x.AsSpan(0, FashionCnn.InputSize), y.AsSpan(0, FashionCnn.OutputSize));
            fashion.Forward(x, y);
            fashion.Backward(x, t);
            fashion.Backward(x.AsSpan(0, 3 * FashionCnn.InputSize), t.AsSpan(0, 30));
            fashion.TrainStep(x.AsSpan(0, FashionCnn.InputSize), t.AsSpan(0, 10), 0.01f);
            var input = new FashionCnn.Input();
            fashion.Forward(in input, out FashionCnn.Output _);
        }
        Round();
        Assert.Equal(0, AllocationProbe.MinBytes(Round));

        var bn = new ConvWithBatchNorm(2);
        float[] bx = Enumerable.Range(0, 6 * ConvWithBatchNorm.InputSize).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] bt = new float[6 * ConvWithBatchNorm.OutputSize];
        float[] by = new float[6 * ConvWithBatchNorm.OutputSize];
        void BnRound()
        {
            bn.Forward(bx, by);
            bn.Backward(bx, bt);
        }
        BnRound();
        Assert.Equal(0, AllocationProbe.MinBytes(BnRound));
    }

    /// <summary>A safetensors file written by PyTorch for FashionCnn loads and gives PyTorch's outputs; the baked class gives the same bits.</summary>
    [Fact]
    public void FashionCnnLoadsPyTorchWeightsAndItsBakedFormGivesTheSameBits()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "reference");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "fashion_cnn.expected.json")));
        float[] inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        double[] expected = doc.RootElement.GetProperty("outputs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int k = inputs.Length / FashionCnn.InputSize;
        Assert.Equal(5, k);

        var net = new FashionCnn(123);
        net.LoadWeights(Path.Combine(dir, "fashion_cnn.safetensors"));
        var outputs = new float[k * FashionCnn.OutputSize];
        net.Forward(inputs, outputs);
        for (int i = 0; i < outputs.Length; i++)
            Assert.True(Math.Abs(outputs[i] - expected[i]) <= OutRelative * Math.Abs(expected[i]) + OutAbsolute, $"output {i}: {outputs[i]:R} vs PyTorch {expected[i]:R}");

        var baked = new FashionCnnBaked();
        var bakedOutputs = new float[outputs.Length];
        baked.Forward(inputs, bakedOutputs);
        Assert.Equal(outputs.Select(BitConverter.SingleToInt32Bits), bakedOutputs.Select(BitConverter.SingleToInt32Bits));
        Assert.True(net.Parameters.SequenceEqual(FashionCnnBaked.Parameters));
        for (int s = 0; s < k; s++)
        {
            var one = new float[FashionCnn.OutputSize];
            baked.Forward(inputs.AsSpan(s * FashionCnn.InputSize, FashionCnn.InputSize), one);
            Assert.Equal(outputs.AsSpan(s * 10, 10).ToArray().Select(BitConverter.SingleToInt32Bits), one.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void ConvolutionInitializationUsesPyTorchsFans()
    {
        var net = new FashionCnn(7);
        // conv1: He uniform with fan-in 1·5·5 = 25: bound √2·√(3/25) ≈ 0.4899; conv2: fan-in 16·25 = 400: bound ≈ 0.1225
        float[] w0 = net.Tensors[0].Slice(net.Parameters).ToArray();
        float[] w1 = net.Tensors[2].Slice(net.Parameters).ToArray();
        Assert.InRange(w0.Max(Math.Abs), 0.40f, (float)(Math.Sqrt(2) * Math.Sqrt(3.0 / 25)));
        Assert.InRange(w1.Max(Math.Abs), 0.11f, (float)(Math.Sqrt(2) * Math.Sqrt(3.0 / 400)));
        Assert.All(net.Tensors[1].Slice(net.Parameters).ToArray(), b => Assert.Equal(0f, b));
        var again = new FashionCnn(7);
        Assert.True(net.Parameters.SequenceEqual(again.Parameters));
    }

    private static INetwork Prepare(StagedGradientCheckCase c)
    {
        INetwork net = ConvGradientCheckNetworks.Create(c.Network, c.Seed);
        foreach (TensorInfo t in net.Tensors)
        {
            bool parameters = t.Storage == TensorStorage.Parameters;
            float[] values = (parameters ? c.Parameters : c.State)[t.Name];
            Assert.Equal(t.Length, values.Length);
            values.CopyTo(t.Slice(parameters ? net.Parameters : net.State));
        }
        net.ZeroGradients();
        net.TrainingStep = c.TrainingStep;
        return net;
    }

    private static void AssertNoFailures(StagedGradientCheckCase c, string what, List<string> failures)
    {
        if (failures.Count == 0) return;
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"{c.Name}: {failures.Count} {what} mismatch(es)\n");
        foreach (string f in failures.Take(20)) message.Append("  ").Append(f).Append('\n');
        Assert.Fail(message.ToString());
    }
}

/// <summary>Loads conv_gradcheck_cases.json (same fields as staged_gradcheck_cases.json) once.</summary>
internal static class ConvGradientCheckData
{
    private const string FileName = "conv_gradcheck_cases.json";

    private static readonly Lazy<IReadOnlyDictionary<string, StagedGradientCheckCase>> s_cases = new(Load);

    public static IReadOnlyDictionary<string, StagedGradientCheckCase> Cases => s_cases.Value;

    private static IReadOnlyDictionary<string, StagedGradientCheckCase> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Locate()));
        var result = new Dictionary<string, StagedGradientCheckCase>(StringComparer.Ordinal);
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var parsed = new StagedGradientCheckCase
            {
                Name = c.GetProperty("name").GetString()!,
                Network = c.GetProperty("network").GetString()!,
                InputSize = c.GetProperty("input_size").GetInt32(),
                OutputSize = c.GetProperty("output_size").GetInt32(),
                Layers = c.GetProperty("layers").EnumerateArray().Select(l => new StagedLayer(
                    l.GetProperty("kind").GetString()!,
                    l.TryGetProperty("units", out var u) ? u.GetInt32() : 0,
                    l.TryGetProperty("activation", out var a) ? Enum.Parse<Activation>(a.GetString()!) : Activation.Linear,
                    l.TryGetProperty("rate", out var r) ? r.GetDouble() : 0)).ToArray(),
                Loss = Enum.Parse<Loss>(c.GetProperty("loss").GetString()!),
                K = c.GetProperty("k").GetInt32(),
                Seed = c.GetProperty("seed").GetInt32(),
                TrainingStep = c.GetProperty("training_step").GetInt64(),
                Tensors = c.GetProperty("tensors").EnumerateArray().Select(t => new StagedTensor(
                    t.GetProperty("name").GetString()!,
                    Enum.Parse<TensorStorage>(t.GetProperty("storage").GetString()!),
                    t.GetProperty("offset").GetInt32(),
                    t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray())).ToArray(),
                Parameters = FloatMap(c.GetProperty("parameters")),
                State = FloatMap(c.GetProperty("state")),
                Inputs = Floats(c.GetProperty("inputs")),
                Targets = Floats(c.GetProperty("targets")),
                DropoutMasks = c.GetProperty("dropout_masks").EnumerateObject().ToDictionary(p => int.Parse(p.Name, CultureInfo.InvariantCulture), p => Floats(p.Value)),
                ExpectedLoss = c.GetProperty("expected_loss").GetDouble(),
                ExpectedGradients = c.GetProperty("expected_gradients").EnumerateObject().ToDictionary(p => p.Name, p => Doubles(p.Value), StringComparer.Ordinal),
                GradientScales = c.GetProperty("gradient_scales").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()),
                ExpectedState = c.GetProperty("expected_state").EnumerateObject().ToDictionary(p => p.Name, p => Doubles(p.Value), StringComparer.Ordinal),
                ExpectedOutputs = Doubles(c.GetProperty("expected_outputs")),
            };
            result.Add(parsed.Name, parsed);
        }
        return result;
    }

    private static Dictionary<string, float[]> FloatMap(JsonElement o) => o.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value), StringComparer.Ordinal);

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        string[] candidates =
        {
            Path.Combine(AppContext.BaseDirectory, "GradientChecks", FileName),
            Path.Combine(AppContext.BaseDirectory, FileName),
            Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", FileName),
        };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{FileName} not found (looked in: {string.Join(", ", candidates)}); run tests/reference/make_conv_gradcheck_refs.py.");
    }
}
