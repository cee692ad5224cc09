using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit.Abstractions;

namespace Backprop.Generated.Generators.Tests;

/// <summary>Runs alone: the snippets write files into the current folder and print to the console.</summary>
[CollectionDefinition(nameof(ReadmeSnippets), DisableParallelization = true)]
public sealed class ReadmeSnippets;

/// <summary>
/// Every <c>```csharp</c> block of README.md and of the docs pages with code (<see cref="Pages"/>) is compiled with the generator and run, so the snippets cannot rot.
/// </summary>
/// <remarks>
/// The blocks run in order, as cells of a notebook, in one temporary folder (files written by one are there for the
/// next, e.g. the weights a later block bakes in). A block's type declarations stay visible to later blocks unless
/// redeclared. Its statements run in a method; names it uses without declaring them that the README leaves to the
/// reader (<c>train</c>, <c>validation</c>, <c>test</c>: digits-shaped data sets; <c>inputs</c>, <c>targets</c>,
/// <c>outputs</c>: four samples; <c>pixels</c>: one 8×8 image) are declared first with data of the right shape.
/// A block that is not code (an illustration, such as the diagnostics squiggles) is preceded by the line
/// <c>&lt;!-- snippet: illustration --&gt;</c> and only checked to exist.
/// </remarks>
[Collection(nameof(ReadmeSnippets))]
public sealed class ReadmeSnippetTests
{
    private const string IllustrationMarker = "<!-- snippet: illustration -->";

    private static readonly Dictionary<string, string> s_given = new()
    {
        ["train"] = "Backprop.Generated.Dataset train = SnippetData.Digits(200, 1);",
        ["validation"] = "Backprop.Generated.Dataset validation = SnippetData.Digits(60, 2);",
        ["test"] = "Backprop.Generated.Dataset test = SnippetData.Digits(60, 3);",
        ["inputs"] = "float[] inputs = SnippetData.Digits(4, 4).Inputs.ToArray();",
        ["targets"] = "float[] targets = SnippetData.Digits(4, 4).Targets.ToArray();",
        ["outputs"] = "float[] outputs = new float[40];",
        ["pixels"] = "float[] pixels = SnippetData.Pixels(5);",
    };

    private const string SnippetDataSource = """
        internal static class SnippetData
        {
            /// <summary>64 pixels of 0..1 and one-hot targets of 10 classes: the shape of the README's DigitsNet.</summary>
            public static Backprop.Generated.Dataset Digits(int count, int seed)
            {
                var random = new Backprop.Generated.DeterministicRandom(seed);
                var inputs = new float[count * 64];
                var labels = new int[count];
                for (int s = 0; s < count; s++)
                {
                    labels[s] = s % 10;
                    for (int i = 0; i < 64; i++) inputs[s * 64 + i] = (float)random.NextDouble() * 0.5f + (i % 10 == labels[s] ? 0.5f : 0f);
                }
                return Backprop.Generated.Dataset.FromLabels(inputs, 64, labels, 10);
            }

            public static float[] Pixels(int seed)
            {
                var random = new Backprop.Generated.DeterministicRandom(seed);
                var pixels = new float[64];
                for (int i = 0; i < 64; i++) pixels[i] = random.NextInt(17);
                return pixels;
            }
        }
        """;

    /// <summary>The pages whose C# blocks are run, in order.</summary>
    internal static readonly string[] Pages = { "README.md", "docs/training.md", "docs/weights-files.md", "docs/embedded-inference.md", "docs/deep-networks.md" };

    private readonly ITestOutputHelper _output;

    public ReadmeSnippetTests(ITestOutputHelper output) => _output = output;

    internal sealed record Snippet(string File, int Line, string Code, bool Illustration);

