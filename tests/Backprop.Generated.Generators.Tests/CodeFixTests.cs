using Backprop.Generated.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Backprop.Generated.Generators.Tests;

/// <summary>Every fix produces the expected source, which compiles (generated code included) with no diagnostics left.</summary>
public class CodeFixTests
{
    private const string U = "using Backprop.Generated;\n";

    public static TheoryData<string, string, string, string, string> Fixes => new()
    {
        // id, provider, title, before, after
        { "BPG0001", "init", "Use Init.XavierUniform",
            U + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(4, Activation.Tanh, Init = Init.HeUniform)]\n[Dense(1)]\npublic partial class Net { }\n",
            U + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(4, Activation.Tanh, Init = Init.XavierUniform)]\n[Dense(1)]\npublic partial class Net { }\n" },
        { "BPG0001", "init", "Use Init.Auto (resolves to XavierNormal)",
            U + "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(1, Activation.Sigmoid, Init = Init.HeNormal)] public partial class Net { }",
            U + "[Network(Loss.BinaryCrossEntropy)] [Input(2)] [Dense(1, Activation.Sigmoid, Init = Init.Auto)] public partial class Net { }" },
        { "BPG0002", "init", "Use Init.HeNormal",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.LeakyReLU, Init = Init.LeCunNormal)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.LeakyReLU, Init = Init.HeNormal)] [Dense(1)] public partial class Net { }" },
        { "BPG0002", "init", "Use Init.HeUniform",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, Init = Init.StandardUniform)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, Init = Init.HeUniform)] [Dense(1)] public partial class Net { }" },
        // Fully qualified, no using: the qualification is kept.
        { "BPG0002", "init", "Use Init.HeUniform",
            "[Backprop.Generated.Network(Backprop.Generated.Loss.MeanSquaredError)] [Backprop.Generated.Input(2)] [Backprop.Generated.Dense(8, Backprop.Generated.Activation.ReLU, Init = Backprop.Generated.Init.XavierUniform)] [Backprop.Generated.Dense(1)] public partial class Net { }",
            "[Backprop.Generated.Network(Backprop.Generated.Loss.MeanSquaredError)] [Backprop.Generated.Input(2)] [Backprop.Generated.Dense(8, Backprop.Generated.Activation.ReLU, Init = Backprop.Generated.Init.HeUniform)] [Backprop.Generated.Dense(1)] public partial class Net { }" },
        // A cast becomes the enum member, simplified against the usings.
        { "BPG0003", "init", "Use Init.HeUniform",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, Init = (Init)6)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, Init = Init.HeUniform)] [Dense(1)] public partial class Net { }" },
        { "BPG0003", "init", "Use Init.Auto (resolves to XavierUniform)",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh, Init = Init.Zeros)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.Tanh, Init = Init.Auto)] [Dense(1)] public partial class Net { }" },
        { "BPG0004", "loss", "Use Loss.CrossEntropy",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)] public partial class Net { }",
            U + "[Network(Loss.CrossEntropy)] [Input(2)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)] public partial class Net { }" },
        { "BPG0004", "loss", "Use Loss.BinaryCrossEntropy",
            U + "[Network(loss: Loss.Hinge)] [Input(2)] [Dense(2, Activation.Sigmoid)] public partial class Net { }",
            U + "[Network(loss: Loss.BinaryCrossEntropy)] [Input(2)] [Dense(2, Activation.Sigmoid)] public partial class Net { }" },
        { "BPG0004", "loss", "Use Loss.MeanSquaredError",
            "using BG = Backprop.Generated;\n[BG.Network(BG.Loss.CrossEntropy)] [BG.Input(2)] [BG.Dense(3, BG.Activation.Tanh)] public partial class Net { }",
            "using BG = Backprop.Generated;\n[BG.Network(BG.Loss.MeanSquaredError)] [BG.Input(2)] [BG.Dense(3, BG.Activation.Tanh)] public partial class Net { }" },
        { "BPG0100", "partial", "Make 'Net' partial",
            U + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic class Net { }\n",
            U + "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic partial class Net { }\n" },
        { "BPG0100", "partial", "Make 'Net' partial",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)]\nclass Net { }\n",
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)]\npartial class Net { }\n" },
        { "BPG0100", "partial", "Make 'Net' partial",
            U + "namespace N\n{\n    public static class Outer\n    {\n        internal class Middle\n        {\n            [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)]\n            internal sealed class Net { }\n        }\n    }\n}\n",
            U + "namespace N\n{\n    public static partial class Outer\n    {\n        internal partial class Middle\n        {\n            [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)]\n            internal sealed partial class Net { }\n        }\n    }\n}\n" },
    };

    /// <summary>Fixes on convolutional networks (checked by <see cref="AssertConvolutionalCompilesClean"/>).</summary>
    public static TheoryData<string, string, string, string, string> ConvolutionFixes => new()
    {
        // The initializer fix on a convolution, as on a Dense layer.
        { "BPG0001", "init", "Use Init.XavierUniform",
            U + "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, Activation.Tanh, Init = Init.HeUniform)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(1, 8, 8)] [Conv2D(4, 3, Activation.Tanh, Init = Init.XavierUniform)] [Dense(1)] public partial class Net { }" },
        { "BPG0003", "init", "Use Init.Auto (resolves to HeUniform)",
            U + "[Network(Loss.MeanSquaredError)] [Input(3, 16)] [Conv1D(4, 3, Activation.ReLU, Init = Init.Zeros)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(3, 16)] [Conv1D(4, 3, Activation.ReLU, Init = Init.Auto)] [Dense(1)] public partial class Net { }" },
        // BPG0007: the smallest padding with which the strided windows reach the last row and column, added ...
        { "BPG0007", "padding", "Use Padding = 1",
            U + "[Network(Loss.MeanSquaredError)]\n[Input(1, 28, 28)]\n[Conv2D(8, 3, Activation.ReLU, Stride = 2)]\n[Dense(1)]\npublic partial class Net { }\n",
            U + "[Network(Loss.MeanSquaredError)]\n[Input(1, 28, 28)]\n[Conv2D(8, 3, Activation.ReLU, Stride = 2, Padding = 1)]\n[Dense(1)]\npublic partial class Net { }\n" },
        // ... or replacing the one written.
        { "BPG0007", "padding", "Use Padding = 1",
            U + "[Network(Loss.MeanSquaredError)] [Input(1, 20)] [Conv1D(8, 4, Stride = 3, Padding = 0)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(1, 20)] [Conv1D(8, 4, Stride = 3, Padding = 1)] [Dense(1)] public partial class Net { }" },
        // BPG0120: the 'same' padding, with which a kernel larger than its input gives output of the input's size.
        { "BPG0120", "padding", "Use Padding = 2",
            U + "[Network(Loss.MeanSquaredError)] [Input(1, 3, 3)] [Conv2D(4, 5)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(1, 3, 3)] [Conv2D(4, 5, Padding = 2)] [Dense(1)] public partial class Net { }" },
        { "BPG0120", "padding", "Use Padding = 4",
            U + "[Network(Loss.MeanSquaredError)] [Input(2, 4)] [Conv1D(4, 3, Activation.ReLU, Padding = 0, Dilation = 4)] [Dense(1)] public partial class Net { }",
            U + "[Network(Loss.MeanSquaredError)] [Input(2, 4)] [Conv1D(4, 3, Activation.ReLU, Padding = 4, Dilation = 4)] [Dense(1)] public partial class Net { }" },
    };

    [Theory]
    [MemberData(nameof(ConvolutionFixes))]
    public async Task Fix_on_a_convolution_produces_the_expected_source_with_every_rule_silent(string id, string provider, string title, string before, string after)
    {
        var (fixedSource, _) = await Harness.ApplyFixAsync(before, Provider(provider), id, title);

        Assert.Equal(after, fixedSource);
        AssertConvolutionalCompilesClean(fixedSource);
    }

    [Fact]
    public async Task Pooling_windows_get_no_padding_fix()
    {
        // A pooling layer has no Padding: BPG0007 on it offers no code action.
        Solution solution = Harness.CreateSolution(new[] { U + "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [Conv2D(8, 3, Activation.ReLU)] [MaxPool2D(3)] [Dense(1)] public partial class Net { }" });
        Document document = solution.Projects.Single().Documents.Single();
        Diagnostic diagnostic = Assert.Single(await Harness.AnalyzeAsync(document.Project));
        Assert.Equal("BPG0007", diagnostic.Id);
        Assert.Empty(await Harness.GetFixesAsync(document, new PaddingCodeFixProvider(), diagnostic));
    }

    /// <summary>
    /// No analyzer diagnostic is left and the generator does not throw; and the generated code
    /// compiles under warnings-as-errors.
    /// </summary>
    internal static void AssertConvolutionalCompilesClean(params string[] sources)
    {
        Compilation compilation = Harness.Compilation(sources);
        Assert.Empty(Harness.Analyze(compilation));
        var (output, run) = Harness.Generate(compilation);
        Assert.Null(run.Results.Single().Exception);
        Assert.NotEmpty(run.Results.Single().GeneratedSources);
        Assert.Empty(Harness.CompilerDiagnostics(output));
    }

    internal static CodeFixProvider Provider(string name) => name switch
    {
        "init" => new InitializerCodeFixProvider(),
        "loss" => new LossCodeFixProvider(),
        "padding" => new PaddingCodeFixProvider(),
        _ => new MakePartialCodeFixProvider(),
    };

    [Theory]
    [MemberData(nameof(Fixes))]
    public async Task Fix_produces_the_expected_source_which_compiles_with_the_rule_silent(string id, string provider, string title, string before, string after)
    {
        var (fixedSource, _) = await Harness.ApplyFixAsync(before, Provider(provider), id, title);

        Assert.Equal(after, fixedSource);
        AssertCompilesClean(fixedSource);
    }

    /// <summary>Builds with the generator under warnings-as-errors, with no analyzer diagnostics at all.</summary>
    internal static void AssertCompilesClean(params string[] sources)
    {
        Compilation compilation = Harness.Compilation(sources);
        Assert.Empty(Harness.Analyze(compilation));
        var (output, run) = Harness.Generate(compilation);
        Assert.Null(run.Results.Single().Exception);
        Assert.NotEmpty(run.Results.Single().GeneratedSources);
        Assert.Empty(Harness.CompilerDiagnostics(output));
    }

    [Fact]
    public async Task Initializer_fixes_offer_the_fitting_one_first_then_Auto()
    {
        var (_, titles) = await Harness.ApplyFixAsync(
            U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(8, Activation.ReLU, Init = Init.Zeros)] [Dense(1)] public partial class Net { }",
            new InitializerCodeFixProvider(), "BPG0003");
        Assert.Equal(new[] { "Use Init.HeUniform", "Use Init.Auto (resolves to HeUniform)" }, titles);
    }

    [Fact]
    public async Task Making_partial_from_either_diagnostic_of_a_nested_network_fixes_both()
    {
        // Net and Outer are both not partial: two BPG0100 on the name, and one fix covers both.
        string before = U + "public class Outer { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public class Net { } }";
        Solution solution = Harness.CreateSolution(new[] { before });
        Document document = solution.Projects.Single().Documents.Single();
        var diagnostics = (await Harness.AnalyzeAsync(document.Project)).Where(d => d.Id == "BPG0100").ToArray();
        Assert.Equal(2, diagnostics.Length);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            var action = Assert.Single(await Harness.GetFixesAsync(document, new MakePartialCodeFixProvider(), diagnostic));
            Solution changed = await Harness.ApplyAsync(action);
            string text = (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
            Assert.Equal(U + "public partial class Outer { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Net { } }", text);
        }
    }

    [Fact]
    public async Task Making_partial_reaches_every_declaration_of_a_containing_type_in_other_files()
    {
        string[] before =
        {
            U + "public partial class Outer { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public class Net { } }",
            "public partial class Outer { }",
        };
        Solution solution = Harness.CreateSolution(before);
        Document document = solution.Projects.Single().Documents.Single(d => d.Name == "File0.cs");
        Diagnostic diagnostic = Assert.Single(await Harness.AnalyzeAsync(document.Project));
        Solution changed = await Harness.ApplyAsync(Assert.Single(await Harness.GetFixesAsync(document, new MakePartialCodeFixProvider(), diagnostic)));
        string text = (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
        Assert.Equal(U + "public partial class Outer { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Net { } }", text);
    }
}
