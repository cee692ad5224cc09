using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Backprop.Generated.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.Generators.Tests;

/// <summary>
/// A small in-repo stand-in for Microsoft.CodeAnalysis.Testing (not served here): compiles sources against the
/// framework and the runtime library, runs the generator and the analyzers, and reads location markup.
/// </summary>
internal static partial class Harness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = Directory.GetFiles(frameworkDir, "*.dll")
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll" or "Microsoft.CSharp.dll"))
            .Where(IsManagedAssembly)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location));
        return references.ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    // Only the syntax trees change between tests: adding them to one empty compilation reuses its bound references,
    // which makes a compilation cheap (the prefix tests build a thousand).
    private static readonly Lazy<CSharpCompilation> s_empty = new(() => CSharpCompilation.Create(
        "UserAssembly",
        Array.Empty<SyntaxTree>(),
        References,
        new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error, // warnings as errors
            allowUnsafe: false)));

    public static CSharpCompilation Compilation(params string[] sources) => s_empty.Value.AddSyntaxTrees(
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"/src/File{i}.cs")));

    /// <summary>Runs the generator; returns the compilation with its output and the run result.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Run) Generate(Compilation compilation, bool trackSteps = false)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> _);
        return (output, driver.GetRunResult());
    }

    /// <summary>Every analyzer the generator assembly ships.</summary>
    public static DiagnosticAnalyzer[] AllAnalyzers => new DiagnosticAnalyzer[] { new NetworkDeclarationAnalyzer(), new NetworkDesignAnalyzer() };

    /// <summary>The analyzers' diagnostics (compiler diagnostics excluded); every shipped analyzer unless given.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, params DiagnosticAnalyzer[] analyzers) =>
        Analyze(compilation, options: null, analyzers);

    /// <summary>As <see cref="Analyze(Compilation, DiagnosticAnalyzer[])"/>, with analyzer options (e.g. .editorconfig values).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, AnalyzerOptions? options, params DiagnosticAnalyzer[] analyzers)
    {
        if (analyzers.Length == 0) analyzers = AllAnalyzers;
        // Analyzer diagnostics only (the compiler's own are not asked for, which keeps this fast); an analyzer that
        // throws is reported as AD0001 through the callback, so tests can assert there is none.
        var crashes = new List<Diagnostic>();
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(analyzers),
            new CompilationWithAnalyzersOptions(options ?? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (_, _, diagnostic) => { lock (crashes) crashes.Add(diagnostic); },
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return diagnostics.Concat(crashes)
            .Where(d => d.Id.StartsWith("BPG", StringComparison.Ordinal) || d.Id == "AD0001")
            .Distinct()
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    /// <summary>
    /// Applies an .editorconfig at /src/.editorconfig the way the compiler does: per-tree
    /// <c>dotnet_diagnostic.ID.severity</c> and <c>generated_code</c> through the compilation's
    /// <see cref="SyntaxTreeOptionsProvider"/>, and the same options to analyzers through the returned
    /// <see cref="AnalyzerOptions"/> (where the analyzer driver reads <c>generated_code</c>).
    /// </summary>
    public static (CSharpCompilation Compilation, AnalyzerOptions Options) WithEditorConfig(CSharpCompilation compilation, string editorConfig)
    {
        AnalyzerConfigSet set = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(editorConfig, "/src/.editorconfig")));
        var perTree = compilation.SyntaxTrees.ToDictionary(tree => tree, tree => set.GetOptionsForSourcePath(tree.FilePath));
        return (compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new EditorConfigTreeOptions(perTree))),
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new EditorConfigAnalyzerOptions(perTree)));
    }

    private sealed class EditorConfigAnalyzerOptions(Dictionary<SyntaxTree, AnalyzerConfigOptionsResult> perTree) : AnalyzerConfigOptionsProvider
    {
        private static readonly ImmutableDictionary<string, string> s_empty = ImmutableDictionary<string, string>.Empty;

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(s_empty);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) =>
            new Options(perTree.TryGetValue(tree, out var result) ? result.AnalyzerOptions : s_empty);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
                values.TryGetValue(key, out value);
        }
    }

    private sealed class EditorConfigTreeOptions(Dictionary<SyntaxTree, AnalyzerConfigOptionsResult> perTree) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) =>
            perTree.TryGetValue(tree, out var result) && result.AnalyzerOptions.TryGetValue("generated_code", out string? value)
                ? (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? GeneratedKind.MarkedGenerated : GeneratedKind.NotGenerated)
                : GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            severity = ReportDiagnostic.Default;
            return perTree.TryGetValue(tree, out var result) && result.TreeOptions.TryGetValue(diagnosticId, out severity);
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            severity = ReportDiagnostic.Default;
            return false;
        }
    }

    /// <summary>Every error or warning of the compilation (the generated code included), e.g. to assert none.</summary>
    public static ImmutableArray<Diagnostic> CompilerDiagnostics(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>
    /// Reads markup: <c>[|text|]</c> marks where the expected diagnostic is. Returns the clean source and the spans.
    /// </summary>
    public static (string Source, ImmutableArray<TextSpan> Spans) Markup(string markup)
    {
        var spans = ImmutableArray.CreateBuilder<TextSpan>();
        var clean = new System.Text.StringBuilder();
        int i = 0;
        int start = -1;
        while (i < markup.Length)
        {
            if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0) { start = clean.Length; i += 2; }
            else if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0) { spans.Add(TextSpan.FromBounds(start, clean.Length)); i += 2; }
            else clean.Append(markup[i++]);
        }
        return (clean.ToString(), spans.ToImmutable());
    }

    public static string Preamble => "using Backprop.Generated;\n";

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>Normalizes whitespace for comparing messages.</summary>
    public static string Squash(string text) => Regex.Replace(text, @"\s+", " ");
}
