using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Xml.Linq;
using Backprop.Generated.Generators.Tests.Snapshots;
using Xunit.Abstractions;

namespace Backprop.Generated.Generators.Tests.Package;

/// <summary>
/// The NuGet package as a user gets it: one Backprop.Generated package (runtime in lib/, generator and analyzers in
/// analyzers/dotnet/cs, no dependencies), installed from a folder feed into a fresh console project that builds and
/// trains a network. Slow (one pack, one restore, two builds: about a minute); filter out with
/// <c>--filter Category!=Package</c> while iterating.
/// </summary>
[Trait("Category", "Package")]
public class PackageTests(PackageFixture fixture, ITestOutputHelper output) : IClassFixture<PackageFixture>
{
    private void AssertPacked()
    {
        output.WriteLine($"dotnet pack: {fixture.PackTime.TotalSeconds:F1} s");
        Assert.True(fixture.PackResult.ExitCode == 0, "dotnet pack failed:\n" + fixture.PackResult.Output);
        Assert.True(File.Exists(fixture.PackagePath), $"{fixture.PackagePath} missing; feed has {string.Join(", ", Directory.GetFiles(fixture.Feed))}\n{fixture.PackResult.Output}");
    }

    [Fact]
    public void Pack_makes_one_package_with_runtime_analyzers_readme_license_and_no_dependencies()
    {
        AssertPacked();
        Assert.Equal(new[] { Path.GetFileName(fixture.PackagePath) }, Directory.GetFiles(fixture.Feed).Select(Path.GetFileName));

        using ZipArchive package = ZipFile.OpenRead(fixture.PackagePath);
        var files = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        output.WriteLine(string.Join("\n", files.Order(StringComparer.Ordinal)));
        Assert.Contains("lib/net8.0/Backprop.Generated.dll", files);
        Assert.Contains("lib/net10.0/Backprop.Generated.dll", files);
        Assert.Contains("lib/net10.0/Backprop.Generated.xml", files);
        Assert.Contains("build/Backprop.Generated.targets", files);          // baked weights (BakedWeights items)
        Assert.Contains("buildTransitive/Backprop.Generated.targets", files);
        Assert.Contains("README.md", files);
        Assert.Contains("LICENSE", files);

        // The Roslyn components, and nothing else (the compiler brings Microsoft.CodeAnalysis itself).
        var expectedAnalyzers = new List<string> { "analyzers/dotnet/cs/Backprop.Generated.Generators.dll" };
        if (File.Exists(Path.Combine(RepositoryRoot.Path, "generators", "Backprop.Generated.CodeFixes", "Backprop.Generated.CodeFixes.csproj")))
        {
            expectedAnalyzers.Add("analyzers/dotnet/cs/Backprop.Generated.CodeFixes.dll");
        }
        Assert.Equal(expectedAnalyzers.Order(StringComparer.Ordinal), files.Where(f => f.StartsWith("analyzers/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(files, f => f.EndsWith(".pdb", StringComparison.Ordinal)); // embedded in the DLLs

        XElement nuspec = ReadNuspec(package);
        XNamespace Nuspec = nuspec.Name.Namespace;
        XElement metadata = nuspec.Element(Nuspec + "metadata")!;
        string Value(string name) => metadata.Element(Nuspec + name)?.Value ?? "";
        Assert.Equal("Backprop.Generated", Value("id"));
        Assert.Equal(fixture.Version, Value("version"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("expression", metadata.Element(Nuspec + "license")!.Attribute("type")!.Value);
        Assert.Equal("README.md", Value("readme"));
        Assert.Contains("source generator", Value("description"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("source-generator", Value("tags").Split(' '));
        XElement repository = metadata.Element(Nuspec + "repository")!;
        Assert.Equal("git", repository.Attribute("type")!.Value);
        Assert.StartsWith("https://github.com/", repository.Attribute("url")!.Value, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);

        // The generator is inside the package, not a dependency of it; the runtime needs no package either.
        Assert.Empty(metadata.Descendants(Nuspec + "dependency"));
        Assert.Empty(metadata.Descendants(Nuspec + "frameworkReference"));
    }

    [Fact]
    public void The_runtime_carries_an_embedded_pdb_with_source_link_to_the_repository()
    {
        AssertPacked();
        using ZipArchive package = ZipFile.OpenRead(fixture.PackagePath);
        using var dll = new MemoryStream();
        using (Stream entry = package.GetEntry("lib/net10.0/Backprop.Generated.dll")!.Open()) entry.CopyTo(dll);
        dll.Position = 0;

        using var pe = new PEReader(dll);
        DebugDirectoryEntry embedded = Assert.Single(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using MetadataReaderProvider pdbProvider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        MetadataReader pdb = pdbProvider.GetMetadataReader();
        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        string? sourceLink = pdb.CustomDebugInformation
            .Select(pdb.GetCustomDebugInformation)
            .Where(info => pdb.GetGuid(info.Kind) == sourceLinkKind)
            .Select(info => Encoding.UTF8.GetString(pdb.GetBlobBytes(info.Value)))
            .SingleOrDefault();
        output.WriteLine(sourceLink ?? "(no Source Link)");
        Assert.NotNull(sourceLink);
        Assert.Matches("https://raw\\.githubusercontent\\.com/[^/]+/[^/]+/[0-9a-f]{40}/\\*", sourceLink);
    }

    [Fact]
    public void A_fresh_console_project_installs_the_package_builds_and_trains_a_network()
    {
        AssertPacked();
        var stopwatch = Stopwatch.StartNew();
        var (exitCode, text) = fixture.Dotnet(fixture.Consumer, privatePackages: true, "run", "-c", "Release");
        output.WriteLine($"dotnet run: {stopwatch.Elapsed.TotalSeconds:F1} s\n{text}");
        Assert.True(exitCode == 0, text);
        Assert.Contains("parameters 17", text, StringComparison.Ordinal);
        Assert.Contains("trained", text.Split('\n').Select(l => l.Trim()), StringComparer.Ordinal);
        Assert.Matches(@"0 xor 1 = 0\.9\d\d", text);

        // Installed from the feed into the private folder, as the only package; the generator ran in the build.
        Assert.True(Directory.Exists(Path.Combine(fixture.Packages, "backprop.generated", fixture.Version)));
        string assets = File.ReadAllText(Path.Combine(fixture.Consumer, "obj", "project.assets.json"));
        Assert.Contains($"\"Backprop.Generated/{fixture.Version}\"", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.CodeAnalysis", assets, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(fixture.Consumer, "obj"), "XorNet.g.cs", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_packaged_analyzers_report_a_bad_declaration_as_a_build_error()
    {
        AssertPacked();
        var (exitCode, text) = fixture.Dotnet(fixture.Consumer, privatePackages: true, "build", "-c", "Release", "-p:DefineConstants=BAD_DECLARATION");
        output.WriteLine(text);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("error BPG0103", text, StringComparison.Ordinal);
        Assert.Contains("The input size is 0", text, StringComparison.Ordinal);
    }

    private static XElement ReadNuspec(ZipArchive package)
    {
        ZipArchiveEntry entry = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using Stream stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }
}
