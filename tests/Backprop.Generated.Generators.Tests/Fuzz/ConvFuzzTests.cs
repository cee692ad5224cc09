using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Backprop.Generated.Generators.Emitting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit.Abstractions;

namespace Backprop.Generated.Generators.Tests.Fuzz;

/// <summary>
/// Random convolution and pooling stacks, valid and invalid, judged against an oracle written from the issue's rules
/// and PyTorch's shape formulas (not from the parser): the generator and analyzers never throw; every declaration the
/// oracle calls invalid gets exactly the errors it predicts and no generated source; every valid one gets no error and
/// exactly the BPG0007 warnings the oracle's own coverage count predicts; once the emitter supports convolutions,
/// valid ones generate code that compiles. <c>FUZZ_CONV_CASES</c> (default 1,500) and <c>FUZZ_SEED</c> for longer runs.
/// </summary>
public class ConvFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_convolution_stacks_get_the_oracles_diagnostics_and_never_crash()
    {
        int count = FuzzAssert.Setting("FUZZ_CONV_CASES", 1_500);
        int seed = FuzzAssert.Setting("FUZZ_SEED", 20261123);
        List<ConvCase> cases = ConvStacks.Generate(seed, count);

        var failures = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int valid = 0, generated = 0, compiledBatches = 0;
        foreach (ConvCase[] batch in cases.Chunk(25))
        {
            BatchResult result = ConvStacks.Run(batch, compile: true);
            failures.AddRange(result.Problems);
            generated += result.Generated.Count;
            if (result.Compiled) compiledBatches++;
            foreach (ConvCase c in batch)
            {
                List<string> actual = result.Diagnostics.GetValueOrDefault(c.Name, new List<string>());
                foreach (string id in actual) seen[id] = seen.GetValueOrDefault(id) + 1;
                var expected = c.Expected.OrderBy(id => id, StringComparer.Ordinal).ToList();
                var got = actual.OrderBy(id => id, StringComparer.Ordinal).ToList();
                bool ok = expected.SequenceEqual(got);
                bool shouldGenerate = c.Valid;
                ok &= result.Generated.Contains(c.Name) == shouldGenerate;
                if (c.Valid) valid++;
                if (!ok)
                {
                    failures.Add($"{c.Name}: expected [{string.Join(", ", expected)}]{(shouldGenerate ? " and code" : " and no code")}, got [{string.Join(", ", got)}]{(result.Generated.Contains(c.Name) ? " and code" : " and no code")}\n{c.Source}");
                }
            }
        }

        string summary = $"{cases.Count} stacks (seed {seed}), {valid} valid, {generated} generated files, {compiledBatches} batches compiled; diagnostics: " +
            string.Join(", ", seen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        output.WriteLine(summary);
        Assert.True(failures.Count == 0, $"{failures.Count} failures; {summary}\n" + string.Join("\n", failures.Take(8)));

        // The draw must reach every rule, and both valid and invalid stacks in numbers.
        Assert.True(valid > count / 4 && valid < count * 3 / 4, summary);
        foreach (string id in new[] { "BPG0007", "BPG0103", "BPG0110", "BPG0120", "BPG0121", "BPG0122", "BPG0123" })
        {
            Assert.True(seen.GetValueOrDefault(id) >= 10, $"{id} seen {seen.GetValueOrDefault(id)} times; {summary}");
        }
    }

    [Fact]
    public void Stacks_are_reproducible_from_the_seed()
    {
        Assert.Equal(ConvStacks.Generate(3, 100).Select(c => c.Source), ConvStacks.Generate(3, 100).Select(c => c.Source));
        Assert.NotEqual(ConvStacks.Generate(3, 100).Select(c => c.Source), ConvStacks.Generate(4, 100).Select(c => c.Source));
    }
}

/// <summary>A stack and what the oracle expects: every diagnostic ID (errors, or for a valid stack its BPG0007 warnings).</summary>
internal sealed record ConvCase(string Name, string Source, bool Valid, IReadOnlyList<string> Expected, bool Convolutional);

internal sealed record BatchResult(List<string> Problems, Dictionary<string, List<string>> Diagnostics, HashSet<string> Generated, bool Compiled);

internal static class ConvStacks
{
    private const int MaxUnits = 65_536, MaxWindow = 1_024;

    /// <summary>The oracle's shape: rank 0 flat (size in C), 1 signal C×W, 2 image C×H×W; null once an error made it unknown.</summary>
    private sealed record Shape(int Rank, int C, int H, int W);

