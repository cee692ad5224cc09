using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Xunit;
using Backprop.Generated.CompilerServices;

namespace Backprop.Generated.Tests.GradientChecks;

/// <summary>
/// Gradient checks for networks with [Activation], [Dropout] and [BatchNorm] layers: every case of
/// staged_gradcheck_cases.json (PyTorch float64 with the generated code's own dropout masks, see
/// tests/reference/make_staged_gradcheck_refs.py) for the loss, gradients, Forward outputs and the batch-norm running
/// statistics, and Richardson-extrapolated float32 central differences on the generated network with the mask held fixed.
/// </summary>
public sealed class StagedGradientCheckTests
{
    // Loss and gradients, per tensor: |actual - expected| <= rtol * |expected| + atol * scale, scale from the JSON:
    // max(1, max|expected|, max|gradient with the batch statistics held constant|) over the tensor. The float32 code
    // sums terms of the size of that last gradient, which the batch statistics' terms then cancel (to exactly 0 for
    // the bias of a Dense layer right before a batch norm), so its rounding error is relative to them.
    // Without batch norm the tolerance is GradientCheckTests' (float32 torch stays below 1/300 of it). Batch norm divides
    // by the batch deviation and x − μ cancels leading digits, which amplifies float32 rounding: (1e-4, 3e-5), where
    // float32 torch stays below 1/5. Bugs are far outside (the script asserts ≥ 10×, actual weakest): dropout without
    // 1/(1 − rate) 600×, a missing 1/k 7000×, batch norm's backward without the terms through the batch mean 2700× or
    // variance 2200×.
    private static (double Relative, double Absolute) RefTolerance(StagedGradientCheckCase c) => c.HasBatchNorm ? (1e-4, 3e-5) : (3e-5, 3e-6);

    // Forward (inference: running statistics, no dropout): as GradientCheckTests; float32 torch stays below 1/60.
    private const double OutRelative = 3e-5;
    private const double OutAbsolute = 3e-6;

    // Running statistics after one Backward: |actual - expected| <= 2e-6 max(1, |expected|). Three float32 operations on
    // batch moments: float32 torch stays below 1/20; the biased instead of the unbiased variance is ≥ 118× outside.
    private const double StateTolerance = 2e-6;