    internal static IReadOnlyList<Snippet> Extract(string markdown, string file = "README.md")
    {
        var snippets = new List<Snippet>();
        string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int start = i + 1;
            int end = start;
            while (end < lines.Length && lines[end].Trim() != "```") end++;
            if (end == lines.Length) throw new InvalidOperationException($"{file} line {i + 1}: the ```csharp block is not closed.");
            int previous = i - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0) previous--;
            bool illustration = previous >= 0 && lines[previous].Trim() == IllustrationMarker;
            snippets.Add(new Snippet(file, i + 1, string.Join("\n", lines[start..end]), illustration));
            i = end;
        }
        return snippets;
    }

    internal static string RepositoryRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Backprop.Generated.sln"))) return dir;
        }
        throw new InvalidOperationException("Backprop.Generated.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_csharp_block_of_the_README_compiles_and_runs()
    {
        // The README, then the docs pages with code, in reading order: like notebook cells, a later page may use what an
        // earlier one declared or saved (the weights file the training page writes is what the embedded page bakes).
        IReadOnlyList<Snippet> snippets = Pages
            .SelectMany(page => Extract(File.ReadAllText(Path.Combine(RepositoryRoot(), page)), page))
            .ToList();
        Assert.True(snippets.Count(s => !s.Illustration) >= 3, $"only {snippets.Count} csharp blocks found");

        string folder = Path.Combine(Path.GetTempPath(), "bpg-readme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string previousDirectory = Environment.CurrentDirectory;
        TextWriter previousOut = Console.Out;
        var declarations = new Dictionary<string, MemberDeclarationSyntax>();
        try
        {
            Environment.CurrentDirectory = folder;
            foreach (Snippet snippet in snippets.Where(s => !s.Illustration))
            {
                var console = new StringWriter();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                Console.SetOut(console);
                try
                {
                    Run(snippet, declarations, folder);
                }
                finally
                {
                    Console.SetOut(previousOut);
                    _output.WriteLine($"{snippet.File} line {snippet.Line} ({clock.ElapsedMilliseconds} ms) printed:\n{console}");
                }
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static void Run(Snippet snippet, Dictionary<string, MemberDeclarationSyntax> declarations, string folder)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(snippet.Code, Harness.ParseOptions).GetRoot();
        // A README block may declare its types before its statements (CS8803 in a program); they are split apart below.
        var parseErrors = root.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8803").ToList();
        Assert.True(parseErrors.Count == 0, $"{snippet.File} line {snippet.Line}: {string.Join("\n", parseErrors)}");

        var statements = root.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement).ToList();
        foreach (MemberDeclarationSyntax member in root.Members.Where(m => m is not GlobalStatementSyntax))
        {
            string name = member is BaseTypeDeclarationSyntax type ? type.Identifier.Text : member.ToString();
            declarations[name] = member;
        }

        // Names used but not declared by the statements, which the README leaves to the reader.
        var body = SyntaxFactory.Block(statements);
        var declared = body.DescendantNodes().SelectMany(n => n switch
        {
            VariableDeclaratorSyntax v => new[] { v.Identifier.Text },
            SingleVariableDesignationSyntax d => new[] { d.Identifier.Text },
            ParameterSyntax p => new[] { p.Identifier.Text },
            ForEachStatementSyntax f => new[] { f.Identifier.Text },
            _ => Array.Empty<string>(),
        }).ToHashSet();
        var used = body.DescendantNodes().OfType<IdentifierNameSyntax>().Select(i => i.Identifier.Text).ToHashSet();
        var given = s_given.Where(g => used.Contains(g.Key) && !declared.Contains(g.Key)).Select(g => g.Value);

        string usings = string.Join("\n", root.Usings.Select(u => u.ToString())
            .Union(new[] { "using System;", "using System.IO;", "using System.Linq;", "using Backprop.Generated;" }));
        string source = $$"""
            {{usings}}

            {{string.Join("\n\n", declarations.Values.Select(d => d.ToFullString()))}}

            public static class SnippetProgram
            {
                public static void Run()
                {
                    {{string.Join("\n", given)}}
                                {{body.Statements.ToFullString()}}
                }
            }

            {{SnippetDataSource}}
            """;

        // Weights files in the folder (written by earlier blocks) are handed to the generator as the build does.
        var texts = Directory.GetFiles(folder, "*.safetensors")
            .Select(path => BakedWeightsGeneratorTests.Text(Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToImmutableArray();
        CSharpCompilation compilation = Harness.Compilation(source)
            .WithOptions(Harness.Compilation().Options.WithOptimizationLevel(OptimizationLevel.Release).WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1591"] = ReportDiagnostic.Suppress, // no XML docs in snippets
                ["CS8019"] = ReportDiagnostic.Suppress, // unnecessary using
            }));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() }, additionalTexts: texts, parseOptions: Harness.ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);

        var errors = output.GetDiagnostics().Concat(generatorDiagnostics).Concat(Harness.Analyze(output))
            .Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(errors.Count == 0, $"{snippet.File} block at line {snippet.Line} does not build:\n{string.Join("\n", errors)}\n\n{source}");

        using var assembly = new MemoryStream();
        var emit = output.Emit(assembly);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext("readme-snippet", isCollectible: true);
        try
        {
            assembly.Position = 0;
            Assembly loaded = context.LoadFromStream(assembly);
            MethodInfo run = loaded.GetType("SnippetProgram")!.GetMethod("Run")!;
            try
            {
                run.Invoke(null, null);
            }
            catch (TargetInvocationException e)
            {
                throw new InvalidOperationException($"{snippet.File} block at line {snippet.Line} threw: {e.InnerException}", e.InnerException);
            }
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Blocks_are_found_with_their_markers()
    {
        string markdown = "text\n```csharp\nint a = 1;\n```\n\n<!-- snippet: illustration -->\n\n```csharp\n[Network(Loss.X)]\n   ~~~\n```\n```sh\nls\n```\n";
        IReadOnlyList<Snippet> snippets = Extract(markdown);
        Assert.Equal(2, snippets.Count);
        Assert.Equal((2, "int a = 1;", false), (snippets[0].Line, snippets[0].Code, snippets[0].Illustration));
        Assert.True(snippets[1].Illustration);
    }
}
