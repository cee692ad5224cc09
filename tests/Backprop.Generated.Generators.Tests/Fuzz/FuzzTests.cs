using Xunit.Abstractions;

namespace Backprop.Generated.Generators.Tests.Fuzz;

/// <summary>
/// Robustness: no declaration, however broken, makes the generator or an analyzer throw (CS8785, AD0001) or write
/// #error, and every case finishes well under a second. Environment knobs for a longer local run:
/// <c>FUZZ_MUTATIONS</c> (default 5,000), <c>FUZZ_SEED</c> (default 20261123), <c>FUZZ_BATCH</c> (cases per compilation, default 10).
/// </summary>
public class FuzzPrefixTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_prefix_of_every_attribute_on_every_kind_of_type_is_survived()
    {
        List<FuzzCase> cases = FuzzCases.Prefixes();
        Assert.True(cases.Count >= 2_000, $"only {cases.Count} prefix cases");
        FuzzReport report = FuzzAssert.Survives(cases, output);
        Assert.True(report.GeneratedFiles > 0, report.ToString()); // the complete prefixes are valid networks
    }
}

public class FuzzMutationTests(ITestOutputHelper output)
{
    [Fact]
    public void Seeded_random_mutations_of_valid_declarations_are_survived()
    {
        int count = FuzzAssert.Setting("FUZZ_MUTATIONS", 5_000);
        int seed = FuzzAssert.Setting("FUZZ_SEED", 20261123);
        List<FuzzCase> cases = FuzzCases.Mutations(seed, count);
        Assert.Equal(count, cases.Select(c => c.Source).Count());
        FuzzReport report = FuzzAssert.Survives(cases, output, $"seed {seed}");

        // The mutations must reach the generator and the analyzers' rules, not just the parser's error recovery.
        Assert.True(report.GeneratedFiles > count / 20, report.ToString());
        Assert.True(report.Diagnostics.Keys.Count(id => id.StartsWith("BPG01", StringComparison.Ordinal)) >= 8, report.ToString());
        Assert.Contains("BPG0110", report.Diagnostics.Keys);
    }

    [Fact]
    public void Mutations_are_reproducible_from_the_seed()
    {
        Assert.Equal(FuzzCases.Mutations(7, 200), FuzzCases.Mutations(7, 200));
        Assert.NotEqual(FuzzCases.Mutations(7, 200), FuzzCases.Mutations(8, 200));
    }
}

internal static class FuzzAssert
{
    /// <summary>
    /// A guard against runaway generation (a case takes milliseconds; a batch of ten, a fraction of a second on a quiet
    /// machine), not a speed target: wall time on a shared 2-core machine under load 30+ stretched quiet batches of
    /// 0.5 s to 2.7 s, so the bound sits well above that. A batch is an upper bound on each case in it.
    /// </summary>
    public static readonly TimeSpan PerCaseBound = TimeSpan.FromSeconds(10);

    public static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    public static FuzzReport Survives(IReadOnlyList<FuzzCase> cases, ITestOutputHelper output, string what = "")
    {
        FuzzReport report = FuzzRunner.RunAll(cases, Setting("FUZZ_BATCH", 10), PerCaseBound);
        output.WriteLine($"{what} {report}".Trim());
        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} failures ({what}):\n" + string.Join("\n", report.Failures.Take(10)));
        Assert.Equal(cases.Count, report.Cases);
        Assert.True(report.MaxBatch < PerCaseBound, $"slowest batch took {report.MaxBatch.TotalMilliseconds:F0} ms: {report}");
        Assert.Equal(3, FuzzRunner.References.Length);
        return report;
    }
}
