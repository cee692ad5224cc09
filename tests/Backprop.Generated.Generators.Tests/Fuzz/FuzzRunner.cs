using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generated.Generators.Tests.Fuzz;

/// <summary>One robustness case: a whole source file (names unique across cases so cases can share a compilation).</summary>
internal sealed record FuzzCase(string Name, string Source);

/// <summary>What went wrong in a batch of cases (empty when nothing did) and how long it took.</summary>
internal sealed record FuzzOutcome(IReadOnlyList<string> Problems, TimeSpan Elapsed, int GeneratedFiles, int Cases, IReadOnlyList<string> DiagnosticIds);

/// <summary>
/// Runs the generator and every analyzer of the generator assembly over many invalid or odd declarations and
/// collects what must never happen: a generator exception (which the compiler reports as CS8785), an analyzer
/// exception (AD0001), or an <c>#error</c> in the output. Cases run in batches, one syntax tree per case in one
/// compilation, to share the binder's set-up; a failing batch is re-run case by case to name the culprit.
/// The generated code is parsed (by the driver) but never bound to IL: robustness is about the generator, and
/// binding thousands of generated files would dominate the time.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>
    /// Every concrete DiagnosticAnalyzer in the generator assembly, found by reflection, so analyzers added later
    /// are fuzzed too.
    /// </summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = typeof(NetworkGenerator).Assembly.GetTypes()
        .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>
    /// The core library and the runtime library only: the generator and analyzers look at attributes from
    /// Backprop.Generated.dll and literals, so the other ~170 framework assemblies only cost each compilation's
    /// reference binding (with all of them a case took about twice as long).
    /// </summary>
    public static readonly ImmutableArray<MetadataReference> References = Harness.References
        .Where(r => Path.GetFileName(r.Display) is "System.Private.CoreLib.dll" or "System.Runtime.dll" or "Backprop.Generated.dll")
        .ToImmutableArray();

    private static readonly CSharpCompilationOptions Options = Harness.Compilation().Options;

    public static FuzzOutcome Run(IReadOnlyList<FuzzCase> cases, bool runAnalyzers = true)
    {
        var stopwatch = Stopwatch.StartNew();
        var problems = new List<string>();
        var ids = new List<string>();
        SyntaxTree[] trees = cases.Select(c => CSharpSyntaxTree.ParseText(c.Source, Harness.ParseOptions, path: $"/fuzz/{c.Name}.cs")).ToArray();
        CSharpCompilation compilation = CSharpCompilation.Create("Fuzz", trees, References, Options);

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: Harness.ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorDriverRunResult run = driver.GetRunResult();
        int generated = 0;
        foreach (GeneratorRunResult result in run.Results)
        {
            if (result.Exception is not null)
            {
                problems.Add($"generator exception: {result.Exception}");
            }
            foreach (GeneratedSourceResult source in result.GeneratedSources)
            {
                generated++;
                if (source.SourceText.ToString().Contains("#error", StringComparison.Ordinal))
                {
                    problems.Add($"#error in {source.HintName}: {source.SourceText.Lines.FirstOrDefault(l => l.ToString().Contains("#error", StringComparison.Ordinal))}");
                }
            }
        }
        foreach (Diagnostic diagnostic in driverDiagnostics.Concat(run.Diagnostics))
        {
            if (diagnostic.Id is "CS8784" or "CS8785")
            {
                problems.Add($"{diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            }
        }

        if (runAnalyzers)
        {
            // On the user's code (as the existing diagnostic tests do): binding every generated file to complete the
            // compilation would dominate the time. AnalyzersOnGeneratedCode covers analyzers on the generator's output.
            var exceptions = new ConcurrentQueue<string>();
            var withAnalyzers = compilation.WithAnalyzers(Analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, diagnostic) => exceptions.Enqueue($"{analyzer.GetType().Name}: {exception}"),
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
            foreach (Diagnostic diagnostic in withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult())
            {
                ids.Add(diagnostic.Id);
                if (diagnostic.Id == "AD0001")
                {
                    problems.Add($"AD0001: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
                }
            }
            problems.AddRange(exceptions.Select(e => "analyzer exception: " + e));
        }

        return new FuzzOutcome(problems, stopwatch.Elapsed, generated, cases.Count, ids);
    }

    /// <summary>
    /// Runs the cases in batches; a batch with a problem is re-run case by case to name the culprits. A batch slower
    /// than <paramref name="timeBound"/> is timed twice more and keeps its fastest time: on a shared machine a
    /// wall-clock outlier is usually another process, while a truly slow case is slow every time.
    /// </summary>
    public static FuzzReport RunAll(IReadOnlyList<FuzzCase> cases, int batchSize, TimeSpan timeBound)
    {
        // Warm-up (JIT of the compiler's paths), not timed: the first batch of every run takes seconds otherwise.
        Run(cases.Take(batchSize).ToArray());

        var report = new FuzzReport();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (int start = 0; start < cases.Count; start += batchSize)
        {
            FuzzCase[] batch = cases.Skip(start).Take(batchSize).ToArray();
            FuzzOutcome outcome = Run(batch);
            for (int retry = 0; retry < 2 && outcome.Elapsed > timeBound; retry++)
            {
                FuzzOutcome again = Run(batch);
                if (again.Elapsed < outcome.Elapsed) outcome = outcome with { Elapsed = again.Elapsed };
            }
            report.Add(outcome, batch[0].Name);
            if (outcome.Problems.Count == 0)
            {
                continue;
            }
            foreach (FuzzCase single in batch)
            {
                FuzzOutcome alone = Run(new[] { single });
                foreach (string problem in alone.Problems)
                {
                    report.Failures.Add($"{single.Name}: {problem}\n--- source ---\n{single.Source}\n");
                }
            }
            if (report.Failures.Count == 0)
            {
                // Only together: report the batch as a whole.
                report.Failures.Add($"batch at {start}: {string.Join("\n", outcome.Problems)}");
            }
        }
        report.ProcessCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return report;
    }
}

internal sealed class FuzzReport
{
    private readonly Dictionary<string, int> _diagnostics = new(StringComparer.Ordinal);

    public List<string> Failures { get; } = new();

    public int Cases { get; private set; }

    public int Batches { get; private set; }

    public int GeneratedFiles { get; private set; }

    public TimeSpan Total { get; private set; }

    /// <summary>CPU time of the whole test process meanwhile (other tests run in parallel; for reading, not asserting).</summary>
    public TimeSpan ProcessCpu { get; set; }

    /// <summary>The slowest batch (wall clock): an upper bound on every case in it.</summary>
    public TimeSpan MaxBatch { get; private set; }

    public string SlowestBatch { get; private set; } = "";

    /// <summary>How often each analyzer diagnostic was reported: shows the cases reach the analyzers' rules.</summary>
    public IReadOnlyDictionary<string, int> Diagnostics => _diagnostics;

    public void Add(FuzzOutcome outcome, string firstCase)
    {
        Cases += outcome.Cases;
        Batches++;
        GeneratedFiles += outcome.GeneratedFiles;
        Total += outcome.Elapsed;
        if (outcome.Elapsed > MaxBatch)
        {
            MaxBatch = outcome.Elapsed;
            SlowestBatch = firstCase;
        }
        foreach (string id in outcome.DiagnosticIds)
        {
            _diagnostics[id] = _diagnostics.GetValueOrDefault(id) + 1;
        }
    }

    public override string ToString() =>
        $"{Cases} cases in {Batches} batches of {Cases / Math.Max(1, Batches)}, {GeneratedFiles} generated files; " +
        $"{Total.TotalSeconds:F1} s wall, {Total.TotalMilliseconds / Math.Max(1, Cases):F2} ms per case on average, " +
        $"slowest batch {MaxBatch.TotalMilliseconds:F0} ms (starting at {SlowestBatch}), process CPU {ProcessCpu.TotalSeconds:F1} s; " +
        "analyzer diagnostics: " + string.Join(", ", _diagnostics.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"));
}
