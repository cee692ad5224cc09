using Backprop.Generated.CodeFixes;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Backprop.Generated.Generators.Tests;

/// <summary>Fix All (the providers' BatchFixer) in document, project and solution scope.</summary>
public class FixAllTests
{
    private const string U = "using Backprop.Generated;\n";

    private static string InitNets(string prefix, string init1, string init2) => U +
        $"[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.Tanh, Init = Init.{init1})] [Dense(1)] public partial class {prefix}A {{ }}\n" +
        $"[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.Sigmoid, Init = Init.{init2})] [Dense(4, Activation.ReLU, Init = Init.XavierUniform)] [Dense(1)] public partial class {prefix}B {{ }}\n";

    // Two projects of two files each; every file has two BPG0001 and one BPG0002.
    private static string[][] InitProjects => new[]
    {
        new[] { InitNets("P0F0", "HeUniform", "HeNormal"), InitNets("P0F1", "HeNormal", "HeUniform") },
        new[] { InitNets("P1F0", "HeUniform", "HeUniform") },
    };

    [Theory]
    [InlineData(FixAllScope.Document, 1)]
    [InlineData(FixAllScope.Project, 2)]
    [InlineData(FixAllScope.Solution, 3)]
    public async Task Fitting_initializer_fix_all_covers_its_scope_and_leaves_the_rest(FixAllScope scope, int fixedFiles)
    {
        string[][] result = await Harness.FixAllAsync(InitProjects, new InitializerCodeFixProvider(), scope, InitializerCodeFixProvider.UseFittingKey, "BPG0001");

        string[][] expectedFixed =
        {
            new[] { InitNets("P0F0", "XavierUniform", "XavierNormal"), InitNets("P0F1", "XavierNormal", "XavierUniform") },
            new[] { InitNets("P1F0", "XavierUniform", "XavierUniform") },
        };
        string[] actual = result.SelectMany(p => p).ToArray();
        string[] original = InitProjects.SelectMany(p => p).ToArray();
        string[] fixedAll = expectedFixed.SelectMany(p => p).ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(i < fixedFiles ? fixedAll[i] : original[i], actual[i]);
        }
        // BPG0002 (the ReLU layer) was not asked for and stays.
        Assert.All(actual, text => Assert.Contains("Activation.ReLU, Init = Init.XavierUniform", text));
    }

    [Fact]
    public async Task Init_Auto_fix_all_across_the_three_initializer_rules_in_the_solution()
    {
        string[][] result = await Harness.FixAllAsync(InitProjects, new InitializerCodeFixProvider(), FixAllScope.Solution,
            InitializerCodeFixProvider.UseAutoKey, "BPG0001", "BPG0002", "BPG0003");

        foreach (string text in result.SelectMany(p => p))
        {
            Assert.DoesNotContain("Init.He", text);
            Assert.DoesNotContain("Init.Xavier", text);
            Assert.Equal(3, text.Split("Init = Init.Auto").Length - 1);
        }
        CodeFixTests.AssertCompilesClean(result[0]);
        CodeFixTests.AssertCompilesClean(result[1]);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Solution)]
    public async Task Loss_fix_all(FixAllScope scope)
    {
        string Nets(string p, string l1, string l2) => U +
            $"[Network(Loss.{l1})] [Input(2)] [Dense(3, Activation.Softmax)] public partial class {p}A {{ }}\n" +
            $"[Network(Loss.{l2})] [Input(2)] [Dense(1, Activation.Sigmoid)] public partial class {p}B {{ }}\n";
        string[][] projects = { new[] { Nets("X", "MeanSquaredError", "Hinge") }, new[] { Nets("Y", "Hinge", "CrossEntropy") } };

        string[][] result = await Harness.FixAllAsync(projects, new LossCodeFixProvider(), scope, LossCodeFixProvider.UseFittingKey, "BPG0004");

        Assert.Equal(Nets("X", "CrossEntropy", "BinaryCrossEntropy"), result[0][0]);
        Assert.Equal(scope == FixAllScope.Solution ? Nets("Y", "CrossEntropy", "BinaryCrossEntropy") : projects[1][0], result[1][0]);
        CodeFixTests.AssertCompilesClean(result[0]);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Solution)]
    public async Task Make_partial_fix_all_including_a_containing_type_shared_by_two_networks(FixAllScope scope)
    {
        // Outer is reported twice (once per nested network): the batch fixer must merge the identical edits.
        string before0 = U + "public class Outer\n{\n    [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public class A { }\n    [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public class B { }\n}\n" +
            "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] class C { }\n";
        string after0 = U + "public partial class Outer\n{\n    [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class A { }\n    [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class B { }\n}\n" +
            "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] partial class C { }\n";
        string before1 = U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] internal sealed class D { }\n";
        string after1 = U + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] internal sealed partial class D { }\n";

        string[][] result = await Harness.FixAllAsync(new[] { new[] { before0, before1 } }, new MakePartialCodeFixProvider(), scope, MakePartialCodeFixProvider.Key, "BPG0100");

        Assert.Equal(after0, result[0][0]);
        Assert.Equal(scope == FixAllScope.Document ? before1 : after1, result[0][1]);
        CodeFixTests.AssertCompilesClean(after0, after1);
    }

    [Fact]
    public async Task Padding_fix_all_in_a_document_fixes_every_strided_convolution_and_the_empty_one()
    {
        string before = U +
            "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [Conv2D(8, 3, Activation.ReLU, Stride = 2)] [Dense(1)] public partial class A { }\n" +
            "[Network(Loss.MeanSquaredError)] [Input(1, 20)] [Conv1D(8, 4, Stride = 3, Padding = 0)] [Dense(1)] public partial class B { }\n" +
            "[Network(Loss.MeanSquaredError)] [Input(1, 3, 3)] [Conv2D(4, 5)] [Dense(1)] public partial class C { }\n";
        string[][] result = await Harness.FixAllAsync(new[] { new[] { before } }, new PaddingCodeFixProvider(), FixAllScope.Document,
            PaddingCodeFixProvider.UsePaddingKey, "BPG0007", "BPG0120");

        // A and B: the smallest padding that reads every position, added or replaced; C: the 'same' padding.
        Assert.Equal(U +
            "[Network(Loss.MeanSquaredError)] [Input(1, 28, 28)] [Conv2D(8, 3, Activation.ReLU, Stride = 2, Padding = 1)] [Dense(1)] public partial class A { }\n" +
            "[Network(Loss.MeanSquaredError)] [Input(1, 20)] [Conv1D(8, 4, Stride = 3, Padding = 1)] [Dense(1)] public partial class B { }\n" +
            "[Network(Loss.MeanSquaredError)] [Input(1, 3, 3)] [Conv2D(4, 5, Padding = 2)] [Dense(1)] public partial class C { }\n",
            result.Single().Single());
        CodeFixTests.AssertConvolutionalCompilesClean(result.Single());
    }
}
