using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Backprop.Generated.Generators.Emitting;
using Backprop.Generated.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.Generators.Tests;

/// <summary>
/// Baked weights in the generator: the BakedWeights text (as build/Backprop.Generated.targets writes it) decoded and
/// checked against the declaration, BPG02nn at the <c>Weights = "..."</c> argument naming the file and tensor,
/// exact float literals, and incremental caching (editing code does not decode or emit again; changing the file does).
/// </summary>
public class BakedWeightsGeneratorTests
{
    private const string Dense = "[Input(3)] [Dense(2, Activation.Tanh)] [Dense(1, Activation.Sigmoid)] public partial class Net { }";

    /// <summary>A safetensors file: tensors in the given order, data back to back.</summary>
    internal static byte[] SafeTensors(params (string Name, string Dtype, int[] Shape, float[] Values)[] tensors)
    {
        var header = new StringBuilder("{");
        var data = new List<byte>();
        foreach (var (name, dtype, shape, values) in tensors)
        {
            int begin = data.Count;
            foreach (float v in values)
            {
                data.AddRange(dtype == "F64" ? BitConverter.GetBytes((double)v) : BitConverter.GetBytes(v));
            }
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{data.Count}]}}");
        }
        header.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        return BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(data).ToArray();
    }

    /// <summary>The good file for <see cref="Dense"/>: 3 → 2 → 1.</summary>
    internal static byte[] DenseFile(float scale = 1f) => SafeTensors(
        ("layers.0.weight", "F32", new[] { 2, 3 }, new[] { 0.5f, -1.25f, 0.1f, 2f, 0f, -0.3f }.Select(v => v * scale).ToArray()),
        ("layers.0.bias", "F32", new[] { 2 }, new[] { 0.01f, -0.02f }),
        ("layers.1.weight", "F32", new[] { 1, 2 }, new[] { 1.5f, -0.75f }),
        ("layers.1.bias", "F32", new[] { 1 }, new[] { 0.125f }));

    internal static AdditionalText Text(string fileName, byte[]? bytes) => new InMemoryText(
        "/obj/BakedWeights/" + fileName + ".b64",
        WeightsFileReader.Marker + "\n" + (bytes is null ? "# missing: /src/" + fileName + "\n" : "# source: " + fileName + "\n" + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks) + "\n"));

    private static GeneratorDriver Driver(CSharpParseOptions? parseOptions = null, params AdditionalText[] texts) => CSharpGeneratorDriver.Create(
        new[] { new NetworkGenerator().AsSourceGenerator() },
        additionalTexts: texts,
        parseOptions: parseOptions ?? Harness.ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static (Compilation Output, GeneratorDriverRunResult Run, ImmutableArray<Diagnostic> Diagnostics) Run(string source, params AdditionalText[] texts)
    {
        Compilation compilation = Harness.Compilation(source);
        GeneratorDriver driver = Driver(null, texts).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (output, driver.GetRunResult(), diagnostics);
    }

    [Fact]
    public void Baked_dense_and_staged_networks_compile_warning_free_as_inference_only_classes()
    {
        byte[] staged = SafeTensors(
            ("layers.0.weight", "F32", new[] { 2, 3 }, new[] { 0.5f, -1.25f, 0.1f, 2f, 0f, -0.3f }),
            ("layers.0.bias", "F32", new[] { 2 }, new[] { 0.01f, -0.02f }),
            ("layers.0.bn.weight", "F32", new[] { 2 }, new[] { 1.1f, 0.9f }),
            ("layers.0.bn.bias", "F32", new[] { 2 }, new[] { 0.1f, -0.1f }),
            ("layers.0.bn.running_mean", "F32", new[] { 2 }, new[] { 0.2f, 0.3f }),
            ("layers.0.bn.running_var", "F32", new[] { 2 }, new[] { 1.5f, 0.5f }),
            ("layers.0.bn.num_batches_tracked", "I64", new[] { 1 }, new[] { 0f, 0f }), // PyTorch's counter: ignored, as LoadWeights does
            ("layers.1.weight", "F32", new[] { 1, 2 }, new[] { 1.5f, -0.75f }),
            ("layers.1.bias", "F32", new[] { 1 }, new[] { 0.125f }));
        string source = Harness.Preamble + """
            namespace Device;
            [Network(Loss.MeanSquaredError, Weights = "dense.safetensors")]
            [Input(3)] [Dense(2, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]
            public partial class DenseNet { }
            [Network(Loss.BinaryCrossEntropy, Weights = "staged.safetensors")]
            [Input(3)] [Dense(2)] [BatchNorm] [Activation(Activation.ReLU)] [Dropout(0.5)] [Dense(1, Activation.Sigmoid)]
            public partial class StagedNet { }
            public static class Use
            {
                public static float Run(IInferenceNetwork n)
                {
                    DenseNet.Input x = default;
                    new DenseNet().Forward(in x, out DenseNet.Output y);
                    System.ReadOnlySpan<float> p = StagedNet.State;
                    return y[0] + p[0] + DenseNet.Parameters[0] + DenseNet.ParameterBytes + StagedNet.ScratchSize;
                }
            }
            """;
        var (output, run, diagnostics) = Run(source, Text("dense.safetensors", DenseFile()), Text("staged.safetensors", staged));

        Assert.Empty(diagnostics);
        Assert.Empty(Harness.CompilerDiagnostics(output));
        Assert.Equal(2, run.Results.Single().GeneratedSources.Length);
        foreach (GeneratedSourceResult generated in run.Results.Single().GeneratedSources)
        {
            string text = generated.SourceText.ToString();
            Assert.Contains(": global::Backprop.Generated.IInferenceNetwork", text);
            Assert.Contains("public static global::System.ReadOnlySpan<float> Parameters => new float[]", text);
            Assert.DoesNotContain("_parameters", text);
            Assert.DoesNotContain("Backward", text.Replace("shared by Forward and Backward", ""));
        }
        string dense = run.Results.Single().GeneratedSources.Single(s => s.HintName.Contains("DenseNet")).SourceText.ToString();
        Assert.Contains("// layers.0.weight [2, 3] at 0: one row (output unit) per line\n            0.5f, -1.25f, 0.1f,\n            2f, 0f, -0.3f,", dense);
    }

    public static TheoryData<string, string, string[]> Problems => new()
    {
        // id, the [Network] arguments after the loss (markup on the Weights argument), the file made by a case name
        { "BPG0200", "no item", new[] { "'w.safetensors' not found", "no <BakedWeights Include=\"w.safetensors\" /> item" } },
        { "BPG0200", "missing", new[] { "'w.safetensors' not found", "points at '/src/w.safetensors', which does not exist" } },
        { "BPG0200", "empty name", new[] { "Weights names no file" } },
        { "BPG0201", "not safetensors", new[] { "'w.safetensors' is not a valid safetensors file", "the header length is" } },
        { "BPG0201", "bad json", new[] { "not a valid safetensors file", "the header is not valid JSON" } },
        { "BPG0201", "trailing bytes", new[] { "3 trailing bytes after the data" } },
        { "BPG0201", "overlap", new[] { "(tensor 'layers.0.bias')", "overlap tensor 'layers.0.weight'" } },
        { "BPG0202", "f64", new[] { "'w.safetensors': tensor 'layers.1.weight' has dtype F64, expected F32" } },
        { "BPG0203", "no bias", new[] { "'w.safetensors' has no tensor 'layers.1.bias' (expected F32 [1])", "The file holds layers.0.weight F32 [2, 3], layers.0.bias F32 [2], layers.1.weight F32 [1, 2]" } },
        { "BPG0203", "module order, no bias", new[] { "'w.safetensors' has no tensor '2.bias' for the network's 'layers.1.bias' (expected F32 [1])", "The file holds 0.weight F32 [2, 3], 0.bias F32 [2], 2.weight F32 [1, 2]" } },
        { "BPG0204", "module order, transposed", new[] { "tensor '0.weight' for the network's 'layers.0.weight' has shape [3, 2], expected [2, 3]" } },
        { "BPG0207", "module order, one module short", new[] { "Weights file 'w.safetensors': WeightNames.ModuleOrder pairs the file's modules with the network's layers in order, but the file has 1 module (0: weight bias) and the network 2 modules (layers.0: weight bias, layers.1: weight bias)", "the file holds 0.weight F32 [2, 3], 0.bias F32 [2]" } },
        { "BPG0207", "undefined WeightNames", new[] { "WeightNames = 9 is not a WeightNames value" } },
        { "BPG0204", "transposed", new[] { "'w.safetensors': tensor 'layers.0.weight' has shape [3, 2], expected [2, 3]" } },
        { "BPG0205", "extra", new[] { "'w.safetensors' has the tensor 'layers.2.weight', which the network 'Net' does not have (it has layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias)" } },
        { "BPG0206", "too large", new[] { "'Big' has 1200600 parameters and state values, over the limit of 1048576" } },
    };

    private static (string Markup, AdditionalText? Text) Case(string name)
    {
        string ok = $"[Network(Loss.MeanSquaredError, [|Weights = \"w.safetensors\"|])] {Dense}";
        string moduleOrder = $"[Network(Loss.MeanSquaredError, [|Weights = \"w.safetensors\"|], WeightNames = WeightNames.ModuleOrder)] {Dense}";
        float[] w0 = { 1, 2, 3, 4, 5, 6 };
        float[] b0 = { 1, 2 };
        byte[] good = DenseFile();
        return name switch
        {
            "no item" => (ok, null),
            "missing" => (ok, Text("w.safetensors", null)),
            "empty name" => ($"[Network(Loss.MeanSquaredError, [|Weights = \"\"|])] {Dense}", Text("w.safetensors", good)),
            "not safetensors" => (ok, Text("w.safetensors", Encoding.ASCII.GetBytes("this is not a weights file"))),
            "bad json" => (ok, Text("w.safetensors", BitConverter.GetBytes(5UL).Concat(Encoding.ASCII.GetBytes("{\"a\":")).ToArray())),
            "trailing bytes" => (ok, Text("w.safetensors", good.Concat(new byte[3]).ToArray())),
            "overlap" => (ok, Text("w.safetensors", Overlapping())),
            "f64" => (ok, Text("w.safetensors", SafeTensors(("layers.0.weight", "F32", new[] { 2, 3 }, w0), ("layers.0.bias", "F32", new[] { 2 }, b0),
                ("layers.1.weight", "F64", new[] { 1, 2 }, b0), ("layers.1.bias", "F32", new[] { 1 }, new[] { 0f })))),
            "no bias" => (ok, Text("w.safetensors", SafeTensors(("layers.0.weight", "F32", new[] { 2, 3 }, w0), ("layers.0.bias", "F32", new[] { 2 }, b0),
                ("layers.1.weight", "F32", new[] { 1, 2 }, b0)))),
            "transposed" => (ok, Text("w.safetensors", SafeTensors(("layers.0.weight", "F32", new[] { 3, 2 }, w0), ("layers.0.bias", "F32", new[] { 2 }, b0),
                ("layers.1.weight", "F32", new[] { 1, 2 }, b0), ("layers.1.bias", "F32", new[] { 1 }, new[] { 0f })))),
            "extra" => (ok, Text("w.safetensors", SafeTensors(("layers.0.weight", "F32", new[] { 2, 3 }, w0), ("layers.0.bias", "F32", new[] { 2 }, b0),
                ("layers.1.weight", "F32", new[] { 1, 2 }, b0), ("layers.1.bias", "F32", new[] { 1 }, new[] { 0f }), ("layers.2.weight", "F32", new[] { 1 }, new[] { 0f })))),
            "module order, no bias" => (moduleOrder, Text("w.safetensors", SafeTensors(("0.weight", "F32", new[] { 2, 3 }, w0), ("0.bias", "F32", new[] { 2 }, b0),
                ("2.weight", "F32", new[] { 1, 2 }, b0)))),
            "module order, transposed" => (moduleOrder, Text("w.safetensors", SafeTensors(("0.weight", "F32", new[] { 3, 2 }, w0), ("0.bias", "F32", new[] { 2 }, b0),
                ("2.weight", "F32", new[] { 1, 2 }, b0), ("2.bias", "F32", new[] { 1 }, new[] { 0f })))),
            "module order, one module short" => (moduleOrder, Text("w.safetensors", SafeTensors(("0.weight", "F32", new[] { 2, 3 }, w0), ("0.bias", "F32", new[] { 2 }, b0)))),
            "undefined WeightNames" => ($"[Network(Loss.MeanSquaredError, [|Weights = \"w.safetensors\"|], WeightNames = (WeightNames)9)] {Dense}", Text("w.safetensors", good)),
            "too large" => ("[Network(Loss.MeanSquaredError, [|Weights = \"w.safetensors\"|])] [Input(2000)] [Dense(600)] public partial class Big { }", Text("w.safetensors", good)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    private static byte[] Overlapping()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}");
        return BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(new byte[12]).ToArray();
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void A_bad_weights_file_is_an_error_at_the_Weights_argument_naming_file_and_tensor(string id, string name, string[] messageParts)
    {
        var (markup, text) = Case(name);
        var (source, spans) = Harness.Markup(Harness.Preamble + markup);
        var (_, run, _) = Run(source, text is null ? Array.Empty<AdditionalText>() : new[] { text });

        Assert.Null(run.Results.Single().Exception);
        Assert.Empty(run.Results.Single().GeneratedSources);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(spans.Single(), diagnostic.Location.SourceSpan);
        Assert.Equal("/src/File0.cs", diagnostic.Location.GetLineSpan().Path);
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        foreach (string part in messageParts) Assert.Contains(part, message);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.True(File.Exists(Path.Combine(DeclarationDiagnosticTests.RepositoryRoot(), "docs", "diagnostics", id + ".md")));
    }

    [Fact]
    public void ModuleOrder_bakes_a_PyTorch_Sequential_state_dict_with_the_values_of_the_paired_tensors()
    {
        // nn.Sequential(Linear(3, 2), BatchNorm1d(2), ReLU(), Linear(2, 1)) with 9 padding modules in between, so the
        // last Linear is module 12 and sorts after 1 only numerically ("12" < "2" as text).
        byte[] file = SafeTensors(
            ("0.bias", "F32", new[] { 2 }, new[] { 0.01f, -0.02f }),
            ("0.weight", "F32", new[] { 2, 3 }, new[] { 0.5f, -1.25f, 0.1f, 2f, 0f, -0.3f }),
            ("1.bias", "F32", new[] { 2 }, new[] { 0.1f, -0.1f }),
            ("1.num_batches_tracked", "I64", Array.Empty<int>(), new[] { 0f, 0f }),
            ("1.running_mean", "F32", new[] { 2 }, new[] { 0.2f, 0.3f }),
            ("1.running_var", "F32", new[] { 2 }, new[] { 1.5f, 0.5f }),
            ("1.weight", "F32", new[] { 2 }, new[] { 1.1f, 0.9f }),
            ("12.bias", "F32", new[] { 1 }, new[] { 0.125f }),
            ("12.weight", "F32", new[] { 1, 2 }, new[] { 1.5f, -0.75f }));
        string source = Harness.Preamble + """
            [Network(Loss.MeanSquaredError, Weights = "seq.safetensors", WeightNames = WeightNames.ModuleOrder)]
            [Input(3)] [Dense(2)] [BatchNorm] [Activation(Activation.ReLU)] [Dense(1)]
            public partial class Seq { }
            """;
        var (output, run, diagnostics) = Run(source, Text("seq.safetensors", file));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(diagnostics);
        Assert.Empty(Harness.CompilerDiagnostics(output));
        // Each tensor's values under its comment, whatever the indentation.
        string text = System.Text.RegularExpressions.Regex.Replace(run.Results.Single().GeneratedSources.Single().SourceText.ToString(), @"\n[ \t]+", "\n");
        Assert.Contains("// layers.0.weight [2, 3] at 0: one row (output unit) per line\n0.5f, -1.25f, 0.1f,\n2f, 0f, -0.3f,\n// layers.0.bias [2] at 6\n0.01f, -0.02f,", text);
        Assert.Contains("// layers.0.bn.weight [2] at 8\n1.1f, 0.9f,\n// layers.0.bn.bias [2] at 10\n0.1f, -0.1f,", text);
        Assert.Contains("// layers.0.bn.running_mean [2] at 0\n0.2f, 0.3f,\n// layers.0.bn.running_var [2] at 2\n1.5f, 0.5f,", text);
        Assert.Contains("// layers.1.weight [1, 2] at 12: one row (output unit) per line\n1.5f, -0.75f,\n// layers.1.bias [1] at 14\n0.125f,", text);

        // The same file without the option: the network's own names are missing, and the message lists the file.
        var (_, plain, _) = Run(source.Replace(", WeightNames = WeightNames.ModuleOrder", ""), Text("seq.safetensors", file));
        Assert.Contains(plain.Diagnostics, d => d.Id == "BPG0203" && d.GetMessage(CultureInfo.InvariantCulture).Contains("The file holds 0.bias F32 [2], 0.weight F32 [2, 3], 1.bias F32 [2], 1.num_batches_tracked I64 []"));
    }

    [Fact]
    public void Every_tensor_problem_is_reported_not_only_the_first()
    {
        var (source, _) = Harness.Markup(Harness.Preamble + $"[Network(Loss.MeanSquaredError, Weights = \"w.safetensors\")] {Dense}");
        byte[] file = SafeTensors(("layers.0.weight", "F16", new[] { 2, 3 }, new float[3]), ("layers.1.weight", "F32", new[] { 2, 1 }, new float[2]));
        var (_, run, _) = Run(source, Text("w.safetensors", file));
        Assert.Equal(new[] { "BPG0202", "BPG0203", "BPG0204", "BPG0203" }, run.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Float_literals_are_exact_for_every_kind_of_value()
    {
        var values = new List<float> { 0f, -0f, 1f, -1f, 0.1f, 1e-45f, -1.17549435e-38f, float.MaxValue, float.MinValue, float.Epsilon, 16777217f, 3.4028233e38f, 1e10f, 1.0000001f };
        var random = new Random(7);
        var bits = new byte[4];
        while (values.Count < 20_000)
        {
            random.NextBytes(bits);
            float v = BitConverter.ToSingle(bits);
            if (float.IsFinite(v)) values.Add(v);
        }
        // What the C# compiler makes of each literal, read back as a constant.
        string source = "static class C { static readonly float[] V = { " + string.Join(", ", values.Select(NetworkEmitter.FloatLiteral)) + " }; }";
        var tree = CSharpSyntaxTree.ParseText(source, Harness.ParseOptions);
        var compilation = CSharpCompilation.Create("L", new[] { tree }, Harness.References);
        SemanticModel model = compilation.GetSemanticModel(tree);
        var initializers = tree.GetRoot().DescendantNodes().OfType<InitializerExpressionSyntax>().Single().Expressions;
        Assert.Equal(values.Count, initializers.Count);
        for (int i = 0; i < values.Count; i++)
        {
            object? constant = model.GetConstantValue(initializers[i]).Value;
            Assert.True(constant is float f && BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits(values[i]),
                $"{values[i]:R} written as {initializers[i]} reads back as {constant}");
        }
        Assert.Equal("float.NaN", NetworkEmitter.FloatLiteral(float.NaN));
        Assert.Equal("float.PositiveInfinity", NetworkEmitter.FloatLiteral(float.PositiveInfinity));
        Assert.Equal("float.NegativeInfinity", NetworkEmitter.FloatLiteral(float.NegativeInfinity));
        Assert.Equal("-0f", NetworkEmitter.FloatLiteral(-0f));
        Assert.Equal("0.1f", NetworkEmitter.FloatLiteral(0.1f));
    }

    [Fact]
    public void Editing_code_reuses_the_decoded_file_and_the_output_and_changing_the_file_regenerates()
    {
        string network = Harness.Preamble + $"[Network(Loss.MeanSquaredError, Weights = \"w.safetensors\")] {Dense}";
        Compilation compilation = Harness.Compilation(network, "public static class Other { public static int F() => 1; }");
        AdditionalText first = Text("w.safetensors", DenseFile());
        GeneratorDriver driver = Driver(null, first).RunGenerators(compilation);
        string before = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();

        // An unrelated edit: nothing decoded, matched or emitted again.
        SyntaxTree other = compilation.SyntaxTrees.Last();
        Compilation edited = compilation.ReplaceSyntaxTree(other, other.WithChangedText(SourceText.From("public static class Other { public static int F() => 2; }")));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[TrackingNames.WeightsFiles].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(result.TrackedSteps[TrackingNames.BakedNetworks].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

        // A new version of the weights file: decoded, matched and emitted again with the new values.
        driver = driver.ReplaceAdditionalText(first, Text("w.safetensors", DenseFile(scale: 2f))).RunGenerators(edited);
        result = driver.GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.WeightsFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedSteps[TrackingNames.BakedNetworks].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        string after = result.GeneratedSources.Single().SourceText.ToString();
        Assert.NotEqual(before, after);
        Assert.Contains("1f, -2.5f, 0.2f,", after);
    }

    [Fact]
    public void Typed_buffers_need_inline_arrays_and_are_left_out_before_CSharp_12()
    {
        string source = Harness.Preamble + "[Network(Loss.MeanSquaredError)] " + Dense;
        var old = new CSharpParseOptions(LanguageVersion.CSharp11);
        Compilation compilation = CSharpCompilation.Create("U", new[] { CSharpSyntaxTree.ParseText(source, old) }, Harness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, generalDiagnosticOption: ReportDiagnostic.Error));
        Driver(old).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        string text = output.SyntaxTrees.Last().ToString();
        Assert.DoesNotContain("InlineArray", text);
        Assert.Empty(Harness.CompilerDiagnostics(output));

        var (latest, _, _) = Run(source);
        Assert.Contains("[global::System.Runtime.CompilerServices.InlineArray(InputSize)]", latest.SyntaxTrees.Last().ToString());
        Assert.Contains("public void Forward(in Input input, out Output output)", latest.SyntaxTrees.Last().ToString());
    }

    [Fact]
    public void The_reader_rejects_what_the_runtime_rejects()
    {
        byte[] good = DenseFile();
        Assert.Null(WeightsFileReader.Parse("f", good).Error);
        Assert.Equal(4, WeightsFileReader.Parse("f", good).Tensors.Count);

        Assert.Contains("shorter than the 8-byte header length", WeightsFileReader.Parse("f", new byte[5]).Error);
        Assert.Contains("over the limit of 100000000", WeightsFileReader.Parse("f", BitConverter.GetBytes(200_000_000UL)).Error);
        Assert.Contains("past the end of the file", WeightsFileReader.Parse("f", BitConverter.GetBytes(50UL).Concat(new byte[10]).ToArray()).Error);
        Assert.Contains("must be a JSON object starting with '{'", WeightsFileReader.Parse("f", BitConverter.GetBytes(2UL).Concat(Encoding.ASCII.GetBytes("[]")).ToArray()).Error);
        Assert.Contains("not valid UTF-8", WeightsFileReader.Parse("f", BitConverter.GetBytes(3UL).Concat(new byte[] { (byte)'{', 0xff, (byte)'}' }).ToArray()).Error);

        static string? Header(string json, int data = 0) => WeightsFileReader.Parse("f",
            BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(json)).Concat(Encoding.UTF8.GetBytes(json)).Concat(new byte[data]).ToArray()).Error;
        Assert.Null(Header("{}"));
        Assert.Null(Header("{\"__metadata__\":{\"format\":\"pt\"}}   "));
        Assert.Null(Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"extra\":[1,{\"x\":null}]}}", 4));
        Assert.Contains("the name appears twice", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        Assert.Contains("unknown dtype \"F33\"", Header("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        Assert.Contains("leave a gap of 4 bytes", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        Assert.Contains("hold 8 bytes, but dtype F32 and shape [1] need 4", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8));
        Assert.Contains("run past the end of the data section", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4));
        Assert.Contains("holds the number 1.5", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4));
        Assert.Contains("holds the number -1", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4));
        Assert.Contains("data_offsets holds 1 number, expected 2", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4));
        Assert.Contains("has no 'dtype' field", Header("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        Assert.Contains("has the field 'shape' twice", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        Assert.Contains("more JSON after its object", Header("{} {}"));
        Assert.Contains("not valid JSON", Header("{\"a\":{\"dtype\":\"F32\",}}"));
        Assert.Contains("'__metadata__' entry 'k' is a number", Header("{\"__metadata__\":{\"k\":1}}"));
        Assert.Contains("not valid JSON", Header("{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
    }

    [Fact]
    public void The_reader_never_throws_on_damaged_input()
    {
        byte[] good = DenseFile();
        var random = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            byte[] damaged = (byte[])good.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++) damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) Array.Resize(ref damaged, random.Next(damaged.Length));
            _ = WeightsFileReader.Parse("f", damaged); // throwing fails the test
        }
        Assert.Null(WeightsFileReader.ReadText("f", "something else"));
        Assert.Contains("damaged", WeightsFileReader.ReadText("f", WeightsFileReader.Marker + "\n@@@\n")!.Error);
    }

    private sealed class InMemoryText : AdditionalText
    {
        private readonly SourceText _text;

        public InMemoryText(string path, string text)
        {
            Path = path;
            _text = SourceText.From(text, Encoding.UTF8);
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
