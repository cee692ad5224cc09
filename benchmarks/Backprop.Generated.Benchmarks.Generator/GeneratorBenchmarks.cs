using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Benchmarks.Generator;

/// <summary>
/// Generator time for one project: cold (a new driver on a compilation with no bound symbols, as on the first build
/// or when the IDE loads the project) and after an unrelated edit (the driver that already ran, on the compilation
/// after a method body changed in another file: what every keystroke costs).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private UserProject _project = null!;
    private GeneratorDriver _warm = null!;

    [ParamsSource(nameof(Projects))]
    public string Project { get; set; } = "mnist";

    public static IEnumerable<string> Projects => new[] { "mnist", "twenty" };

    [GlobalSetup]
    public void Setup()
    {
        _project = Project == "mnist" ? UserProject.Mnist : UserProject.Twenty;
        _warm = UserProject.NewDriver().RunGenerators(_project.Compilation.Clone());
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver Cold() => UserProject.NewDriver().RunGenerators(_project.Compilation.Clone());

    [Benchmark]
    public GeneratorDriver AfterUnrelatedEdit() => _warm.RunGenerators(_project.AfterUnrelatedEdit());
}
