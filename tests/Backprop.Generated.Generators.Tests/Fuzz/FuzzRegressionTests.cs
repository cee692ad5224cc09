using System.Collections.Immutable;
using System.Globalization;
using Backprop.Generated.Generators.Tests.Snapshots;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generated.Generators.Tests.Fuzz;

/// <summary>What the fuzzing found, kept as regression tests, and the analyzers run over generated code.</summary>
public class FuzzRegressionTests
{
    [Theory]
    [InlineData("public partial struct Net { }", "is a struct")]
    [InlineData("internal readonly partial struct Net { }", "is a struct")]
    [InlineData("public partial record struct Net { }", "is a record")]
    [InlineData("public partial record Net(int X);", "is a record")]
    public void A_network_that_is_not_a_class_is_refused_not_silently_ignored(string declaration, string message)
    {
        // Found by the prefix fuzzing: the generator runs on classes only, and structs got neither code nor a diagnostic.
        Compilation compilation = Harness.Compilation(Harness.Preamble + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] " + declaration);
        Diagnostic diagnostic = Assert.Single(Harness.Analyze(compilation));
        Assert.Equal("BPG0108", diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("Net", compilation.SyntaxTrees.Single().GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(Harness.Generate(compilation).Run.Results.Single().GeneratedSources);
    }

    [Fact]
    public void A_struct_containing_a_network_class_is_still_fine()
    {
        Compilation compilation = Harness.Compilation(Harness.Preamble + "public partial struct Outer { [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Net { } }");
        Assert.Empty(Harness.Analyze(compilation));
        var (output, run) = Harness.Generate(compilation);
        Assert.Single(run.Results.Single().GeneratedSources);
        Assert.Empty(Harness.CompilerDiagnostics(output));
    }

    [Fact]
    public void The_fuzzer_runs_every_analyzer_of_the_generator_assembly()
    {
        Assert.Contains(FuzzRunner.Analyzers, a => a is Diagnostics.NetworkDeclarationAnalyzer);
        Assert.All(FuzzRunner.Analyzers, a => Assert.NotEmpty(a.SupportedDiagnostics));
    }

    [Fact]
    public async Task Analyzers_over_generated_code_report_nothing_and_do_not_throw()
    {
        // The fuzz cases run the analyzers on the user's code only (binding thousands of generated files would take
        // minutes); here they see what the IDE gives them, user code and generated code together.
        var exceptions = new List<Exception>();
        foreach (string name in new[] { "Xor", "Digits", "NestedInNamespace", "Mnist784", "Hinge", "Dropout", "BatchNorm" })
        {
            var (_, output) = SnapshotTests.Generate(name);
            var analyzers = output.WithAnalyzers(FuzzRunner.Analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), (e, _, _) => exceptions.Add(e),
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
            ImmutableArray<Diagnostic> diagnostics = await analyzers.GetAnalyzerDiagnosticsAsync();
            // Design warnings (BPG00nn) on a snapshot's deliberate choices are fine; nothing in generated code, no errors.
            var unexpected = diagnostics.Where(d =>
                // (The harness compiles with warnings as errors, so tell the design warnings by their ID.)
                d.Id == "AD0001" || !d.Id.StartsWith("BPG00", StringComparison.Ordinal) ||
                d.Location.SourceTree?.FilePath.Contains("Backprop.Generated.Generators", StringComparison.Ordinal) == true ||
                d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToList();
            Assert.True(unexpected.Count == 0, $"{name}: {string.Join("; ", unexpected)}");
        }
        Assert.Empty(exceptions);
    }
}
