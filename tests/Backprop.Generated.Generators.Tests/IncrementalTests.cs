using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Tests.Snapshots;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generated.Generators.Tests;

/// <summary>
/// The pipeline caches as Roslyn's incremental-generator guidance asks: edits that do not touch a network's
/// declaration re-emit nothing; a change re-emits that network alone. The assertions are on the project's own
/// tracked steps (<see cref="TrackingNames"/>) and on the source outputs; Roslyn's internal steps legitimately
/// report Modified when a file is edited.
/// </summary>
public class IncrementalTests
{
    private const string SourceOutput = "SourceOutput"; // WellKnownGeneratorOutputs.SourceOutput

    private static readonly string[] OwnSteps = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    // File 0: two networks and a method with a body inside one of them. File 1: a third network. File 2: unrelated.
    private const string File0 = """
        using Backprop.Generated;
        namespace App;

        // A comment to edit.
        [Network(Loss.MeanSquaredError)] [Input(2)] [Dense(4, Activation.Tanh)] [Dense(1, Activation.Sigmoid)]
        public partial class NetA
        {
            public int Helper() { return 1; }
        }

        [Network(Loss.CrossEntropy)] [Input(5)] [Dense(3, Activation.Softmax)]
        public partial class NetC { }
        """;

    private const string File1 = """
        using Backprop.Generated;
        namespace App;

        [Network(Loss.BinaryCrossEntropy)] [Input(3)] [Dense(2, Activation.Sigmoid)]
        public partial class NetB { }
        """;

    private const string File2 = """
        namespace App;

        public static class Unrelated
        {
            public static int Twice(int x) { return 2 * x; }
        }
        """;

    private static SyntaxTree Tree(string text, int index) => CSharpSyntaxTree.ParseText(text, Harness.ParseOptions, path: $"/src/File{index}.cs");

    private static CSharpCompilation Initial() => CSharpCompilation.Create(
        "UserAssembly", new[] { Tree(File0, 0), Tree(File1, 1), Tree(File2, 2) }, Harness.References, Harness.Compilation().Options);

