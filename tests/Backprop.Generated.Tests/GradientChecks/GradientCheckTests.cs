using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.GradientChecks;

/// <summary>
/// The numerical proof of the generated Forward/Backward code: every case of gradcheck_cases.json (PyTorch float64
/// reference, see tests/reference/make_gradcheck_refs.py) and float32 central differences on the generated network
/// itself, plus the contract checks around them (accumulation, batching, lengths, seeds, layout).
/// </summary>
public sealed class GradientCheckTests
{
    // Reference comparison, per tensor: |actual - expected| <= RefRelative * |expected| + RefAbsolute * max(1, max|expected|).
    // Why these numbers: the generated code runs in float32 (unit roundoff 6e-8) on the very same float32 parameters,
    // inputs and targets as the float64 reference, so the only differences are float32 rounding in a few dozen
    // operations per component: the script's own float32 torch run of every case stays below 1/75 of this tolerance.
    // The absolute part scales with the tensor's largest component because a component that is small through
    // cancellation carries the rounding error of the large terms it was summed from. Real bugs are orders of magnitude
    // outside: the script checks that a missing 1/k, a doubled gradient and a wrong derivative of any hidden or output
    // activation (sigmoid' = a, tanh' = 1 - a, relu' = 1, leaky slope 0.1) exceed this tolerance at least 800-fold.
    private const double RefRelative = 3e-5;
    private const double RefAbsolute = 3e-6;

