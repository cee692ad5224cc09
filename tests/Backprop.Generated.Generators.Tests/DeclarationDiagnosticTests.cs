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
        { "BPG0104", "[[|Network(Loss.MeanSquaredError)|]] [Input(2)] public partial class Net { }", "has no [Dense] or convolution layers" },
        { "BPG0104", "[[|Network(Loss.MeanSquaredError)|]] [Input(1, 8, 8)] [MaxPool2D(2)] [GlobalAveragePool] public partial class Net { }", "has no [Dense] or convolution layers" },
        { "BPG0101", "[[|Network(Loss.CrossEntropy)|]] [Conv2D(8, 3)] [MaxPool2D(2)] [Dense(10, Activation.Softmax)] public partial class Net { }", "add [Input(n)] with the number of input features, here [Input(channels, height, width)] for the images its 2-D layers take" },
        { "BPG0101", "[[|Network(Loss.CrossEntropy)|]] [Conv1D(8, 3)] [Dense(10, Activation.Softmax)] public partial class Net { }", "here [Input(channels, length)] for the signals its 1-D layers take" },
        { "BPG0102", "[Conv2D(8, 3)] [GlobalAveragePool] public partial class [|Net|] { }", "'Net' has [Input] or layer attributes but no [Network(Loss.X)]" },
        { "BPG0105", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(3, [|Activation.Softmax|])] [Dense(2, Activation.Softmax)] public partial class Net { }", "Layer 0 (Dense, 3 units) uses Softmax" },
        { "BPG0105", "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(3)] [Activation([|Activation.Softmax|])] [Dense(2, Activation.Softmax)] public partial class Net { }", "Layer 1 (Activation) uses Softmax" },
        { "BPG0111", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dropout([|1.0|])] [Dense(1)] public partial class Net { }", "Layer 1 (Dropout) has rate 1" },
        { "BPG0111", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dropout([|-0.5|])] [Dense(1)] public partial class Net { }", "has rate -0.5" },
        { "BPG0111", "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3)] [Dropout([|double.NaN|])] [Dense(1)] public partial class Net { }", "has rate NaN" },
        { "BPG0112", "[Network(Loss.MeanSquaredError)] [Input(2)] [[|BatchNorm|]] [Dense(1)] public partial class Net { }", "comes before any Dense layer" },
        { "BPG0130", "[Network(Loss.MeanSquaredError, [|Precision = Precision.Int8|])] [Input(2)] [Dense(1)] public partial class Net { }", "'Net' asks for Precision.Int8 but bakes no weights" },
        { "BPG0131", "[Network(Loss.CrossEntropy, Weights = \"wide.safetensors\", Precision = Precision.Int8)] [Input(200, 1000)] [[|Conv1D(1, 1000)|]] [Dense(2, Activation.Softmax)] public partial class Net { }", "Layer 0 has a fan-in of 200000: int8 products are summed in int32, which is exact for at most 133144 inputs" },
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
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, [|2000|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) kernel size is 2000, over the limit of 1024" },
        { "BPG0110", "[[|Input(64, 1024, 1024)|]] [Network(Loss.MeanSquaredError)] [Dense(1)] public partial class Net { }", "over the limit of 4194304" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D([|0|], 3)] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) filters is 0" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, [|-1|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) kernel size is -1" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(2, 8)] [MaxPool1D([|0|])] [Dense(1)] public partial class Net { }", "Layer 0 (MaxPool1D) size is 0" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(2, [|0|], 8)] [Conv2D(4, 3)] [Dense(1)] public partial class Net { }", "The input height is 0" },
        { "BPG0112", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3)] [BatchNorm] [MaxPool2D(2)] [[|BatchNorm|]] [Dense(1)] public partial class Net { }", "second [BatchNorm] for Conv2D layer 0" },
        { "BPG0112", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [MaxPool2D(2)] [[|BatchNorm|]] [Conv2D(4, 3)] [Dense(1)] public partial class Net { }", "comes before any Dense layer or convolution" },
        { "BPG0120", "[Network(Loss.MeanSquaredError)] [Input(1, 3, 3)] [Conv2D(4, [|5|])] [Dense(1)] public partial class Net { }", "Layer 0: Conv2D kernel 5 on 1×3×3 input with padding 0 gives no output; the kernel spans 5 positions but the padded input has 3 rows and columns; use a kernel of at most 3, Padding = 1 or more (2 keeps the size at stride 1)" },
        // A square kernel must fit the shorter axis; after pooling the message says what shrank the input.
        { "BPG0120", "[Network(Loss.MeanSquaredError)] [Input(1, 3, 28)] [Conv2D(4, [|5|])] [Dense(1)] public partial class Net { }", "Conv2D kernel 5 on 1×3×28 input with padding 0 gives no output; the kernel spans 5 positions but the padded input has 3 rows; use a kernel of at most 3, Padding = 1 or more (2 keeps the size at stride 1)" },
        { "BPG0120", "[Network(Loss.MeanSquaredError)] [Input(1, 12, 12)] [Conv2D(8, 3)] [MaxPool2D(2)] [MaxPool2D(2)] [Conv2D(16, [|4|])] [Dense(1)] public partial class Net { }", "Layer 3: Conv2D kernel 4 on 8×2×2 input with padding 0 gives no output; the kernel spans 4 positions but the padded input has 2 rows and columns; use a kernel of at most 2, Padding = 1 or more, or less pooling or striding before it (the network's input is 1×12×12)" },
        { "BPG0120", "[Network(Loss.MeanSquaredError)] [Input(2, 40)] [Conv1D(4, 3, Stride = 4)] [Conv1D(4, [|12|])] [Dense(1)] public partial class Net { }", "Layer 1: Conv1D kernel 12 on 4×10 input with padding 0 gives no output; the kernel spans 12 positions but the padded input has 10 positions; use a kernel of at most 10, Padding = 1 or more, or less pooling or striding before it (the network's input is 2×40)" },
        { "BPG0120", "[Network(Loss.MeanSquaredError)] [Input(2, 10)] [Conv1D(4, [|3|], Dilation = 6)] [Dense(1)] public partial class Net { }", "Conv1D kernel 3 on 2×10 input with padding 0 and dilation 6 gives no output; the kernel spans 13 positions" },
        { "BPG0120", "[Network(Loss.MeanSquaredError)] [Input(1, 12, 12)] [Conv2D(8, 3)] [MaxPool2D(2)] [MaxPool2D(2)] [MaxPool2D([|3|])] [Dense(1)] public partial class Net { }", "MaxPool2D window 3 on 8×2×2 input gives no output" },
        { "BPG0121", "[Network(Loss.MeanSquaredError)] [Input(3, 128)] [[|Conv2D(8, 5)|]] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) is a 2-D layer but the values reaching it are 3×128, a 1-D signal (channels × length): use [Conv1D]" },
        { "BPG0121", "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [Conv2D(8, 5)] [[|AvgPool1D(2)|]] [Dense(1)] public partial class Net { }", "Layer 1 (AvgPool1D) is a 1-D layer but the values reaching it are 8×24×24, an image" },
        { "BPG0122", "[Network(Loss.MeanSquaredError)] [Input(784)] [[|Conv2D(16, 5)|]] [Dense(1)] public partial class Net { }", "the network's input is a flat vector of 784 values ([Input(784)]): declare the input's shape" },
        { "BPG0122", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Dense(16)] [[|GlobalAveragePool|]] [Dense(1)] public partial class Net { }", "it follows Dense layer 0, whose output is a flat vector of 16 values" },
        { "BPG0123", "[Network(Loss.MeanSquaredError)] [Input(3, 128)] [Conv1D(8, 5, [|Stride = 0|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv1D) has Stride = 0 on 3×128 input" },
        { "BPG0123", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(8, 3, [|Dilation = 0|])] [Dense(1)] public partial class Net { }", "Dilation = 0" },
        { "BPG0123", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(8, 3, [|Padding = -1|])] [Dense(1)] public partial class Net { }", "Padding = -1 on 1×8×8 input: the zeros added on each side cannot be negative" },
        // Convolution and pooling layers: every case of issue 14's list, on the argument (or attribute) at fault.
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input([|0|], 128)] [Conv1D(4, 3)] [Dense(1)] public partial class Net { }", "The input channels is 0: it must be at least 1" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(3, [|-128|])] [Conv1D(4, 3)] [Dense(1)] public partial class Net { }", "The input length is -128" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(1, 28, [|0|])] [Conv2D(4, 3)] [Dense(1)] public partial class Net { }", "The input width is 0" },
        { "BPG0103", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [AvgPool2D([|-2|])] [Dense(1)] public partial class Net { }", "Layer 0 (AvgPool2D) size is -2" },
        { "BPG0105", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, [|Activation.Softmax|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D, 4 filters) uses Softmax" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D([|70000|], 3)] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) filters is 70000, over the limit of 65536" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, [|Stride = 5000|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) Stride is 5000, over the limit of 1024" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, [|Padding = 1025|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) Padding is 1025, over the limit of 1024" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [MaxPool2D([|2000|])] [Dense(1)] public partial class Net { }", "Layer 0 (MaxPool2D) size is 2000, over the limit of 1024" },
        // Three dimensions whose product wraps a long to 0 (2^21 · 2^21 · 2^22 = 2^64) are still refused.
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [[|Input(2097152, 2097152, 4194304)|]] [Conv2D(4, 3)] [Dense(1)] public partial class Net { }", "The input size (2097152×2097152×4194304) is 18446744073709551616, over the limit of 4194304" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [[|Input(int.MaxValue, int.MaxValue, int.MaxValue)|]] [Conv2D(4, 3)] [Dense(1)] public partial class Net { }", "over the limit of 4194304" },
        { "BPG0110", "[Network(Loss.MeanSquaredError)] [Input(64, 256, 256)] [[|Conv2D(256, 1)|]] [Dense(1)] public partial class Net { }", "The output of layer 0 (Conv2D, 256×256×256) is 16777216, over the limit of 4194304" },
        { "BPG0121", "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [[|Conv1D(8, 5)|]] [Dense(1)] public partial class Net { }", "Layer 0 (Conv1D) is a 1-D layer but the values reaching it are 1×28×28, an image (channels × height × width): use [Conv2D] on images, or declare a signal as [Input(channels, length)]" },
        { "BPG0121", "[Network(Loss.MeanSquaredError)] [Input(3, 128)] [[|MaxPool2D(2)|]] [Dense(1)] public partial class Net { }", "Layer 0 (MaxPool2D) is a 2-D layer but the values reaching it are 3×128, a 1-D signal (channels × length): use [MaxPool1D] on signals" },
        { "BPG0122", "[Network(Loss.MeanSquaredError)] [Input(128)] [[|Conv1D(4, 3)|]] [Dense(1)] public partial class Net { }", "Layer 0 (Conv1D) needs values with a shape (channels × length or channels × height × width), but the network's input is a flat vector of 128 values ([Input(128)]): declare the input's shape: [Input(channels, length)] for a signal or [Input(channels, height, width)] for an image" },
        { "BPG0122", "[Network(Loss.MeanSquaredError)] [Input(3, 128)] [Conv1D(4, 3)] [Dense(32)] [[|MaxPool1D(2)|]] [Dense(1)] public partial class Net { }", "Layer 2 (MaxPool1D) needs values with a shape (channels × length or channels × height × width), but it follows Dense layer 1, whose output is a flat vector of 32 values: put every convolution and pooling layer before the first [Dense]" },
        { "BPG0122", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Dense(16)] [Dropout(0.5)] [[|Conv2D(4, 3)|]] [Dense(1)] public partial class Net { }", "it follows Dense layer 0, whose output is a flat vector of 16 values" },
        { "BPG0123", "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(8, 3, [|Stride = -2|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv2D) has Stride = -2 on 1×8×8 input: the step between output positions must be at least 1" },
        { "BPG0123", "[Network(Loss.MeanSquaredError)] [Input(3, 16)] [Conv1D(8, 3, Padding = 1, [|Dilation = -1|])] [Dense(1)] public partial class Net { }", "Layer 0 (Conv1D) has Dilation = -1 on 3×16 input: the spacing between taps must be at least 1" },
    };

    /// <summary>One mistake, one error: an argument out of range is not reported again as an empty output or a too-large layer.</summary>
    [Theory]
    [InlineData("[Input(1, 8, 8)] [Conv2D(4, [|2000|])] [Dense(1)]", "BPG0110")]
    [InlineData("[Input(4, 2, 7)] [Conv2D(5, [|2000|], Padding = 1)] [Dense(2)]", "BPG0110")] // found by the fuzzer: 5·4·2000² weights were reported too
    [InlineData("[Input(64, 8)] [Conv1D([|70000|], 1000)] [Dense(2)]", "BPG0110")]
    [InlineData("[Input(1, 8, 8)] [Conv2D([|70000|], 3)] [Dense(1)]", "BPG0110")]
    [InlineData("[Input(1, 8, 8)] [MaxPool2D([|2000|])] [Dense(1)]", "BPG0110")]
    [InlineData("[Input(1, 8, 8)] [Conv2D(4, 3, [|Dilation = 2000|])] [Dense(1)]", "BPG0110")]
    [InlineData("[Input(1, 8, 8)] [Conv2D(4, 3, [|Stride = 0|])] [MaxPool2D(2)] [Dense(1)]", "BPG0123")]
    [InlineData("[Input(1, 2, 2)] [Conv2D(4, [|3|])] [MaxPool2D(5)] [Conv2D(2, 9)] [Dense(1)]", "BPG0120")]
    public void An_out_of_range_convolution_argument_gets_exactly_one_error(string layers, string id)
    {
        var (source, spans) = Harness.Markup(Harness.Preamble + $"[Network(Loss.MeanSquaredError)] {layers} public partial class Net {{ }}");
        Diagnostic diagnostic = Assert.Single(Harness.Analyze(Harness.Compilation(source)));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(spans.Single(), diagnostic.Location.SourceSpan);
    }

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
            [Network(Loss.CrossEntropy)] [Input(1, 28, 28)] [Conv2D(16, 5, Activation.ReLU, Padding = 2)] [MaxPool2D(2)]
            [Conv2D(32, 5, Activation.ReLU, Padding = 2)] [MaxPool2D(2)] [Dense(10, Activation.Softmax)]
            public partial class FashionCnn { }
            [Network(Loss.CrossEntropy)] [Input(3, 128)] [Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)] [AvgPool1D(2)]
            [Conv1D(16, 3, Activation.Tanh)] [GlobalAveragePool] [Dense(4, Activation.Softmax)]
            public partial class SensorNet { }
            [Network(Loss.MeanSquaredError)] [Input(2, 9, 9)] [Conv2D(4, 3, Stride = 2)] [BatchNorm] [Activation(Activation.ReLU)]
            [AvgPool2D(2)] [Dropout(0.25)] [Conv2D(3, 1)] [GlobalAveragePool] [Dense(2)]
            public partial class Mixed { }
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