    private static GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        new[] { new NetworkGenerator().AsSourceGenerator() },
        parseOptions: Harness.ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static GeneratorRunResult Run(ref GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result;
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, int index, string newText)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == $"/src/File{index}.cs");
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(newText)));
    }

    /// <summary>The tracked steps with one output per network; every network of these projects goes through them.</summary>
    private static readonly string[] NetworkSteps = { TrackingNames.NetworkModels, TrackingNames.ValidNetworkModels };

    /// <summary>
    /// Every output of the project's tracked steps and of the source output, with the network it belongs to. Steps of
    /// paths these projects do not use (baked weights without BakedWeights files) do not run and are left out.
    /// </summary>
    private static List<(string Step, string? Network, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result)
    {
        var outputs = new List<(string, string?, IncrementalStepRunReason)>();
        foreach (string step in NetworkSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"tracked step {step} did not run");
        }
        foreach (string step in OwnSteps.Where(result.TrackedSteps.ContainsKey))
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, IncrementalStepRunReason reason) in run.Outputs)
                {
                    string? network = value switch
                    {
                        NetworkModel model => model.Type.Name,
                        BakedNetworkModel baked => baked.Network.Type.Name,
                        _ => null,
                    };
                    outputs.Add((step, network, reason));
                }
            }
        }
        Assert.True(result.TrackedOutputSteps.ContainsKey(SourceOutput));
        foreach (IncrementalGeneratorRunStep run in result.TrackedOutputSteps[SourceOutput])
        {
            foreach ((object value, IncrementalStepRunReason reason) in run.Outputs)
            {
                outputs.Add((SourceOutput, HintNames(value).SingleOrDefault()?.Replace("App.", "", StringComparison.Ordinal).Replace(".g.cs", "", StringComparison.Ordinal), reason));
            }
        }
        return outputs;
    }

    /// <summary>The hint names in a source-output step's value: (ImmutableArray&lt;GeneratedSourceText&gt;, ImmutableArray&lt;Diagnostic&gt;).</summary>
    private static IEnumerable<string> HintNames(object value)
    {
        object? sources = value.GetType().GetField("Item1")?.GetValue(value);
        if (sources is not IEnumerable items) yield break;
        foreach (object item in items)
        {
            yield return (string)item.GetType().GetProperty("HintName", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(item)!;
        }
    }

    private static string Describe(IEnumerable<(string Step, string? Network, IncrementalStepRunReason Reason)> outputs) =>
        string.Join("\n", outputs.Select(o => $"{o.Step} {o.Network ?? "-"}: {o.Reason}"));

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result, bool cachedOnly = false)
    {
        var outputs = Outputs(result);
        Assert.Contains(outputs, o => o.Step == SourceOutput);
        foreach (var output in outputs)
        {
            bool ok = output.Reason == IncrementalStepRunReason.Cached || (!cachedOnly && output.Reason == IncrementalStepRunReason.Unchanged);
            Assert.True(ok, $"{output.Step} {output.Network}: {output.Reason}\n{Describe(outputs)}");
        }
    }

    [Fact]
    public void Running_the_same_compilation_again_gives_cached_outputs()
    {
        GeneratorDriver driver = NewDriver();
        CSharpCompilation compilation = Initial();
        GeneratorRunResult first = Run(ref driver, compilation);
        Assert.Equal(3, first.GeneratedSources.Length);
        Assert.All(Outputs(first), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));

        GeneratorRunResult second = Run(ref driver, compilation);
        AssertAllCachedOrUnchanged(second, cachedOnly: true);
        Assert.Equal(first.GeneratedSources.Select(s => s.SourceText.ToString()), second.GeneratedSources.Select(s => s.SourceText.ToString()));

        // A new compilation object with the very same trees (what the IDE makes for an edit elsewhere): still cached.
        // The steps that read the compilation re-run on the new one (Unchanged); nothing downstream does.
        GeneratorRunResult third = Run(ref driver, compilation.WithAssemblyName("Renamed"));
        AssertAllCachedOrUnchanged(third);
        Assert.All(Outputs(third).Where(o => o.Step is TrackingNames.ValidNetworkModels or SourceOutput), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    public static TheoryData<string> UnrelatedEdits => new() { "new file", "comment", "method body in a network", "method body elsewhere", "new unrelated type" };

    [Theory]
    [MemberData(nameof(UnrelatedEdits))]
    public void An_edit_that_does_not_touch_a_declaration_regenerates_nothing(string edit)
    {
        GeneratorDriver driver = NewDriver();
        CSharpCompilation compilation = Initial();
        GeneratorRunResult before = Run(ref driver, compilation);

        CSharpCompilation edited = edit switch
        {
            "new file" => compilation.AddSyntaxTrees(Tree("namespace App; public sealed class Added { public int X { get; set; } }", 3)),
            "comment" => Replace(compilation, 0, File0.Replace("// A comment to edit.", "// An edited comment, longer than before.", StringComparison.Ordinal)),
            "method body in a network" => Replace(compilation, 0, File0.Replace("return 1;", "int y = 41; return y + 1;", StringComparison.Ordinal)),
            "method body elsewhere" => Replace(compilation, 2, File2.Replace("return 2 * x;", "return x + x;", StringComparison.Ordinal)),
            "new unrelated type" => Replace(compilation, 2, File2 + "\npublic partial class NotANetwork { }\n"),
            _ => throw new ArgumentOutOfRangeException(nameof(edit)),
        };
        Assert.NotSame(compilation, edited);

        GeneratorRunResult after = Run(ref driver, edited);
        AssertAllCachedOrUnchanged(after);
        Assert.Equal(before.GeneratedSources.Select(s => s.SourceText.ToString()), after.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void Changing_a_layer_modifies_that_network_only()
    {
        GeneratorDriver driver = NewDriver();
        CSharpCompilation compilation = Initial();
        GeneratorRunResult before = Run(ref driver, compilation);

        // NetA changes; NetC sits in the same file (re-parsed, Unchanged); NetB in another file (Cached).
        GeneratorRunResult after = Run(ref driver, Replace(compilation, 0, File0.Replace("[Dense(4, Activation.Tanh)]", "[Dense(5, Activation.Tanh)]", StringComparison.Ordinal)));
        var outputs = Outputs(after);

        foreach (string step in NetworkSteps.Append(SourceOutput))
        {
            Assert.Single(outputs, o => o.Step == step && o.Network == "NetA" && o.Reason == IncrementalStepRunReason.Modified);
        }
        Assert.All(outputs.Where(o => o.Network != "NetA"), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, Describe(outputs)));
        Assert.Contains(outputs, o => o.Network == "NetB" && o.Reason == IncrementalStepRunReason.Cached);
        Assert.Contains(outputs, o => o.Network == "NetC");

        string Text(GeneratorRunResult r, string name) => r.GeneratedSources.Single(s => s.HintName == $"App.{name}.g.cs").SourceText.ToString();
        Assert.NotEqual(Text(before, "NetA"), Text(after, "NetA"));
        Assert.Equal(Text(before, "NetB"), Text(after, "NetB"));
        Assert.Equal(Text(before, "NetC"), Text(after, "NetC"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adding_a_network_gives_new_for_it_alone(bool sameFile)
    {
        GeneratorDriver driver = NewDriver();
        CSharpCompilation compilation = Initial();
        Run(ref driver, compilation);

        const string declaration = "\n[Network(Loss.Hinge)] [Input(2)] [Dense(2)] public partial class NetD { }\n";
        CSharpCompilation edited = sameFile
            ? Replace(compilation, 1, File1 + declaration)
            : compilation.AddSyntaxTrees(Tree("using Backprop.Generated;\nnamespace App;\n" + declaration, 3));
        GeneratorRunResult after = Run(ref driver, edited);
        var outputs = Outputs(after);

        foreach (string step in NetworkSteps.Append(SourceOutput))
        {
            Assert.Single(outputs, o => o.Step == step && o.Network == "NetD" && o.Reason == IncrementalStepRunReason.New);
        }
        Assert.All(outputs.Where(o => o.Network != "NetD"), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, Describe(outputs)));
        Assert.Equal(4, after.GeneratedSources.Length);
    }

    [Fact]
    public void Removing_a_network_removes_its_output_only()
    {
        GeneratorDriver driver = NewDriver();
        CSharpCompilation compilation = Initial();
        Run(ref driver, compilation);

        GeneratorRunResult after = Run(ref driver, compilation.RemoveSyntaxTrees(compilation.SyntaxTrees.Single(t => t.FilePath == "/src/File1.cs")));
        var outputs = Outputs(after);
        Assert.Contains(outputs, o => o.Step == SourceOutput && o.Reason == IncrementalStepRunReason.Removed);
        Assert.All(outputs.Where(o => o.Reason != IncrementalStepRunReason.Removed), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, Describe(outputs)));
        Assert.Equal(new[] { "App.NetA.g.cs", "App.NetC.g.cs" }, after.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Making_a_declaration_invalid_and_valid_again_removes_and_restores_its_output()
    {
        GeneratorDriver driver = NewDriver();
        CSharpCompilation compilation = Initial();
        GeneratorRunResult first = Run(ref driver, compilation);

        GeneratorRunResult broken = Run(ref driver, Replace(compilation, 1, File1.Replace("[Input(3)]", "[Input(0)]", StringComparison.Ordinal)));
        Assert.Equal(2, broken.GeneratedSources.Length);
        GeneratorRunResult fixedAgain = Run(ref driver, compilation);
        Assert.Equal(first.GeneratedSources.Select(s => s.SourceText.ToString()), fixedAgain.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    // ---- The models themselves ----

    private static readonly Assembly GeneratorAssembly = typeof(NetworkGenerator).Assembly;

    /// <summary>Every type a pipeline step can hold: the Model namespace, plus the runtime types seen in tracked outputs.</summary>
    private static IEnumerable<Type> PipelineModelTypes()
    {
        // Records and structs of the Model namespace (a plain class there, like BakedWeights, is the emitter's input
        // built inside the output step, not a pipeline value).
        var types = new HashSet<Type>(GeneratorAssembly.GetTypes().Where(t =>
            t.Namespace == typeof(NetworkModel).Namespace && !t.IsGenericTypeDefinition && !t.IsAbstract && !IsCompilerGenerated(t) &&
            (t.IsValueType || t.GetProperty("EqualityContract", BindingFlags.Instance | BindingFlags.NonPublic) is not null)));
        GeneratorDriver driver = NewDriver();
        GeneratorRunResult result = Run(ref driver, Initial());
        foreach (string step in OwnSteps.Where(result.TrackedSteps.ContainsKey))
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, _) in run.Outputs)
                {
                    types.Add(value.GetType());
                }
            }
        }
        types.Add(typeof(EquatableArray<LayerModel>));
        types.Add(typeof(EquatableArray<string>));
        return types;
    }

    private static bool IsCompilerGenerated(Type type) => type.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null;

    /// <summary>Roslyn's plain value types: a few ints with value equality, no reference to a tree or compilation.</summary>
    private static readonly Type[] AllowedRoslynValues =
    {
        typeof(Microsoft.CodeAnalysis.Text.TextSpan), typeof(Microsoft.CodeAnalysis.Text.LinePositionSpan), typeof(Microsoft.CodeAnalysis.Text.LinePosition),
    };

    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(Location), typeof(SyntaxTree), typeof(SemanticModel),
        typeof(AttributeData), typeof(TypedConstant), typeof(SyntaxReference), typeof(SyntaxToken),
    };

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_locations_or_compilations()
    {
        var visited = new HashSet<Type>();
        var problems = new List<string>();
        var roots = PipelineModelTypes().ToList();
        Assert.Contains(typeof(NetworkModel), roots);
        foreach (Type type in roots)
        {
            Walk(type, type.Name, visited, problems);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(typeof(LayerModel), visited);
        Assert.Contains(typeof(TypeDeclarationModel), visited);
        Assert.Contains(typeof(BakedNetworkModel), visited);
        Assert.Contains(typeof(WeightsFileModel), visited);
    }

    /// <summary>
    /// Allows only values with structural equality: primitives, enums, strings, and the generator's own equatable types
    /// (walked recursively: arrays inside <see cref="EquatableArray{T}"/> are compared element-wise).
    /// </summary>
    private static void Walk(Type type, string path, HashSet<Type> visited, List<string> problems, Assembly? own = null)
    {
        own ??= GeneratorAssembly;
        if (Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type)) is { } forbidden)
        {
            problems.Add($"{path}: {type} is a {forbidden.Name}");
            return;
        }
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || AllowedRoslynValues.Contains(type))
        {
            return;
        }
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Walk(underlying, path, visited, problems, own);
            return;
        }
        if (type.IsArray)
        {
            // Only allowed as the storage of an equatable wrapper, which the caller checked.
            Walk(type.GetElementType()!, path + "[]", visited, problems, own);
            return;
        }
        if (type.Assembly != own)
        {
            problems.Add($"{path}: {type} has no value equality the pipeline can rely on (object, interface, collection or Roslyn type)");
            return;
        }
        if (!visited.Add(type))
        {
            return;
        }
        if (!typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type))
        {
            problems.Add($"{path}: {type} does not implement IEquatable<{type.Name}>");
        }
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsArray && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>)))
                {
                    problems.Add($"{path}.{field.Name}: a raw array compares by reference; use EquatableArray<T>");
                }
                Walk(field.FieldType, path + "." + field.Name, visited, problems, own);
            }
        }
    }

    [Fact]
    public void The_walk_catches_a_symbol_hidden_in_a_model()
    {
        var problems = new List<string>();
        Walk(typeof(BadModel), nameof(BadModel), new HashSet<Type>(), problems, typeof(BadModel).Assembly);
        Assert.Contains(problems, p => p.Contains("ISymbol", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("ImmutableArray", StringComparison.Ordinal));
    }

    private sealed record BadModel(ISymbol Symbol, ImmutableArray<int> Values);

    public static TheoryData<string> ModelSources
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in SnapshotTests.Networks.Keys) data.Add(SnapshotTests.Source(name));
            data.Add(File0);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ModelSources))]
    public void Models_from_two_separate_compilations_are_equal_with_equal_hash_codes(string source)
    {
        List<NetworkModel> Models()
        {
            // Parsed and bound from scratch: nothing is shared but the metadata references.
            GeneratorDriver driver = NewDriver();
            GeneratorRunResult result = Run(ref driver, Harness.Compilation(source));
            return result.TrackedSteps[TrackingNames.ValidNetworkModels]
                .SelectMany(step => step.Outputs)
                .Select(output => (NetworkModel)output.Value)
                .ToList();
        }

        List<NetworkModel> first = Models();
        List<NetworkModel> second = Models();
        Assert.NotEmpty(first);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.NotSame(first[i], second[i]);
            Assert.Equal(first[i], second[i]);
            Assert.Equal(first[i].GetHashCode(), second[i].GetHashCode());
            Assert.Equal(first[i].Layers.GetHashCode(), second[i].Layers.GetHashCode());
            Assert.Equal(first[i].Type.GetHashCode(), second[i].Type.GetHashCode());
        }
    }

    [Fact]
    public void Models_that_differ_in_one_layer_are_not_equal()
    {
        NetworkModel Model(string dense) => (NetworkModel)NewDriverRun(Harness.Preamble + $"[Network(Loss.MeanSquaredError)] [Input(2)] {dense} public partial class N {{ }}");
        Assert.NotEqual(Model("[Dense(3)]"), Model("[Dense(4)]"));
        Assert.NotEqual(Model("[Dense(3)]"), Model("[Dense(3, Activation.Tanh)]"));
        Assert.NotEqual(Model("[Dense(3)]"), Model("[Dense(3, Init = Init.HeNormal)]"));
        Assert.NotEqual(Model("[Dense(3)]"), Model("[Dense(3)] [Dense(1)]"));
        Assert.Equal(Model("[Dense(3)]"), Model("[Dense(3, Activation.Linear)]"));

        static object NewDriverRun(string source)
        {
            GeneratorDriver driver = NewDriver();
            return Run(ref driver, Harness.Compilation(source)).TrackedSteps[TrackingNames.ValidNetworkModels].Single().Outputs.Single().Value;
        }
    }
}
