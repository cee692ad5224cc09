using System.Diagnostics;
using System.Globalization;
using Backprop.Generated.Generators.Tests.Snapshots;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Tests.Fuzz;

/// <summary>
/// Huge declarations are refused with BPG0110 at the documented limits instead of generating gigabytes; just under
/// them the generator still produces a small file quickly.
/// </summary>
public class LimitTests
{
    private static string Layers(int count, string layer) => string.Join(" ", Enumerable.Repeat(layer, count));

    public static TheoryData<string, string, bool, string?> Cases => new()
    {
        // name, attributes after [Network(...)], accepted, part of the BPG0110 message when refused
        { "inputs at the limit", "[Input(65536)] [Dense(1)]", true, null },
        { "inputs past the limit", "[Input(65537)] [Dense(1)]", false, "65537, over the limit of 65536" },
        { "units at the limit", "[Input(1)] [Dense(65536, Activation.ReLU)] [Dense(1)]", true, null },
        { "units past the limit", "[Input(1)] [Dense(65537)]", false, "Layer 0 (Dense) units is 65537, over the limit of 65536" },
        { "int.MaxValue inputs", "[Input(int.MaxValue)] [Dense(1)]", false, "over the limit of 65536" },
        { "layers at the limit", "[Input(2)] " + Layers(256, "[Dense(1, Activation.Tanh)]"), true, null },
        { "layers past the limit", "[Input(2)] " + Layers(257, "[Dense(1)]"), false, "The number of layers is 257, over the limit of 256" },
        { "parameters at the limit", "[Input(49999)] [Dense(1000)]", true, null },            // 1000 x 50,000 = 50,000,000
        { "parameters past the limit", "[Input(50000)] [Dense(1000)]", false, "is 50001000, over the limit of 50000000" },
        { "parameters past the limit in a later layer", "[Input(4096)] [Dense(4096)] [Dense(4096)] [Dense(4096)]", false, "up to layer 2" },
        { "every size at int.MaxValue, many layers", "[Input(int.MaxValue)] " + Layers(300, "[Dense(int.MaxValue)]"), false, "over the limit of 65536" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Declarations_past_the_documented_limits_are_refused_with_BPG0110(string name, string attributes, bool accepted, string? message)
    {
        _ = name;
        Compilation compilation = Harness.Compilation(Harness.Preamble + $"[Network(Loss.MeanSquaredError)] {attributes} public partial class Net {{ }}");

        // Warm (JIT) first; time the generator on a fresh compilation of the same trees, best of three when slow
        // (a shared machine's outliers are other processes; a truly slow declaration is slow every time).
        Harness.Generate(Harness.Compilation(Harness.Preamble + "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(1)] public partial class Warm { }"));
        var stopwatch = Stopwatch.StartNew();
        var (output, run) = Harness.Generate(compilation);
        TimeSpan generateTime = stopwatch.Elapsed;
        for (int retry = 0; retry < 2 && generateTime >= FuzzAssert.PerCaseBound; retry++)
        {
            stopwatch.Restart();
            Harness.Generate(compilation.Clone());
            generateTime = stopwatch.Elapsed < generateTime ? stopwatch.Elapsed : generateTime;
        }
        GeneratorRunResult result = Assert.Single(run.Results);
        Assert.Null(result.Exception);

        var diagnostics = Harness.Analyze(compilation, FuzzRunner.Analyzers.ToArray());
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var limits = diagnostics.Where(d => d.Id == "BPG0110").ToList();

        if (accepted)
        {
            Assert.Empty(limits);
            GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
            // Loops past the unroll threshold: the file grows with the number of layers, not their size.
            Assert.True(generated.SourceText.Length < 1_500_000, $"{generated.SourceText.Length} chars generated");
            Assert.True(generateTime < FuzzAssert.PerCaseBound, $"generating took {generateTime.TotalMilliseconds:F0} ms");
            Assert.Empty(Harness.CompilerDiagnostics(output));
        }
        else
        {
            Assert.Empty(result.GeneratedSources);
            Assert.NotEmpty(limits);
            Assert.Contains(limits, d => d.GetMessage(CultureInfo.InvariantCulture).Contains(message!, StringComparison.Ordinal));
            Assert.All(limits, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
            Assert.True(generateTime < FuzzAssert.PerCaseBound, $"generating took {generateTime.TotalMilliseconds:F0} ms");
        }
    }

    [Fact]
    public void The_limits_in_the_docs_are_the_limits_in_the_code()
    {
        string help = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", "BPG0110.md"));
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "generated-code.md"));
        foreach (long limit in new long[] { Limits.MaxUnits, Limits.MaxLayers, Limits.MaxParameters, Limits.UnrollMaxWeights })
        {
            string text = limit.ToString("N0", CultureInfo.InvariantCulture);
            Assert.Contains(text, help, StringComparison.Ordinal);
            Assert.Contains(text, readme, StringComparison.Ordinal);
        }
    }
}