    // Finite differences, norm-wise per tensor: ‖fd − g‖ <= FdRelative ‖g‖ + FdAbsolute max(1, |loss|) √n, fd the
    // Richardson extrapolation (4 C(h/2) − C(h)) / 3 of float32 central differences C (batch norm over a few samples is
    // strongly curved: a plain central difference is biased by its h² term). The absolute part is float32 rounding of
    // the loss (a few ulps / h, amplified ~3× by the extrapolation) per component. The script's float32 simulation of
    // this check stays below 0.37 of it; ReLU/LeakyReLU inputs are ≥ 0.01 from the kink in every case.
    private const float FdStep = 1f / 512f;
    private const double FdRelative = 2e-2;
    private const double FdAbsolute = 2e-4;

    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in StagedGradientCheckData.Cases.Keys) data.Add(name);
            return data;
        }
    }

    public static TheoryData<string> BatchedCaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var c in StagedGradientCheckData.Cases.Values.Where(c => c.K > 1)) data.Add(c.Name);
            return data;
        }
    }

    public static TheoryData<string> NetworkNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in StagedGradientCheckNetworks.Names) data.Add(name);
            return data;
        }
    }

    [Fact]
    public void EveryNetworkHasACaseAndEveryCaseANetwork()
    {
        var fromCases = StagedGradientCheckData.Cases.Values.Select(c => c.Network).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(StagedGradientCheckNetworks.Names.OrderBy(n => n, StringComparer.Ordinal), fromCases);
        Assert.True(StagedGradientCheckData.Cases.Count >= 30, $"only {StagedGradientCheckData.Cases.Count} cases");
    }

    /// <summary>The script reimplements DropoutMask bit for bit; if the two ever diverge, every dropout case is moot.</summary>
    [Fact]
    public void DropoutMaskMatchesTheScriptsReimplementation()
    {
        foreach (var p in StagedGradientCheckData.MaskProbes)
        {
            Assert.Equal(p.Uniform, DropoutMask.Uniform(p.Seed, p.Step, p.Layer, p.Element));
            Assert.Equal(p.Scale03, DropoutMask.Scale(p.Seed, p.Step, p.Layer, p.Element, (float)0.3));
            Assert.Equal(p.Scale05, DropoutMask.Scale(p.Seed, p.Step, p.Layer, p.Element, (float)0.5));
        }
        int checkedMasks = 0;
        foreach (var c in StagedGradientCheckData.Cases.Values)
        {
            foreach (var (position, mask) in c.DropoutMasks)
            {
                float rate = (float)c.Layers[position].Rate;
                for (int e = 0; e < mask.Length; e++)
                {
                    float actual = DropoutMask.Scale(c.Seed, c.TrainingStep, position, e, rate);
                    Assert.True(mask[e] == actual, $"{c.Name}: layer {position} element {e}: script {mask[e]:R}, DropoutMask {actual:R}");
                }
                checkedMasks++;
            }
        }
        Assert.True(checkedMasks >= 15, $"only {checkedMasks} dropout masks");
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void TensorsMatchTheDocumentedLayout(string network)
    {
        var c = StagedGradientCheckData.ForNetwork(network);
        INetwork net = StagedGradientCheckNetworks.Create(network, 1);
        Assert.Equal(c.InputSize, net.InputSize);
        Assert.Equal(c.OutputSize, net.OutputSize);
        Assert.Equal(c.Loss, net.Loss);
        Assert.Equal(c.Tensors.Select(t => t.Name), net.Tensors.Select(t => t.Name));
        foreach (var (expected, actual) in c.Tensors.Zip(net.Tensors))
        {
            Assert.Equal(expected.Storage, actual.Storage);
            Assert.Equal(expected.Offset, actual.Offset);
            Assert.Equal(expected.Shape, actual.Shape);
        }
        Assert.Equal(c.Parameters.Values.Sum(v => v.Length), net.ParameterCount);
        Assert.Equal(c.State.Values.Sum(v => v.Length), net.State.Length);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardMatchesPyTorchReference(string caseName)
    {
        var c = StagedGradientCheckData.Get(caseName);
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
        // The running statistics after one training step (PyTorch: running = 0.9 running + 0.1 batch, unbiased variance).
        foreach (TensorInfo t in net.Tensors.Where(t => t.Storage == TensorStorage.State))
        {
            double[] expected = c.ExpectedState[t.Name];
            float[] actual = t.Slice(net.State).ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = StateTolerance * Math.Max(1, Math.Abs(expected[i]));
                if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                    failures.Add($"{t.Name}[{i}] after Backward: expected {expected[i]:R}, actual {actual[i]:R} (tolerance {tolerance:G3})");
            }
        }
        if (net.TrainingStep != c.TrainingStep + 1)
            failures.Add($"TrainingStep after Backward: expected {c.TrainingStep + 1}, actual {net.TrainingStep}");
        AssertNoFailures(c, "PyTorch reference", failures);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ForwardMatchesPyTorchInferenceOutputs(string caseName)
    {
        var c = StagedGradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        net.TrainingStep = c.TrainingStep + 12345; // inference does not depend on the step: no dropout
        var outputs = new float[c.K * c.OutputSize];

        net.Forward(c.Inputs, outputs);

        var failures = new List<string>();
        for (int i = 0; i < outputs.Length; i++)
        {
            double expected = c.ExpectedOutputs[i];
            double tolerance = OutRelative * Math.Abs(expected) + OutAbsolute * Math.Max(1, Math.Abs(expected));
            if (!(Math.Abs(outputs[i] - expected) <= tolerance))
                failures.Add($"output[{i}] (sample {i / c.OutputSize}, unit {i % c.OutputSize}): expected {expected:R}, actual {outputs[i]:R}");
        }
        AssertNoFailures(c, "Forward outputs", failures);
        // Forward leaves the running statistics alone.
        foreach (TensorInfo t in net.Tensors.Where(t => t.Storage == TensorStorage.State))
            Assert.Equal(c.State[t.Name], t.Slice(net.State).ToArray());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardMatchesFiniteDifferencesWithTheMaskHeldFixed(string caseName)
    {
        var c = StagedGradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        float[] state = net.State.ToArray();

        float Loss()
        {
            net.TrainingStep = c.TrainingStep; // the same dropout mask on every call
            state.CopyTo(net.State);           // running statistics do not affect training outputs; keep them identical anyway
            return net.Backward(c.Inputs, c.Targets);
        }

        float loss = Loss();
        float[] analytic = net.Gradients.ToArray();
        double floor = FdAbsolute * Math.Max(1, Math.Abs(loss));

        var failures = new List<string>();
        Span<float> parameters = net.Parameters;
        foreach (TensorInfo tensor in net.Tensors.Where(t => t.Storage == TensorStorage.Parameters))
        {
            double diff2 = 0, norm2 = 0;
            int worst = -1;
            double worstDiff = -1, worstNumeric = 0;
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Length; i++)
            {
                float saved = parameters[i];
                double Central(float step)
                {
                    float plus = saved + step, minus = saved - step;
                    net.Parameters[i] = plus;
                    float lossPlus = Loss();
                    net.Parameters[i] = minus;
                    float lossMinus = Loss();
                    net.Parameters[i] = saved;
                    return ((double)lossPlus - lossMinus) / ((double)plus - minus);
                }
                double numeric = (4 * Central(FdStep / 2) - Central(FdStep)) / 3;
                double d = numeric - analytic[i];
                diff2 += d * d;
                norm2 += (double)analytic[i] * analytic[i];
                if (Math.Abs(d) > worstDiff) { worstDiff = Math.Abs(d); worst = i - tensor.Offset; worstNumeric = numeric; }
            }
            double tolerance = FdRelative * Math.Sqrt(norm2) + floor * Math.Sqrt(tensor.Length);
            if (!(Math.Sqrt(diff2) <= tolerance))
                failures.Add($"{tensor.Name}: ‖numeric − Backward‖ = {Math.Sqrt(diff2):G4}, ‖Backward‖ = {Math.Sqrt(norm2):G4} (tolerance {tolerance:G3}); "
                             + $"worst [{worst}]: Backward {analytic[tensor.Offset + worst]:R}, numeric {worstNumeric:R}");
        }
        AssertNoFailures(c, "finite differences", failures);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BackwardAddsToGradientsAndCountsSteps(string caseName)
    {
        var c = StagedGradientCheckData.Get(caseName);
        INetwork net = Prepare(c);

        float first = net.Backward(c.Inputs, c.Targets);
        float[] once = net.Gradients.ToArray();
        Assert.Equal(c.TrainingStep + 1, net.TrainingStep);
        net.TrainingStep = c.TrainingStep;
        float second = net.Backward(c.Inputs, c.Targets);
        float[] twice = net.Gradients.ToArray();

        Assert.Equal(first, second);
        foreach (TensorInfo t in net.Tensors.Where(t => t.Storage == TensorStorage.Parameters))
        {
            // Exact when Backward adds its finished gradient; a few ulps of the tensor's largest component when it adds
            // sample by sample (as GradientCheckTests), or of the terms a batch norm cancels (the JSON's gradient scale).
            double tolerance = 1e-5 * Math.Max(1e-3, Enumerable.Range(t.Offset, t.Length).Max(i => Math.Abs(once[i])))
                               + 1e-6 * c.GradientScales[t.Name];
            for (int i = t.Offset; i < t.Offset + t.Length; i++)
            {
                Assert.True(Math.Abs(twice[i] - 2.0 * once[i]) <= tolerance,
                    $"{c.Name}: {t.Name}[{i - t.Offset}] after one Backward {once[i]:R}, after two {twice[i]:R}, expected twice the first");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BatchedCaseNames))]
    public void BatchedForwardEqualsSingleSampleForward(string caseName)
    {
        var c = StagedGradientCheckData.Get(caseName);
        INetwork net = Prepare(c);
        var batched = new float[c.K * c.OutputSize];
        net.Forward(c.Inputs, batched);
        var single = new float[c.K * c.OutputSize];
        for (int s = 0; s < c.K; s++)
            net.Forward(c.Inputs.AsSpan(s * c.InputSize, c.InputSize), single.AsSpan(s * c.OutputSize, c.OutputSize));
        Assert.Equal(batched.Select(BitConverter.SingleToInt32Bits), single.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>A network created with the case's seed (the dropout masks depend on it), holding the case's parameters,
    /// running statistics and training step, placed through <see cref="INetwork.Tensors"/>; gradients 0.</summary>
    private static INetwork Prepare(StagedGradientCheckCase c)
    {
        INetwork net = StagedGradientCheckNetworks.Create(c.Network, c.Seed);
        Assert.All(net.Gradients.ToArray(), g => Assert.Equal(0f, g));
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorInfo t in net.Tensors)
        {
            bool parameters = t.Storage == TensorStorage.Parameters;
            float[] values = (parameters ? c.Parameters : c.State)[t.Name];
            Assert.Equal(t.Length, values.Length);
            values.CopyTo(t.Slice(parameters ? net.Parameters : net.State));
            placed.Add(t.Name);
        }
        Assert.Equal(c.Parameters.Count + c.State.Count, placed.Count);
        net.TrainingStep = c.TrainingStep;
        return net;
    }

    private static void AssertNoFailures(StagedGradientCheckCase c, string what, List<string> failures)
    {
        if (failures.Count == 0) return;
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"{c.Describe()}: {failures.Count} {what} mismatch(es)\n");
        foreach (string f in failures.Take(20)) message.Append("  ").Append(f).Append('\n');
        if (failures.Count > 20) message.Append(CultureInfo.InvariantCulture, $"  ... and {failures.Count - 20} more\n");
        Assert.Fail(message.ToString());
    }
}
