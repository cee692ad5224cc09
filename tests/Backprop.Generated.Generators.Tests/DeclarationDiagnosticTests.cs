using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Tests;

/// <summary>Each BPG01nn error fires at the exact span, says what to change, and the generator stays silent for that type.</summary>
public class DeclarationDiagnosticTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "BPG0100", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public class [|Net|] { }", "must be declared 'partial'" },
        { "BPG0100", "public class Outer { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class [|Net|] { } }", "containing type 'Outer'" },
        { "BPG0101", "[[|Network(Loss.MeanSquaredError)|]] [Dense(1)] public partial class Net { }", "add [Input(n)]" },
        { "BPG0102", "[Input(2)] [Dense(1)] public partial class [|Net|] { }", "no [Network(Loss.X)]" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input([|0|])] [Dense(1)] public partial class Net { }", "The input size is 0: it must be at least 1" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4)] [Dense([|-3|], Activation.Tanh)] public partial class Net { }", "Layer 1 (Dense) units is -3" },
        { "BPG0104", "[[|Network(Loss.MeanSquaredError)|]] [Input(2)] public partial class Net { }", "has no [Dense] layers" },
        { "BPG0105", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(3, [|Activation.Softmax|])] [Dense(2, Activation.Softmax)] public partial class Net { }", "Layer 0 (Dense, 3 units) uses Softmax" },
        { "BPG0105", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(3)] [Activation([|Activation.Softmax|])] [Dense(2, Activation.Softmax)] public partial class Net { }", "Layer 1 (Activation) uses Softmax" },
        { "BPG0111", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dropout([|1.0|])] [Dense(1)] public partial class Net { }", "Layer 1 (Dropout) has rate 1" },
        { "BPG0111", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dropout([|-0.5|])] [Dense(1)] public partial class Net { }", "has rate -0.5" },
        { "BPG0111", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dropout([|double.NaN|])] [Dense(1)] public partial class Net { }", "has rate NaN" },
        { "BPG0112", "[Network(Loss.MeanSquaredError)] [Input(2)] [[|BatchNorm|]] [Dense(1)] public partial class Net { }", "comes before any Dense layer" },
        { "BPG0130", "[Network(Loss.MeanSquaredError, [|Precision = Precision.Int8|])] [Input(2)] [Dense(1)] public partial class Net { }", "'Net' asks for Precision.Int8 but bakes no weights" },
        { "BPG0112", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [BatchNorm] [Activation(Activation.ReLU)] [[|BatchNorm|]] [Dense(1)] public partial class Net { }", "second [BatchNorm] for Dense layer 0" },
        { "BPG0106", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] public partial class Net { } [[|Dense(1)|]] public partial class Net { }", "[Dense] is on another partial declaration" },
        { "BPG0107", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class [|Net|]<T> { }", "is generic" },
        { "BPG0107", "public partial class Outer<T> { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class [|Net|] { } }", "nested in the generic type 'Outer'" },
        { "BPG0108", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public static partial class [|Net|] { }", "is static" },
        { "BPG0108", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial record [|Net|] { }", "is a record" },
        { "BPG0108", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial struct [|Net|] { }", "is a struct" },
        { "BPG0108", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial record struct [|Net|] { }", "is a record" },
        { "BPG0109", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1, [|(Activation)42|])] public partial class Net { }", "Layer 0 activation is 42, which is not a defined Activation" },
        { "BPG0109", "[Network([|(Loss)7|])] [Input(2)] [Dense(1)] public partial class Net { }", "not a defined Loss" },
        { "BPG0109", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1, [|Init = (Init)99|])] public partial class Net { }", "Layer 0 Init is 99" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input([|100000|])] [Dense(1)] public partial class Net { }", "over the limit of 65536" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(10000)] [Dense(4000)] [[|Dense(10000)|]] public partial class Net { }", "over the limit of 50000000" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_fires_at_the_marked_span_and_the_generator_emits_nothing(string id, string markup, string messagePart)
    {
        var (source, spans) = Harness.Markup(Harness.Preamble + markup);
        Compilation compilation = Harness.Compilation(source);

        var diagnostics = Harness.Analyze(compilation);

        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(spans.Single(), diagnostic.Location.SourceSpan);
        Assert.Contains(messagePart, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");

        var (_, run) = Harness.Generate(compilation);
        Assert.Null(run.Results.Single().Exception);
        Assert.Empty(run.Results.Single().GeneratedSources);
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void A_struct_network_gets_BPG0108_and_no_attribute_target_error_that_would_hide_it()
    {
        // The attributes accept structs so that the compiler's CS0592 does not stand in for the library's message.
        var (source, spans) = Harness.Markup(Harness.Preamble +
            "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [BatchNorm] [Activation(Activation.ReLU)] [Dropout(0.5)] [Dense(1)] public partial struct [|Net|] { }\n" +
            "[Network(Loss.MeanSquaredError)] [Input([|0|])] [Dense(1)] public partial class Other { }");
        Compilation compilation = Harness.Compilation(source);
        Assert.Empty(Harness.CompilerDiagnostics(compilation));
        var diagnostics = Harness.Analyze(compilation);
        Assert.Equal(new[] { ("BPG0108", spans[0]), ("BPG0103", spans[1]) }, diagnostics.Select(d => (d.Id, d.Location.SourceSpan)));
    }

    [Fact]
    public void Valid_declarations_get_no_diagnostics()
    {
        Compilation compilation = Harness.Compilation(Harness.Preamble + """
            namespace A.B;
            [Network(Loss.CrossEntropy)] [Input(64)] [Dense(32, Activation.ReLU)] [Dense(10, Activation.Softmax, Init = Init.XavierUniform)]
            public partial class DigitsNet { }
            public static partial class Holder
            {
                [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]
                internal partial class XorNet { }
            }
            """);
        Assert.Empty(Harness.Analyze(compilation));
    }

    [Fact]
    public void Every_descriptor_has_a_help_page_in_the_repository()
    {
        string docs = Path.Combine(RepositoryRoot(), "docs", "diagnostics");
        foreach (var descriptor in new Diagnostics.NetworkDeclarationAnalyzer().SupportedDiagnostics)
        {
            string page = Path.Combine(docs, descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"missing help page {page}");
            Assert.Contains(descriptor.Id, File.ReadAllText(page));
        }
    }

    internal static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Backprop.Generated.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Backprop.Generated.sln not found above " + AppContext.BaseDirectory);
    }
}
