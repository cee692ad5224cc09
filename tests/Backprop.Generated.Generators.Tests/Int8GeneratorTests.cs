using System.Collections.Immutable;
using System.Globalization;
using Backprop.Generated.Generators.Emitting;
using Backprop.Generated.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generated.Generators.Tests;

/// <summary>
/// <c>Precision.Int8</c> in the generator: the emitted class (snapshot), its constants are the shared quantization
/// rule applied to the file's weights, it compiles warning-free for dense and staged networks, float32 stays the
/// default, and the fan-in limit of int32 sums is a compile error.
/// </summary>
public class Int8GeneratorTests
{
    private static (Compilation Output, GeneratorDriverRunResult Run, ImmutableArray<Diagnostic> Diagnostics) Run(string source, params AdditionalText[] texts)
    {
        Compilation compilation = Harness.Compilation(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, additionalTexts: texts, parseOptions: Harness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (output, driver.GetRunResult(), diagnostics);
    }

    /// <summary>The snapshot this class verifies (not a case of <c>SnapshotTests</c>: it needs a weights file).</summary>
    internal const string SnapshotName = "Int8Dense";

    private const string DenseInt8 = """
        namespace Device;
        [Network(Loss.MeanSquaredError, Weights = "dense.safetensors", Precision = Precision.Int8)]
        [Input(3)] [Dense(2, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]
        public partial class DenseInt8 { }
        """;

    [Fact]
    public void A_small_int8_network_matches_its_snapshot()
    {
        var (output, run, diagnostics) = Run(Harness.Preamble + DenseInt8, BakedWeightsGeneratorTests.Text("dense.safetensors", BakedWeightsGeneratorTests.DenseFile()));
        Assert.Empty(diagnostics);
        Assert.Empty(Harness.CompilerDiagnostics(output));
        Snapshots.SnapshotHarness.Verify(SnapshotName, run.Results.Single().GeneratedSources.Single().SourceText.ToString());
    }

    /// <summary>The int8 snapshot of a chain of Dense layers that hand their quantized outputs on.</summary>
    internal const string ChainSnapshotName = "Int8Chain";

    private const string ChainInt8 = """
        namespace Device;
        [Network(Loss.CrossEntropy, Weights = "chain.safetensors", Precision = Precision.Int8)]
        [Input(3)] [Dense(4, Activation.ReLU)] [Dropout(0.5)] [Dense(3, Activation.Linear)] [Dense(2, Activation.Softmax)]
        public partial class ChainInt8 { }
        """;

    private static byte[] ChainFile() => BakedWeightsGeneratorTests.SafeTensors(
        ("layers.0.weight", "F32", new[] { 4, 3 }, Enumerable.Range(0, 12).Select(i => (i % 5 - 2) / 4f).ToArray()),
        ("layers.0.bias", "F32", new[] { 4 }, new[] { 0.01f, -0.02f, 0.03f, 0f }),
        ("layers.1.weight", "F32", new[] { 3, 4 }, Enumerable.Range(0, 12).Select(i => (i % 7 - 3) / 8f).ToArray()),
        ("layers.1.bias", "F32", new[] { 3 }, new[] { 0.1f, 0f, -0.1f }),
        ("layers.2.weight", "F32", new[] { 2, 3 }, new[] { 1.5f, -0.75f, 0.25f, -1f, 0.5f, 2f }),
        ("layers.2.bias", "F32", new[] { 2 }, new[] { 0.125f, -0.125f }));

    [Fact]
    public void An_int8_chain_of_dense_layers_hands_each_quantized_output_on_and_matches_its_snapshot()
    {
        var (output, run, diagnostics) = Run(Harness.Preamble + ChainInt8, BakedWeightsGeneratorTests.Text("chain.safetensors", ChainFile()));
        Assert.Empty(diagnostics);
        Assert.Empty(Harness.CompilerDiagnostics(output));
        string text = run.Results.Single().GeneratedSources.Single().SourceText.ToString();
        Snapshots.SnapshotHarness.Verify(ChainSnapshotName, text);
        // one sample: layer 0 quantizes its outputs for layer 1 (the Dropout between is the identity), layer 1 its own for
        // layer 2, which takes them and ends in the float32 softmax
        const string Kernels = "global::Backprop.Generated.CompilerServices.Int8Kernels.";
        Assert.Contains("sx = " + Kernels + "DenseForwardToNext<global::Backprop.Generated.CompilerServices.ReLUActivation>(", text);
        Assert.Contains("sx = " + Kernels + "DenseQuantizedToNext<global::Backprop.Generated.CompilerServices.LinearActivation>(", text);
        Assert.Contains(Kernels + "DenseQuantized<global::Backprop.Generated.CompilerServices.LinearActivation>(", text);
    }

    /// <summary>The int8 convolutional snapshot this class verifies.</summary>
    internal const string ConvSnapshotName = "Int8Conv";

    private const string ConvInt8 = """
        namespace Device;
        [Network(Loss.CrossEntropy, Weights = "conv.safetensors", Precision = Precision.Int8)]
        [Input(1, 6, 6)] [Conv2D(2, 3, Activation.ReLU, Padding = 1)] [MaxPool2D(2)] [Conv2D(3, 2, Activation.Tanh)] [BatchNorm] [Dense(2, Activation.Softmax)]
        public partial class ConvInt8 { }
        """;

    /// <summary>Weights for <see cref="ConvInt8"/>: filters whose quantization is worked out by hand in the test.</summary>
    private static byte[] ConvFile() => BakedWeightsGeneratorTests.SafeTensors(
        ("layers.0.weight", "F32", new[] { 2, 1, 3, 3 }, new[] { 0.5f, -1.25f, 0.1f, 2f, 0f, -0.3f, 0.25f, 0.75f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f }),
        ("layers.0.bias", "F32", new[] { 2 }, new[] { 0.01f, -0.02f }),
        ("layers.1.weight", "F32", new[] { 3, 2, 2, 2 }, Enumerable.Range(0, 24).Select(i => (i % 7 - 3) / 8f).ToArray()),
        ("layers.1.bias", "F32", new[] { 3 }, new[] { 0.1f, 0f, -0.1f }),
        ("layers.1.bn.weight", "F32", new[] { 3 }, new[] { 1.1f, 0.9f, 1f }),
        ("layers.1.bn.bias", "F32", new[] { 3 }, new[] { 0.1f, -0.1f, 0f }),
        ("layers.1.bn.running_mean", "F32", new[] { 3 }, new[] { 0.2f, 0.3f, 0f }),
        ("layers.1.bn.running_var", "F32", new[] { 3 }, new[] { 1.5f, 0.5f, 1f }),
        ("layers.2.weight", "F32", new[] { 2, 12 }, Enumerable.Range(0, 24).Select(i => (i % 5 - 2) / 4f).ToArray()),
        ("layers.2.bias", "F32", new[] { 2 }, new[] { 0.125f, -0.125f }));

    [Fact]
    public void A_small_int8_convolutional_network_matches_its_snapshot_and_quantizes_per_filter()
    {
        var (output, run, diagnostics) = Run(Harness.Preamble + ConvInt8, BakedWeightsGeneratorTests.Text("conv.safetensors", ConvFile()));
        Assert.Empty(diagnostics);
        Assert.Empty(Harness.CompilerDiagnostics(output));
        string text = run.Results.Single().GeneratedSources.Single().SourceText.ToString();
        Snapshots.SnapshotHarness.Verify(ConvSnapshotName, text);
        // filter 0 is the Dense example's two rows as one [1×3×3] filter: max |w| = 2, so 0.5·63.5 = 31.75 → 32,
        // −1.25·63.5 = −79.375 → −79, ...; filter 1 is all zeros: scale 0, zeros
        Assert.Contains("32, -79, 6, 127, 0, -19, 16, 48, -64,", text); // 0.25·63.5 = 15.875 → 16, 0.75·63.5 = 47.625 → 48, −63.5 → −64 (tie to even)
        Assert.Contains("0, 0, 0, 0, 0, 0, 0, 0, 0,", text);
        Assert.Contains("Int8ConvKernels.Forward<global::Backprop.Generated.CompilerServices.ReLUActivation>(global::Backprop.Generated.CompilerServices.ConvShape.TwoD(1, 6, 6, 2, 3, 1, 1, 1)", text);
        Assert.Contains("PoolKernels.MaxForward(new global::Backprop.Generated.CompilerServices.PoolShape(2, 6, 6, 2, 2)", text);
        // 18 + 24 + 24 int8 weights, 2 + 3 + 2 scales, 2 + 3 + 6 + 2 float32 parameters, 6 state values
        Assert.Contains("public const int ParameterBytes = " + (66 + 4 * (7 + 13 + 6)).ToString(CultureInfo.InvariantCulture) + ";", text);
        Assert.DoesNotContain("static readonly", text);
    }

    [Fact]
    public void The_int8_constants_are_the_shared_rule_applied_to_the_files_weights()
    {
        float[] w0 = { 0.5f, -1.25f, 0.1f, 2f, 0f, -0.3f };
        var q = new sbyte[6];
        var scales = new float[2];
        Int8Quantization.QuantizeRows(w0, 2, 3, q, scales);
        Assert.Equal(new sbyte[] { 51, -127, 10, 127, 0, -19 }, q); // 0.5·127/1.25 = 50.8 → 51; 0.1·101.6 = 10.16 → 10; −0.3·63.5 = −19.05 → −19
        var (_, run, _) = Run(Harness.Preamble + DenseInt8, BakedWeightsGeneratorTests.Text("dense.safetensors", BakedWeightsGeneratorTests.DenseFile()));
        string text = run.Results.Single().GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("public static global::System.ReadOnlySpan<sbyte> QuantizedWeights => new sbyte[]", text);
        Assert.Contains("51, -127, 10,", text);
        Assert.Contains("127, 0, -19,", text);
        Assert.Contains(NetworkEmitter.FloatLiteral(scales[0]) + ", " + NetworkEmitter.FloatLiteral(scales[1]) + ",", text);
        // layer 1: one row [1.5, −0.75] → [127, −64] (−0.75 · 127 / 1.5 = −63.5, a tie: to even)
        Assert.Contains("127, -64,", text);
        Assert.Contains("public const int ParameterBytes = " + (8 + 4 * (3 + 3)).ToString(CultureInfo.InvariantCulture) + ";", text);
        Assert.DoesNotContain("public static global::System.ReadOnlySpan<float> Parameters => new float[]\n        {\n            // layers.0.weight", text);
    }

    [Fact]
    public void Dense_and_staged_int8_networks_compile_warning_free_and_float32_stays_the_default()
    {
        byte[] staged = BakedWeightsGeneratorTests.SafeTensors(
            ("layers.0.weight", "F32", new[] { 2, 3 }, new[] { 0.5f, -1.25f, 0.1f, 2f, 0f, -0.3f }),
            ("layers.0.bias", "F32", new[] { 2 }, new[] { 0.01f, -0.02f }),
            ("layers.0.bn.weight", "F32", new[] { 2 }, new[] { 1.1f, 0.9f }),
            ("layers.0.bn.bias", "F32", new[] { 2 }, new[] { 0.1f, -0.1f }),
            ("layers.0.bn.running_mean", "F32", new[] { 2 }, new[] { 0.2f, 0.3f }),
            ("layers.0.bn.running_var", "F32", new[] { 2 }, new[] { 1.5f, 0.5f }),
            ("layers.1.weight", "F32", new[] { 1, 2 }, new[] { 1.5f, -0.75f }),
            ("layers.1.bias", "F32", new[] { 1 }, new[] { 0.125f }));
        string source = Harness.Preamble + DenseInt8 + """

            [Network(Loss.BinaryCrossEntropy, Weights = "staged.safetensors", Precision = Precision.Int8)]
            [Input(3)] [Dense(2)] [BatchNorm] [Activation(Activation.ReLU)] [Dropout(0.5)] [Dense(1, Activation.Sigmoid)]
            public partial class StagedInt8 { }
            [Network(Loss.MeanSquaredError, Weights = "dense.safetensors", Precision = Precision.Float32)]
            [Input(3)] [Dense(2, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]
            public partial class DenseFloat { }
            public static class Use
            {
                public static float Run()
                {
                    DenseInt8.Input x = default;
                    new DenseInt8().Forward(in x, out DenseInt8.Output y);
                    return y[0] + StagedInt8.State[0] + StagedInt8.Parameters[0] + DenseInt8.QuantizedWeights[0] + DenseInt8.WeightScales[0] + (int)DenseInt8.Precision;
                }
            }
            """;
        var (output, run, diagnostics) = Run(source, BakedWeightsGeneratorTests.Text("dense.safetensors", BakedWeightsGeneratorTests.DenseFile()),
            BakedWeightsGeneratorTests.Text("staged.safetensors", staged));
        Assert.Empty(diagnostics);
        Assert.Empty(Harness.CompilerDiagnostics(output));
        string[] texts = run.Results.Single().GeneratedSources.Select(g => g.SourceText.ToString()).ToArray();
        Assert.Equal(3, texts.Length);
        Assert.Equal(2, texts.Count(t => t.Contains("Int8Kernels.DenseForward")));
        Assert.Single(texts, t => t.Contains("class DenseFloat") && !t.Contains("QuantizedWeights"));
        Assert.Contains(texts, t => t.Contains("class StagedInt8") && t.Contains("// layers.0.bn.weight [2] at 2") && t.Contains("Quantization report"));
    }

    [Fact]
    public void A_fan_in_past_the_int32_limit_is_reported_by_the_same_rule_the_parser_applies()
    {
        // No Dense layer can have that many inputs (the unit limit is 65,536), so the rule is checked as the parser
        // states it: n · 127 · 127 must fit in int32 (convolutions, whose fan-in is channels × kernel, can exceed it).
        Assert.Equal(int.MaxValue / (127 * 127), Int8Quantization.MaxFanIn);
        Assert.True(Limits.MaxUnits <= Int8Quantization.MaxFanIn);
        Assert.Contains("fan-in of {1}", Diagnostics.DiagnosticDescriptors.Int8FanInOverflow.MessageFormat.ToString(CultureInfo.InvariantCulture));
    }
}
