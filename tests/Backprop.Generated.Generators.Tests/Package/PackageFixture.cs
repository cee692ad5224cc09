using System.Diagnostics;
using System.Text;
using Backprop.Generated.Generators.Tests.Snapshots;

namespace Backprop.Generated.Generators.Tests.Package;

/// <summary>
/// Packs Backprop.Generated once per test run, with a version no cache has seen, into a temporary folder feed, in an
/// isolated artifacts folder (so it never races the solution build writing bin/ and obj/), and lays out a fresh
/// console project that installs it with a private NuGet packages folder. Deletes everything when done.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = Directory.CreateTempSubdirectory("bpg-package-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        Packages = Directory.CreateDirectory(Path.Combine(Root, "nuget-packages")).FullName;
        Consumer = Directory.CreateDirectory(Path.Combine(Root, "Consumer")).FullName;
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

        var stopwatch = Stopwatch.StartNew();
        PackResult = Dotnet(RepositoryRoot.Path, privatePackages: false,
            "pack", Path.Combine(RepositoryRoot.Path, "src", "Backprop.Generated", "Backprop.Generated.csproj"),
            "-c", "Release", "-o", Feed, $"-p:PackageVersion={Version}",
            "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={Path.Combine(Root, "artifacts")}");
        PackTime = stopwatch.Elapsed;
        PackagePath = Path.Combine(Feed, $"Backprop.Generated.{Version}.nupkg");

        File.WriteAllText(Path.Combine(Consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Backprop.Generated" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Consumer, "Program.cs"), """
            using System.Globalization;
            using Backprop.Generated;

            float[] inputs = { 0, 0, 0, 1, 1, 0, 1, 1 };
            float[] targets = { 0, 1, 1, 0 };
            var network = new XorNet(seed: 0);
            var sgd = new Sgd(learningRate: 2f);
            float first = 0, last = 0;
            for (int epoch = 0; epoch < 2000; epoch++)
            {
                network.ZeroGradients();
                last = network.Backward(inputs, targets);
                if (epoch == 0) first = last;
                sgd.Step(network);
            }
            Span<float> output = stackalloc float[1];
            network.Forward(inputs.AsSpan(2, 2), output);
            Console.WriteLine($"parameters {XorNet.ParameterCount}");
            Console.WriteLine($"loss {first.ToString("F4", CultureInfo.InvariantCulture)} -> {last.ToString("F6", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"0 xor 1 = {output[0].ToString("F3", CultureInfo.InvariantCulture)}");
            Console.WriteLine(last < 0.01f ? "trained" : "not trained");

            [Network(Loss.MeanSquaredError)]
            [Input(2)]
            [Dense(4, Activation.Tanh)]
            [Dense(1, Activation.Sigmoid)]
            public partial class XorNet { }

            #if BAD_DECLARATION
            [Network(Loss.MeanSquaredError)]
            [Input(0)]
            [Dense(1)]
            public partial class BadNet { }
            #endif
            """);
    }

    public string Root { get; }

    public string Feed { get; }

    /// <summary>The consumer's private NUGET_PACKAGES: nothing cached from before.</summary>
    public string Packages { get; }

    public string Consumer { get; }

    public string Version { get; }

    public string PackagePath { get; }

    public (int ExitCode, string Output) PackResult { get; }

    public TimeSpan PackTime { get; }

    /// <summary>
    /// Runs the dotnet CLI without MSBuild node reuse or build servers (a lingering node would hold the output pipes
    /// open) and without the test host's MSBuild variables. Gives up after five minutes.
    /// </summary>
    public (int ExitCode, string Output) Dotnet(string workingDirectory, bool privatePackages, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        if (arguments[0] is "build" or "pack" or "run" or "restore")
        {
            start.ArgumentList.Add("-nodeReuse:false");
            start.ArgumentList.Add("-p:UseSharedCompilation=false");
        }
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        if (privatePackages) start.Environment["NUGET_PACKAGES"] = Packages;

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var lockObject = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lockObject) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lockObject) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took over 5 minutes:\n{output}");
        }
        process.WaitForExit(); // drain the output
        lock (lockObject) return (process.ExitCode, output.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind must not fail the run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