    // Central differences in float32 with h = 1/1024: |fd - g| <= FdRelative * |g| + FdAbsolute * max(1, |loss|).
    // The truncation error (h^2/6) f''' is ~1e-7; what dominates is float32 rounding of the loss: an error of a few ulps
    // of the loss (1.2e-7 * |loss| each) divided by 2h = 1/512 gives ~1e-4 * |loss|, hence the absolute floor
    // relative to the loss. The script's float32 simulation of this exact check stays below 1/6 of the tolerance.
    // ReLU/LeakyReLU pre-activations and hinge margins are >= 0.01 from their kinks in every case, while a step of h
    // moves them by at most ~h * |x| < 0.01, so no difference crosses a kink.
    private const float FdStep = 1f / 1024f;
    private const double FdRelative = 2e-3;
    private const double FdAbsolute = 1e-3;

    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in GradientCheckData.Cases.Keys) data.Add(name);
            return data;
        }
    }

    public static TheoryData<string> BatchedCaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var c in GradientCheckData.Cases.Values.Where(c => c.K > 1)) data.Add(c.Name);
            return data;
        }
    }

    public static TheoryData<string> NetworkNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in GradientCheckNetworks.Names) data.Add(name);
            return data;
        }
    }

    [Fact]
    public void EveryNetworkHasACaseAndEveryCaseANetwork()
    {
        var fromCases = GradientCheckData.Cases.Values.Select(c => c.Network).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(GradientCheckNetworks.Names.OrderBy(n => n, StringComparer.Ordinal), fromCases);
        Assert.True(GradientCheckData.Cases.Count >= 30, $"only {GradientCheckData.Cases.Count} cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardMatchesPyTorchReference(string caseName)
    {
        var c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);

        float loss = net.Backward(c.Inputs, c.Targets);

        var failures = new List<string>();
        double lossTolerance = RefRelative * Math.Abs(c.ExpectedLoss) + RefAbsolute;
        if (!(Math.Abs(loss - c.ExpectedLoss) <= lossTolerance))
            failures.Add($"loss: expected {c.ExpectedLoss:R}, actual {loss:R} (tolerance {lossTolerance:G3})");
        CompareTensors(c, net.Gradients.ToArray(), c.ExpectedGradients, failures);
        AssertNoFailures(c, "PyTorch reference", failures);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardMatchesPyTorchOutputs(string caseName)
    {
        var c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        var outputs = new float[c.K * c.OutputSize];

        net.Forward(c.Inputs, outputs);

        var failures = new List<string>();
        for (int i = 0; i < outputs.Length; i++)
        {
            double expected = c.ExpectedOutputs[i];
            double tolerance = RefRelative * Math.Abs(expected) + RefAbsolute * Math.Max(1, Math.Abs(expected));
            if (!(Math.Abs(outputs[i] - expected) <= tolerance))
                failures.Add($"output[{i}] (sample {i / c.OutputSize}, unit {i % c.OutputSize}): expected {expected:R}, actual {outputs[i]:R}");
        }
        AssertNoFailures(c, "Forward outputs", failures);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardMatchesFiniteDifferences(string caseName)
    {
        var c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        float loss = net.Backward(c.Inputs, c.Targets);
        float[] gradient = net.Gradients.ToArray();
        double floor = FdAbsolute * Math.Max(1, Math.Abs(loss));

        var failures = new List<string>();
        Span<float> parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            float original = parameters[i];
            float plus = original + FdStep;
            float minus = original - FdStep;
            parameters[i] = plus;
            float lossPlus = net.Backward(c.Inputs, c.Targets);
            parameters[i] = minus;
            float lossMinus = net.Backward(c.Inputs, c.Targets);
            parameters[i] = original;

            double fd = ((double)lossPlus - lossMinus) / ((double)plus - minus);
            double tolerance = FdRelative * Math.Abs(gradient[i]) + floor;
            if (!(Math.Abs(fd - gradient[i]) <= tolerance))
                failures.Add($"{Describe(c, i)}: Backward {gradient[i]:R}, central difference {fd:R} (tolerance {tolerance:G3})");
        }
        AssertNoFailures(c, "finite differences", failures);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardAddsToGradients(string caseName)
    {
        var c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);

        float first = net.Backward(c.Inputs, c.Targets);
        float[] once = net.Gradients.ToArray();
        float second = net.Backward(c.Inputs, c.Targets);
        float[] twice = net.Gradients.ToArray();

        Assert.Equal(first, second);
        var failures = new List<string>();
        foreach (var t in c.Layout())
        {
            int length = t.Shape.Aggregate(1, (a, b) => a * b);
            double scale = Math.Max(1e-3, Enumerable.Range(t.Offset, length).Max(i => Math.Abs(once[i])));
            for (int i = t.Offset; i < t.Offset + length; i++)
            {
                // Exact when Backward adds its finished gradient; a few ulps when it adds sample by sample.
                double tolerance = 1e-5 * scale;
                if (!(Math.Abs(twice[i] - 2.0 * once[i]) <= tolerance))
                    failures.Add($"{Describe(c, i)}: after one Backward {once[i]:R}, after two {twice[i]:R}, expected twice the first");
            }
        }
        AssertNoFailures(c, "accumulation", failures);

        net.ZeroGradients();
        Assert.All(net.Gradients.ToArray(), g => Assert.Equal(0f, g));
        net.Backward(c.Inputs, c.Targets);
        Assert.Equal(Bits(once), Bits(net.Gradients.ToArray()));
    }

    [Theory]
    [MemberData(nameof(BatchedCaseNames))]
    public void BatchedForwardEqualsSingleSampleForward(string caseName)
    {
        var c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        var batched = new float[c.K * c.OutputSize];
        net.Forward(c.Inputs, batched);

        var single = new float[c.K * c.OutputSize];
        for (int s = 0; s < c.K; s++)
        {
            net.Forward(c.Inputs.AsSpan(s * c.InputSize, c.InputSize), single.AsSpan(s * c.OutputSize, c.OutputSize));
        }

        if (!Backprop.Generated.CompilerServices.BatchKernels.Applies(c.K))
        {
            Assert.Equal(Bits(single), Bits(batched)); // one sample at a time either way
            return;
        }
        // The batch path (matrix kernels) sums in another order: equal within float rounding.
        for (int i = 0; i < single.Length; i++)
        {
            Assert.True(Math.Abs(single[i] - batched[i]) <= 1e-5f * Math.Max(1f, Math.Abs(single[i])),
                $"{c.Name}: output {i}: one sample at a time {single[i]:R}, batched {batched[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void LossRecomputedFromForwardOutputsEqualsBackwardLoss(string caseName)
    {
        var c = GradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        var outputs = new float[c.K * c.OutputSize];
        net.Forward(c.Inputs, outputs);

        double fromForward = LossOfOutputs(c, outputs);
        float fromBackward = net.Backward(c.Inputs, c.Targets);

        // Forward's inference outputs must be the outputs the training loss is taken on; float32 outputs fed into a
        // float64 loss differ from the fused float32 loss by a few ulps only.
        double tolerance = 2e-5 * Math.Max(1, Math.Abs(fromForward));
        Assert.True(Math.Abs(fromForward - fromBackward) <= tolerance,
            $"{c.Name}: loss of Forward's outputs {fromForward:R}, Backward returned {fromBackward:R}");
        Assert.True(Math.Abs(fromForward - c.ExpectedLoss) <= tolerance,
            $"{c.Name}: loss of Forward's outputs {fromForward:R}, PyTorch {c.ExpectedLoss:R}");
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void WrongLengthsThrowWithExpectedAndActualLengths(string network)
    {
        var c = GradientCheckData.ForNetwork(network);
        INetwork net = GradientCheckNetworks.Create(network);
        int n = net.InputSize, m = net.OutputSize;

        // Each error may be reported from either side: "inputs must be a multiple of n" or "k samples need k*n inputs",
        // and for whole but unequal sample counts either buffer may be called the wrong one. Each (expected, actual)
        // pair lists an acceptable reading; the message must name both numbers of one of them.
        AssertLengthError(() => net.Forward(new float[2 * n + 1], new float[2 * m]), (n, 2 * n + 1), (2 * n, 2 * n + 1));
        AssertLengthError(() => net.Forward(new float[2 * n], new float[3 * m]), (2 * m, 3 * m), (3 * n, 2 * n));
        AssertLengthError(() => net.Forward(new float[2 * n], new float[m]), (2 * m, m), (n, 2 * n));
        AssertLengthError(() => net.Forward(new float[2 * n], new float[2 * m + 1]), (2 * m, 2 * m + 1), (m, 2 * m + 1));
        AssertLengthError(() => net.Backward(new float[3 * n - 1], new float[3 * m]), (n, 3 * n - 1), (3 * n, 3 * n - 1));
        AssertLengthError(() => net.Backward(new float[2 * n], new float[2 * m + 1]), (2 * m, 2 * m + 1), (m, 2 * m + 1));
        AssertLengthError(() => net.Backward(new float[2 * n], new float[3 * m]), (2 * m, 3 * m), (3 * n, 2 * n));
        Assert.Equal(c.InputSize, n);
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void SameSeedGivesIdenticalParametersAndDifferentSeedsDiffer(string network)
    {
        var c = GradientCheckData.ForNetwork(network);
        float[] a = GradientCheckNetworks.Create(network, 12345).Parameters.ToArray();
        float[] b = GradientCheckNetworks.Create(network, 12345).Parameters.ToArray();
        float[] other = GradientCheckNetworks.Create(network, 12346).Parameters.ToArray();

        Assert.Equal(Bits(a), Bits(b));
        Assert.NotEqual(Bits(a), Bits(other));

        // The documented initialization: LayerInitializer.Initialize per layer with stream = layer index, each
        // layer's Init (Auto unless given) and activation; biases 0.
        float[] expected = new float[c.ParameterCount];
        var layout = c.Layout();
        int fanIn = c.InputSize;
        for (int layer = 0; layer < c.Layers.Count; layer++)
        {
            var weight = layout[2 * layer];
            var bias = layout[2 * layer + 1];
            var l = c.Layers[layer];
            LayerInitializer.Initialize(
                expected.AsSpan(weight.Offset, l.Units * fanIn), expected.AsSpan(bias.Offset, l.Units),
                fanIn, l.Units, l.Init, l.Activation, 12345, layer);
            fanIn = l.Units;
        }
        Assert.Equal(Bits(expected), Bits(a));

        INetwork reinitialized = GradientCheckNetworks.Create(network);
        reinitialized.InitializeParameters(12345);
        Assert.Equal(Bits(a), Bits(reinitialized.Parameters.ToArray()));
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void LayoutAndTensorsMatchTheDocumentedLayout(string network)
    {
        var c = GradientCheckData.ForNetwork(network);
        INetwork net = GradientCheckNetworks.Create(network);

        Assert.Equal(c.InputSize, net.InputSize);
        Assert.Equal(c.OutputSize, net.OutputSize);
        Assert.Equal(c.Loss, net.Loss);
        Assert.Equal(c.ParameterCount, net.ParameterCount);
        Assert.Equal(c.ParameterCount, net.Parameters.Length);
        Assert.Equal(c.ParameterCount, net.Gradients.Length);
        Assert.Equal(c.ParameterCount, c.Parameters.Length);
        Assert.Equal(0, net.State.Length);

        var expected = c.Layout();
        var tensors = net.Tensors;
        Assert.Equal(expected.Count, tensors.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, layer, role, offset, shape) = expected[i];
            var t = tensors[i];
            Assert.Equal(name, t.Name);
            Assert.Equal(layer, t.Layer);
            Assert.Equal(role, t.Role);
            Assert.Equal(TensorStorage.Parameters, t.Storage);
            Assert.Equal(offset, t.Offset);
            Assert.Equal(shape, t.Shape);
        }
    }

    /// <summary>
    /// Exactly at the kinks, derivatives follow PyTorch: relu'(0) = 0, leaky_relu'(0) = 0.01, and the hinge
    /// max(0, 1 - t y) has derivative 0 where 1 - t y = 0 (as relu(1 - t y)). The reference cases stay away from
    /// kinks, so this is checked here with all-zero parameters (pre-activations exactly 0) and hand-derived gradients.
    /// </summary>
    [Fact]
    public void KinkDerivativesFollowPyTorch()
    {
        float[] x = { 0.5f, -1.25f, 0.75f, 2f, -0.5f, 1.5f, -2f, 0.25f, 1f, -0.75f };

        // ReLU output, z = 0: y = 0, loss = mean t^2, relu'(0) = 0 so every gradient is 0.
        INetwork relu = GradientCheckNetworks.Create("Mse_ReLU"); // 5 -> 3 ReLU
        relu.Parameters.Clear();
        float[] tRelu = { 0.5f, -1f, 0.25f, 1f, -0.5f, 2f };
        float lossRelu = relu.Backward(x, tRelu);
        Assert.Equal(tRelu.Sum(v => (double)v * v) / tRelu.Length, lossRelu, 6);
        Assert.All(relu.Gradients.ToArray(), g => Assert.Equal(0f, g));

        // LeakyReLU output, z = 0: y = 0, dL/dy = -2 t / (k m), dL/dz = 0.01 dL/dy.
        INetwork leaky = GradientCheckNetworks.Create("Mse_LeakyReLU"); // 4 -> 2 LeakyReLU
        leaky.Parameters.Clear();
        float[] xLeaky = x.Take(8).ToArray();
        float[] tLeaky = { 1f, -0.5f, 0.25f, 2f };
        leaky.Backward(xLeaky, tLeaky);
        const int k = 2, n = 4, m = 2;
        var expected = new double[m * n + m];
        for (int s = 0; s < k; s++)
        {
            for (int o = 0; o < m; o++)
            {
                double dz = 0.01 * -2.0 * tLeaky[s * m + o] / (k * m);
                for (int i = 0; i < n; i++) expected[o * n + i] += dz * xLeaky[s * n + i];
                expected[m * n + o] += dz;
            }
        }
        float[] actual = leaky.Gradients.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * Math.Abs(expected[i]) + 1e-9,
                $"LeakyReLU at 0: gradient[{i}] expected {expected[i]:R}, actual {actual[i]:R}");
        }

        // Hinge exactly at the kink: W = 0, b = 1, so y = 1 and 1 - t y = 0 for t = +1: loss 0, gradient 0.
        INetwork hinge = GradientCheckNetworks.Create("Hinge_Linear"); // 4 -> 3 Linear
        hinge.Parameters.Clear();
        hinge.Parameters.Slice(3 * 4, 3).Fill(1f);
        float lossHinge = hinge.Backward(x.Take(8).ToArray(), new float[] { 1f, 1f, 1f, 1f, 1f, 1f });
        Assert.Equal(0f, lossHinge);
        Assert.All(hinge.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void GeneratedConstantsAreCompileTimeConstants()
    {
        const int input = Ce_Loop_64_32_10.InputSize;
        const int output = Ce_Loop_64_32_10.OutputSize;
        const int count = Ce_Loop_64_32_10.ParameterCount;
        int[] actual = { input, output, count };
        Assert.Equal(new[] { 64, 10, 64 * 32 + 32 + 32 * 10 + 10 }, actual);
    }

    /// <summary>A fresh network holding the case's parameters, with zero gradients.</summary>
    private static INetwork Prepare(GradientCheckCase c)
    {
        INetwork net = GradientCheckNetworks.Create(c.Network);
        Assert.Equal(c.Parameters.Length, net.ParameterCount);
        Assert.All(net.Gradients.ToArray(), g => Assert.Equal(0f, g));
        c.Parameters.CopyTo(net.Parameters);
        return net;
    }

    private static void CompareTensors(GradientCheckCase c, float[] actual, double[] expected, List<string> failures)
    {
        foreach (var t in c.Layout())
        {
            int length = t.Shape.Aggregate(1, (a, b) => a * b);
            double scale = Math.Max(1, Enumerable.Range(t.Offset, length).Max(i => Math.Abs(expected[i])));
            for (int i = t.Offset; i < t.Offset + length; i++)
            {
                double tolerance = RefRelative * Math.Abs(expected[i]) + RefAbsolute * scale;
                if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                    failures.Add($"{Describe(c, i)}: expected {expected[i]:R}, actual {actual[i]:R} (tolerance {tolerance:G3})");
            }
        }
    }

    /// <summary>"layers.1.weight[2,0] (Parameters[17])" for a flat index.</summary>
    private static string Describe(GradientCheckCase c, int index)
    {
        foreach (var t in c.Layout())
        {
            int length = t.Shape.Aggregate(1, (a, b) => a * b);
            if (index < t.Offset || index >= t.Offset + length) continue;
            int local = index - t.Offset;
            string at = t.Shape.Length == 2 ? $"{local / t.Shape[1]},{local % t.Shape[1]}" : $"{local}";
            return $"{t.Name}[{at}] (Parameters[{index}])";
        }
        return $"Parameters[{index}]";
    }

    private static void AssertNoFailures(GradientCheckCase c, string what, List<string> failures)
    {
        if (failures.Count == 0) return;
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"{c.Name} ({c.Loss}, k={c.K}, layers {c.InputSize}");
        foreach (var l in c.Layers) message.Append(CultureInfo.InvariantCulture, $" -> {l.Units} {l.Activation}");
        message.Append(CultureInfo.InvariantCulture, $"): {failures.Count} {what} mismatch(es)\n");
        foreach (string f in failures.Take(20)) message.Append("  ").Append(f).Append('\n');
        if (failures.Count > 20) message.Append(CultureInfo.InvariantCulture, $"  ... and {failures.Count - 20} more\n");
        Assert.Fail(message.ToString());
    }

    private static void AssertLengthError(Action action, params (int Expected, int Actual)[] readings)
    {
        var e = Assert.ThrowsAny<ArgumentException>(action);
        static bool Names(string message, int number) => Regex.IsMatch(message, $@"(?<![0-9]){number}(?![0-9])");
        Assert.True(readings.Any(r => Names(e.Message, r.Expected) && Names(e.Message, r.Actual)),
            $"The message should name the expected and actual lengths ({string.Join(" or ", readings.Select(r => $"{r.Expected} and {r.Actual}"))}): {e.Message}");
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>The loss of the documented definitions, in float64, from Forward's outputs y.</summary>
    private static double LossOfOutputs(GradientCheckCase c, float[] y)
    {
        float[] t = c.Targets;
        int n = y.Length;
        double sum = 0;
        bool logits = c.Layers[^1].Activation == Activation.Linear;
        if (logits && c.Loss == Loss.CrossEntropy)
        {
            // The outputs are logits: torch.nn.CrossEntropyLoss, −Σ t log softmax(y) per sample, in double.
            int m = c.OutputSize;
            for (int s = 0; s < c.K; s++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < m; j++) max = Math.Max(max, y[s * m + j]);
                double esum = 0;
                for (int j = 0; j < m; j++) esum += Math.Exp(y[s * m + j] - max);
                double lse = max + Math.Log(esum);
                for (int j = 0; j < m; j++) sum -= t[s * m + j] * (y[s * m + j] - lse);
            }
            return sum / c.K;
        }
        if (logits && c.Loss == Loss.BinaryCrossEntropy)
        {
            // The outputs are logits: torch.nn.BCEWithLogitsLoss, max(z, 0) − z t + log(1 + e^−|z|), in double.
            for (int i = 0; i < n; i++)
            {
                double z = y[i];
                sum += Math.Max(z, 0) - z * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            }
            return sum / n;
        }
        switch (c.Loss)
        {
            case Loss.MeanSquaredError:
                for (int i = 0; i < n; i++) sum += ((double)y[i] - t[i]) * ((double)y[i] - t[i]);
                return sum / n;
            case Loss.Hinge:
                for (int i = 0; i < n; i++) sum += Math.Max(0, 1 - (double)t[i] * y[i]);
                return sum / n;
            case Loss.CrossEntropy:
                for (int i = 0; i < n; i++)
                {
                    if (t[i] != 0) sum -= t[i] * Math.Max(Math.Log(y[i]), -100);
                }
                return sum / c.K;
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < n; i++)
                {
                    sum -= t[i] * Math.Max(Math.Log(y[i]), -100) + (1 - (double)t[i]) * Math.Max(Math.Log(1 - (double)y[i]), -100);
                }
                return sum / n;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Loss, "Unknown loss.");
        }
    }
}
