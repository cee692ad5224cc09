using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Backprop.Generated.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generated.Benchmarks.Generator;

/// <summary>
/// The user projects the generator is timed on, parsed once (parsing is the compiler's cost, not the generator's),
/// with their references resolved once (<see cref="Compilation.Clone"/> keeps them, as the IDE does between edits).
/// </summary>
public sealed class UserProject
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    private readonly SyntaxTree _unrelated;
    private readonly SyntaxTree _unrelatedEdited;

    private UserProject(string name, IReadOnlyList<(string Name, string Source)> networks)
    {
        Name = name;
        Networks = networks;
        var trees = networks.Select((n, i) => Parse(n.Source, $"/src/{n.Name}.cs")).ToList();
        // Ordinary code beside the networks; one file of it is what the "unrelated edit" changes.
        for (int i = 0; i < 10; i++)
        {
            trees.Add(Parse(Unrelated(i, edited: false), $"/src/Service{i}.cs"));
        }
        _unrelated = trees[^1];
        _unrelatedEdited = _unrelated.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Unrelated(9, edited: true)));
        Compilation = CSharpCompilation.Create(
            "UserProject", trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _ = Compilation.GetTypeByMetadataName("Backprop.Generated.NetworkAttribute"); // resolve the references once
    }

    public string Name { get; }

    public IReadOnlyList<(string Name, string Source)> Networks { get; }

    /// <summary>The project as it stands; every benchmark works on a <see cref="Compilation.Clone"/> of it (no bound symbols).</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>The project after a method body in an unrelated file was edited (a new compilation, as after a keystroke).</summary>
    public CSharpCompilation AfterUnrelatedEdit() => Compilation.ReplaceSyntaxTree(_unrelated, _unrelatedEdited);

    public static GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        new[] { new NetworkGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    /// <summary>The 784-256-256-256-10 network alone.</summary>
    public static UserProject Mnist { get; } = new("mnist", new[] { ("MnistNet", Declaration("MnistNet", "CrossEntropy", 784, (256, "ReLU"), (256, "ReLU"), (256, "ReLU"), (10, "Softmax"))) });

    /// <summary>Twenty networks of all shapes, each in its own file.</summary>
    public static UserProject Twenty { get; } = new("twenty", TwentyNetworks());

    private static IReadOnlyList<(string, string)> TwentyNetworks()
    {
        var list = new List<(string, string)>
        {
            ("XorNet", Declaration("XorNet", "MeanSquaredError", 2, (4, "Tanh"), (1, "Sigmoid"))),
            ("DigitsNet", Declaration("DigitsNet", "CrossEntropy", 64, (32, "ReLU"), (10, "Softmax"))),
            ("IrisNet", Declaration("IrisNet", "CrossEntropy", 4, (16, "ReLU"), (3, "Softmax"))),
            ("MnistNet", Declaration("MnistNet", "CrossEntropy", 784, (256, "ReLU"), (256, "ReLU"), (256, "ReLU"), (10, "Softmax"))),
            ("MultiLabelNet", Declaration("MultiLabelNet", "BinaryCrossEntropy", 6, (40, "LeakyReLU"), (30, "Tanh"), (3, "Sigmoid"))),
            ("MarginNet", Declaration("MarginNet", "Hinge", 4, (3, "ReLU"), (2, "Linear"))),
            ("DeepNet", Declaration("DeepNet", "MeanSquaredError", 10, (64, "ReLU"), (32, "Tanh"), (16, "LeakyReLU"), (8, "Sigmoid"), (1, "Linear"))),
            ("ThresholdNet", Declaration("ThresholdNet", "MeanSquaredError", 16, (32, "ReLU"), (17, "Tanh"), (1, "Linear"))),
            ("WideNet", Declaration("WideNet", "MeanSquaredError", 4, (9000, "ReLU"), (1, "Linear"))),
            ("RegressionNet", Declaration("RegressionNet", "MeanSquaredError", 13, (8, "Sigmoid"), (1, "Linear"))),
        };
        for (int i = list.Count; i < 20; i++)
        {
            // Small unrolled nets of growing size: the common case in a project with many networks.
            int inputs = 2 + i, hidden = 4 + i;
            list.Add(($"SmallNet{i}", Declaration($"SmallNet{i}", i % 2 == 0 ? "MeanSquaredError" : "BinaryCrossEntropy", inputs, (hidden, "Tanh"), (2, "Sigmoid"))));
        }
        return list;
    }

    private static string Declaration(string name, string loss, int inputs, params (int Units, string Activation)[] layers) =>
        "using Backprop.Generated;\n\nnamespace UserProject.Models;\n\n" +
        $"[Network(Loss.{loss})]\n[Input({inputs})]\n" +
        string.Concat(layers.Select(l => $"[Dense({l.Units}, Activation.{l.Activation})]\n")) +
        $"public partial class {name}\n{{\n    public string Describe() => \"{name}\";\n}}\n";

    private static string Unrelated(int i, bool edited) => $$"""
        using System;
        using System.Collections.Generic;

        namespace UserProject.Services;

        public sealed class Service{{i}}
        {
            private readonly Dictionary<string, int> _counts = new();

            public int Count(string key)
            {
                _counts.TryGetValue(key, out int count);
                {{(edited ? "count += 2;" : "count += 1;")}}
                _counts[key] = count;
                return count;
            }
        }
        """;

    private static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = new List<MetadataReference>();
        foreach (string path in Directory.GetFiles(frameworkDir, "*.dll"))
        {
            string file = Path.GetFileName(path);
            if (!(file.StartsWith("System.", StringComparison.Ordinal) || file is "netstandard.dll" or "mscorlib.dll")) continue;
            try
            {
                System.Reflection.AssemblyName.GetAssemblyName(path);
                references.Add(MetadataReference.CreateFromFile(path));
            }
            catch (BadImageFormatException)
            {
                // native
            }
        }
        references.Add(MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location));
        return references.ToImmutableArray();
    }
}
