using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Tests.Snapshots;

/// <summary>
/// The generated source of representative networks, reviewed and committed as <c>Snapshots/*.verified.cs</c>.
/// A change to the emitter shows up here as a diff; accept a deliberate one with <c>ACCEPT_SNAPSHOTS=1</c>.
/// </summary>
public class SnapshotTests
{
    /// <summary>Snapshot name → the user's source (the preamble <c>using Backprop.Generated;</c> is added).</summary>
    public static readonly IReadOnlyDictionary<string, string> Networks = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        // Issue 14's image network, exactly as declared there: two padded 5×5 convolutions with 2×2 max pooling, then a
        // Dense layer that flattens 32×7×7. No BatchNorm/Dropout/Activation: chunked Backward, TrainStep, IParallelBackward.
        ["FashionCnn"] = """
            [Network(Loss.CrossEntropy)]
            [Input(1, 28, 28)]
            [Conv2D(16, 5, Activation.ReLU, Padding = 2)]
            [MaxPool2D(2)]
            [Conv2D(32, 5, Activation.ReLU, Padding = 2)]
            [MaxPool2D(2)]
            [Dense(10, Activation.Softmax)]
            public partial class FashionCnn { }
            """,
        // Issue 14's 1-D network, exactly as declared there: strided padded Conv1D, average pooling, a tanh Conv1D and
        // global average pooling into a Dense softmax.
        ["SensorNet"] = """
            [Network(Loss.CrossEntropy)]
            [Input(3, 128)]
            [Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]
            [AvgPool1D(2)]
            [Conv1D(16, 3, Activation.Tanh)]
            [GlobalAveragePool]
            [Dense(4, Activation.Softmax)]
            public partial class SensorNet { }
            """,
        // The Xor sample: MSE on a sigmoid output, tanh hidden layer, everything unrolled.
        ["Xor"] = """
            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(4, Activation.Tanh)]
            [Dense(1, Activation.Sigmoid)]
            public partial class XorNet { }
            """,
        // The README's digits net: cross-entropy on softmax (fused gradient), a looped 64x32 layer, an unrolled 32x10 one.
        ["Digits"] = """
            [Network(Loss.CrossEntropy)]
            [Input(64)]
            [Dense(32, Activation.ReLU)]
            [Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
            public partial class DigitsNet { }
            """,
        // Binary cross-entropy on sigmoid outputs (fused gradient), LeakyReLU hidden layer, explicit initializers.
        ["BinaryCrossEntropy"] = """
            [Network(Loss.BinaryCrossEntropy)]
            [Input(3)]
            [Dense(5, Activation.LeakyReLU, Init = Init.HeNormal)]
            [Dense(2, Activation.Sigmoid, Init = Init.XavierNormal)]
            public partial class MultiLabelNet { }
            """,
        // Hinge on a linear output; a user constructor suppresses the generated ones.
        ["Hinge"] = """
            [Network(Loss.Hinge)]
            [Input(4)]
            [Dense(3, Activation.ReLU, Init = Init.LeCunNormal)]
            [Dense(2, Activation.Linear, Init = Init.Zeros)]
            public partial class MarginNet
            {
                public MarginNet(int seed, string name) { InitializeParameters(seed); Name = name; }
                public string Name { get; }
            }
            """,
        // Every activation once, in hidden positions, then softmax at the output with MSE (the unfused dL/dy path).
        ["EveryActivation"] = """
            [Network(Loss.MeanSquaredError)]
            [Input(3)]
            [Dense(3, Activation.Linear)]
            [Dense(3, Activation.Sigmoid)]
            [Dense(3, Activation.Tanh)]
            [Dense(3, Activation.ReLU)]
            [Dense(3, Activation.LeakyReLU)]
            [Dense(3, Activation.Softmax)]
            public partial class EveryActivationNet { }
            """,
        // Losses paired with outputs they do not fit: cross-entropy as NLL(log y) on sigmoid outputs ...
        ["CrossEntropyOnSigmoid"] = """
            [Network(Loss.CrossEntropy)]
            [Input(2)]
            [Dense(3, Activation.Sigmoid)]
            public partial class CrossEntropyOnSigmoidNet { }
            """,
        // ... and binary cross-entropy as BCELoss on softmax outputs.
        ["BinaryCrossEntropyOnSoftmax"] = """
            [Network(Loss.BinaryCrossEntropy)]
            [Input(2)]
            [Dense(3, Activation.Softmax)]
            public partial class BinaryCrossEntropyOnSoftmaxNet { }
            """,
        // Losses on logits: cross-entropy on a Linear output (torch.nn.CrossEntropyLoss), everything unrolled ...
        ["CrossEntropyOnLogits"] = """
            [Network(Loss.CrossEntropy)]
            [Input(3)]
            [Dense(4, Activation.ReLU)]
            [Dense(3)]
            public partial class CrossEntropyOnLogitsNet { }
            """,
        // ... and binary cross-entropy on a Linear output (BCEWithLogitsLoss), a looped layer, so the batch path too.
        ["BinaryCrossEntropyOnLogits"] = """
            [Network(Loss.BinaryCrossEntropy)]
            [Input(20)]
            [Dense(16, Activation.ReLU)]
            [Dense(2)]
            public partial class BinaryCrossEntropyOnLogitsNet { }
            """,
        // Five layers deep, loops and unrolled layers mixed.
        ["DeepFiveLayers"] = """
            [Network(Loss.MeanSquaredError)]
            [Input(10)]
            [Dense(64, Activation.ReLU)]
            [Dense(32, Activation.Tanh)]
            [Dense(16, Activation.LeakyReLU)]
            [Dense(8, Activation.Sigmoid)]
            [Dense(1, Activation.Linear)]
            public partial class DeepNet { }
            """,
        // Both sides of the unroll threshold (64 weights): 8x8 = 64 unrolled, 8x9 = 72 looped, 9x1 unrolled.
        ["UnrollThreshold"] = """
            [Network(Loss.MeanSquaredError)]
            [Input(8)]
            [Dense(8, Activation.ReLU)]
            [Dense(9, Activation.Tanh)]
            [Dense(1, Activation.Linear)]
            public partial class ThresholdNet { }
            """,
        // The MNIST-sized net the README promises generates a small file.
        ["Mnist784"] = """
            [Network(Loss.CrossEntropy)]
            [Input(784)]
            [Dense(256, Activation.ReLU)]
            [Dense(256, Activation.ReLU)]
            [Dense(256, Activation.ReLU)]
            [Dense(10, Activation.Softmax)]
            public partial class MnistNet { }
            """,
        // Dropout between Dense layers (identity in Forward, seeded masks in Backward).
        ["Dropout"] = """
            [Network(Loss.CrossEntropy)]
            [Input(8)]
            [Dense(16, Activation.ReLU)]
            [Dropout(0.25)]
            [Dense(3, Activation.Softmax)]
            public partial class DropoutNet { }
            """,
        // Batch norm on a linear Dense layer, then its activation as a layer of its own.
        ["BatchNorm"] = """
            [Network(Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(6, Activation.Linear)]
            [BatchNorm]
            [Activation(Activation.ReLU)]
            [Dense(1, Activation.Linear)]
            public partial class BatchNormNet { }
            """,
        // A nested type in a namespace: containing types re-declared, file helpers outside them.
        ["NestedInNamespace"] = """
            namespace Models.Vision
            {
                public static partial class Zoo
                {
                    internal partial struct Shelf
                    {
                        [Network(Loss.CrossEntropy)]
                        [Input(3)]
                        [Dense(2, Activation.Softmax)]
                        internal sealed partial class TinyNet { }
                    }
                }
            }
            """,
    };

    public static TheoryData<string> Names => new(Networks.Keys);

    public static string Source(string name) => Harness.Preamble + Networks[name];

    /// <summary>Runs the generator on one snapshot's source; returns the one generated file and the output compilation.</summary>
    internal static (string Text, Compilation Output) Generate(string name)
    {
        var (output, run) = Harness.Generate(Harness.Compilation(Source(name)));
        GeneratorRunResult result = Assert.Single(run.Results);
        Assert.Null(result.Exception);
        Assert.Empty(run.Diagnostics);
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        return (generated.SourceText.ToString(), output);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_source_matches_the_verified_snapshot(string name)
    {
        var (text, _) = Generate(name);
        Assert.DoesNotContain("#error", text, StringComparison.Ordinal);
        SnapshotHarness.Verify(name, text);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Snapshot_compiles_with_no_warnings_under_nullable_and_warnings_as_errors(string name)
    {
        var (text, output) = Generate(name);
        Assert.Contains("#nullable enable", text, StringComparison.Ordinal);
        Assert.Equal(NullableContextOptions.Enable, output.Options.NullableContextOptions);
        Assert.Equal(ReportDiagnostic.Error, output.Options.GeneralDiagnosticOption);
        Assert.Empty(Harness.CompilerDiagnostics(output));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Output_is_byte_identical_run_after_run_and_under_de_DE_and_tr_TR(string name)
    {
        byte[] Bytes() => System.Text.Encoding.UTF8.GetBytes(Generate(name).Text);

        byte[] baseline;
        CultureInfo original = CultureInfo.CurrentCulture, originalUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            baseline = Bytes();
            Assert.Equal(baseline, Bytes());
            foreach (string culture in new[] { "de-DE", "tr-TR" })
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
                Assert.Equal(baseline, Bytes());
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
            CultureInfo.CurrentUICulture = originalUi;
        }
    }

    /// <summary>
    /// Generated files hold only what is specific to the network: the kernels, the batch driver and the argument
    /// checks are runtime code (<c>Backprop.Generated.CompilerServices</c>), so a file reads in one sitting.
    /// </summary>
    [Theory]
    // Inspect (IInspectableNetwork) adds network-specific code: about 45 lines, plus 3 per layer and a softmax output's 9.
    [InlineData("Digits", 520)]
    [InlineData("Mnist784", 670)]
    public void Generated_files_carry_no_generic_code_and_stay_short(string name, int maxLines)
    {
        string text = Generate(name).Text;
        int lines = text.Split('\n').Length - 1;
        Assert.True(lines <= maxLines, $"{name} generates {lines} lines, more than {maxLines}");
        foreach (string generic in new[] { "static class BackpropKernels", "static class BackpropGuard", "Vector512.LoadUnsafe", "Avx512F", "BatchWorkers.Run" })
        {
            Assert.DoesNotContain(generic, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_verified_file_belongs_to_a_snapshot_case()
    {
        // A renamed or removed case must not leave a stale snapshot behind (with ACCEPT_SNAPSHOTS=1 it is deleted).
        foreach (string path in System.IO.Directory.GetFiles(SnapshotHarness.Directory, "*.verified.cs"))
        {
            string name = Path.GetFileName(path)[..^".verified.cs".Length];
            if (Networks.ContainsKey(name) || Int8GeneratorTests.SnapshotName == name || Int8GeneratorTests.ConvSnapshotName == name || Int8GeneratorTests.ChainSnapshotName == name) continue; // the int8 snapshots need a weights file: Int8GeneratorTests
            if (SnapshotHarness.Accepting)
            {
                File.Delete(path);
                continue;
            }
            Assert.Fail($"{path} has no snapshot case in {nameof(SnapshotTests)}.{nameof(Networks)}: delete it, or run with {SnapshotHarness.AcceptVariable}=1.");
        }
    }

    [Fact]
    public void Harness_scrubs_the_version_and_prints_a_unified_diff()
    {
        string scrubbed = SnapshotHarness.Scrub($"// Generated by Backprop.Generated.Generators {Emitting.NetworkEmitter.Version} from\r\n[GeneratedCode(\"Backprop.Generated.Generators\", \"{Emitting.NetworkEmitter.Version}\")]\n");
        Assert.Equal("// Generated by Backprop.Generated.Generators {GeneratorVersion} from\n[GeneratedCode(\"Backprop.Generated.Generators\", \"{GeneratorVersion}\")]\n", scrubbed);
        Assert.Equal("x \"Backprop.Generated.Generators\", \"{GeneratorVersion}\"", SnapshotHarness.Scrub("x \"Backprop.Generated.Generators\", \"9.8.7-beta.1+abc\""));

        string oldText = string.Join("\n", Enumerable.Range(1, 20).Select(i => "line " + i)) + "\n";
        string newText = oldText.Replace("line 5\n", "line five\n", StringComparison.Ordinal).Replace("line 18\n", "", StringComparison.Ordinal);
        string diff = SnapshotHarness.UnifiedDiff(oldText, newText, "a", "b");
        Assert.Equal("""
            --- a
            +++ b
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8
            @@ -15,6 +15,5 @@
             line 15
             line 16
             line 17
            -line 18
             line 19
             line 20
            """.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n", diff);
    }
}