    public static List<ConvCase> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var cases = new List<ConvCase>(count);
        for (int i = 0; i < count; i++)
        {
            cases.Add(One($"C{i}", random));
        }
        return cases;
    }

    /// <summary>A value that is usually fine and, with probability <paramref name="fault"/>, one of the bad ones.</summary>
    private static int Pick(Random random, double fault, int low, int high, params int[] bad) =>
        random.NextDouble() < fault ? bad[random.Next(bad.Length)] : random.Next(low, high + 1);

    private static ConvCase One(string name, Random random)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var attributes = new StringBuilder();
        double fault = random.NextDouble() < 0.5 ? 0 : 0.08; // half the stacks have no injected faults at all

        // [Input]: mostly shaped; sometimes flat; rarely a non-positive dimension.
        int rank = random.Next(10) switch { 0 => 0, < 5 => 1, _ => 2 };
        Shape? shape;
        if (rank == 0)
        {
            int size = Pick(random, fault, 1, 64, 0, -5);
            attributes.Append($"[Input({size})]");
            if (size <= 0) errors.Add("BPG0103");
            shape = size > 0 ? new Shape(0, size, 1, 1) : null;
        }
        else
        {
            int c = Pick(random, fault / 2, 1, 4, 0);
            int h = rank == 2 ? Pick(random, fault / 2, 1, 24, 0, -1) : 1;
            int w = Pick(random, fault / 2, 1, rank == 2 ? 24 : 64, 0);
            attributes.Append(rank == 2 ? $"[Input({c}, {h}, {w})]" : $"[Input({c}, {w})]");
            foreach (int d in rank == 2 ? new[] { c, h, w } : new[] { c, w })
            {
                if (d <= 0) errors.Add("BPG0103");
            }
            shape = c > 0 && h > 0 && w > 0 ? new Shape(rank, c, h, w) : null;
        }

        int layers = 1 + random.Next(5);
        bool convolutional = false;
        for (int l = 0; l < layers; l++)
        {
            // Mostly layers of the input's dimensionality; sometimes the other one, or a Dense layer in between.
            int dims = random.NextDouble() < 0.9 ? Math.Max(rank, 1) : 3 - Math.Max(rank, 1);
            int kind = random.Next(20);
            if (kind == 0 && fault > 0)
            {
                int units = random.Next(1, 17);
                attributes.Append($" [Dense({units}, Activation.ReLU)]");
                shape = new Shape(0, units, 1, 1); // a Dense layer flattens, whatever reached it (the parser's rule too)
            }
            else if (kind < 11)
            {
                convolutional = true;
                shape = Convolution(random, fault, dims, shape, attributes, errors, warnings);
                if (random.Next(5) == 0)
                {
                    attributes.Append(" [BatchNorm]");
                }
            }
            else if (kind < 18)
            {
                convolutional = true;
                shape = Pooling(random, fault, dims, random.Next(2) == 0 ? "Max" : "Avg", shape, attributes, errors, warnings);
            }
            else
            {
                convolutional = true;
                attributes.Append(" [GlobalAveragePool]");
                shape = Shaped(shape, "GlobalAveragePool", 0, errors) ? shape! with { H = 1, W = 1 } : null;
            }
        }
        attributes.Append($" [Dense({random.Next(1, 5)})]");

        string source = "using Backprop.Generated;\n" + $"namespace Fuzz.{name};\n\n" +
            $"[Network(Loss.MeanSquaredError)] {attributes}\npublic partial class Net {{ }}\n";
        bool valid = errors.Count == 0;
        return new ConvCase(name, source, valid, valid ? warnings : errors, convolutional);
    }

    /// <summary>BPG0122 (flat values) or BPG0121 (the other dimensionality); true when the layer gets values of its kind.</summary>
    private static bool Shaped(Shape? shape, string kind, int dims, List<string> errors)
    {
        if (shape is null) return false;
        if (shape.Rank == 0)
        {
            errors.Add("BPG0122");
            return false;
        }
        if (dims != 0 && dims != shape.Rank)
        {
            errors.Add("BPG0121");
            return false;
        }
        return true;
    }

    /// <summary>PyTorch: floor((n + 2p − d(k − 1) − 1) / s) + 1, or none when the kernel reaches past the padded input.</summary>
    private static int TorchOutput(int n, int k, int s, int p, int d)
    {
        int numerator = n + 2 * p - d * (k - 1) - 1;
        return numerator < 0 ? 0 : numerator / s + 1;
    }

    /// <summary>Whether some input position along one axis is read by no output: every tap of every output, marked.</summary>
    private static bool LeavesOut(int n, int k, int s, int p, int d, int outputs)
    {
        var read = new bool[n];
        for (int x = 0; x < outputs; x++)
        {
            for (int u = 0; u < k; u++)
            {
                int i = x * s + u * d - p;
                if (i >= 0 && i < n) read[i] = true;
            }
        }
        return read.Contains(false);
    }

    private static Shape? Convolution(Random random, double fault, int dims, Shape? shape, StringBuilder attributes, List<string> errors, List<string> warnings)
    {
        int filters = Pick(random, fault, 1, 8, 0, -2, 70_000);
        int kernel = Pick(random, fault, 1, 6, 0, 2_000);
        int stride = Pick(random, fault, 1, 3, 0, -1, 5_000);
        int padding = Pick(random, fault, 0, 3, -1, 1_025);
        int dilation = Pick(random, fault, 1, 3, 0, 2_000);
        var named = new List<string>();
        if (stride != 1 || random.Next(4) == 0) named.Add($"Stride = {stride}");
        if (padding != 0 || random.Next(4) == 0) named.Add($"Padding = {padding}");
        if (dilation != 1 || random.Next(4) == 0) named.Add($"Dilation = {dilation}");
        string activation = new[] { "Activation.ReLU", "Activation.LeakyReLU", "Activation.Linear" }[random.Next(3)];
        attributes.Append($" [Conv{dims}D({filters}, {kernel}, {activation}{string.Concat(named.Select(n => ", " + n))})]");

        // Arguments, in the order the issue lists them: sizes < 1 (BPG0103), Stride/Dilation < 1 and Padding < 0 (BPG0123), past the limits (BPG0110).
        bool argumentsValid = true;
        foreach ((int value, int minimum, int limit, string id) in new[]
        {
            (filters, 1, MaxUnits, "BPG0103"), (kernel, 1, MaxWindow, "BPG0103"),
            (stride, 1, MaxWindow, "BPG0123"), (dilation, 1, MaxWindow, "BPG0123"), (padding, 0, MaxWindow, "BPG0123"),
        })
        {
            if (value < minimum) errors.Add(id);
            else if (value > limit) errors.Add("BPG0110");
            argumentsValid &= value >= minimum && value <= limit;
        }
        if (!Shaped(shape, "Conv", dims, errors) || !argumentsValid) return null;

        int outHeight = dims == 2 ? TorchOutput(shape!.H, kernel, stride, padding, dilation) : 1;
        int outWidth = TorchOutput(shape!.W, kernel, stride, padding, dilation);
        if (outHeight <= 0 || outWidth <= 0)
        {
            errors.Add("BPG0120");
            return null;
        }
        if ((dims == 2 && LeavesOut(shape.H, kernel, stride, padding, dilation, outHeight)) || LeavesOut(shape.W, kernel, stride, padding, dilation, outWidth))
        {
            warnings.Add("BPG0007");
        }
        return new Shape(dims, filters, outHeight, outWidth);
    }

    private static Shape? Pooling(Random random, double fault, int dims, string kind, Shape? shape, StringBuilder attributes, List<string> errors, List<string> warnings)
    {
        int size = Pick(random, fault, 1, 4, 0, -3, 2_000);
        attributes.Append($" [{kind}Pool{dims}D({size})]");
        if (size < 1) errors.Add("BPG0103");
        else if (size > MaxWindow) errors.Add("BPG0110");
        if (!Shaped(shape, "Pool", dims, errors) || size < 1 || size > MaxWindow) return null;
        if (size > shape!.W || (dims == 2 && size > shape.H))
        {
            errors.Add("BPG0120");
            return null;
        }
        if (shape.W % size != 0 || (dims == 2 && shape.H % size != 0))
        {
            warnings.Add("BPG0007");
        }
        return shape with { H = dims == 2 ? shape.H / size : 1, W = shape.W / size };
    }

    /// <summary>
    /// Runs the generator and every analyzer of the generator assembly over a batch (one syntax tree per case), and
    /// sorts the diagnostics and generated files by case. With <paramref name="compile"/>, also binds the output.
    /// </summary>
    public static BatchResult Run(IReadOnlyList<ConvCase> batch, bool compile)
    {
        var problems = new List<string>();
        SyntaxTree[] trees = batch.Select(c => CSharpSyntaxTree.ParseText(c.Source, Harness.ParseOptions, path: $"/fuzz/{c.Name}.cs")).ToArray();
        CSharpCompilation compilation = CSharpCompilation.Create("ConvFuzz", trees, compile ? Harness.References : FuzzRunner.References, Harness.Compilation().Options);

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: Harness.ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        if (run.Exception is not null) problems.Add($"generator exception: {run.Exception}");
        problems.AddRange(driverDiagnostics.Where(d => d.Id is "CS8784" or "CS8785").Select(d => d.ToString()));
        var generated = new HashSet<string>(StringComparer.Ordinal);
        foreach (GeneratedSourceResult source in run.GeneratedSources)
        {
            // Hint names are the type's full name: Fuzz.C12.Net.g.cs.
            generated.Add(source.HintName.Split('.')[1]);
        }

        var exceptions = new ConcurrentQueue<string>();
        var diagnostics = compilation.WithAnalyzers(FuzzRunner.Analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), (e, a, _) => exceptions.Enqueue($"{a.GetType().Name}: {e}"),
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        problems.AddRange(exceptions.Select(e => "analyzer exception: " + e));
        var byCase = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (diagnostic.Id == "AD0001") problems.Add(diagnostic.ToString());
            string file = Path.GetFileNameWithoutExtension(diagnostic.Location.SourceTree?.FilePath ?? "?");
            if (!byCase.TryGetValue(file, out List<string>? ids)) byCase[file] = ids = new List<string>();
            ids.Add(diagnostic.Id);
            // Every diagnostic of a stack is placed on its source, never on nothing.
            if (!diagnostic.Location.IsInSource) problems.Add($"{file}: {diagnostic.Id} has no source location");
        }

        bool compiled = false;
        if (compile && generated.Count > 0)
        {
            var errors = Harness.CompilerDiagnostics(output);
            problems.AddRange(errors.Select(e => $"generated code does not compile: {e}"));
            compiled = true;
        }
        return new BatchResult(problems, byCase, generated, compiled);
    }
}
