using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Backprop.Generated.Tests.GradientChecks;

/// <summary>One Dense layer of a reference case.</summary>
internal sealed record GradientCheckLayer(int Units, Activation Activation, Init Init);

/// <summary>
/// One PyTorch reference case of gradcheck_cases.json (written by tests/reference/make_gradcheck_refs.py).
/// Parameters, inputs and targets are float32 values; the expectations are float64.
/// </summary>
internal sealed class GradientCheckCase
{
    public required string Name { get; init; }
    public required string Network { get; init; }
    public required int InputSize { get; init; }
    public required IReadOnlyList<GradientCheckLayer> Layers { get; init; }
    public required Loss Loss { get; init; }
    public required int K { get; init; }
    public required float[] Parameters { get; init; }
    public required float[] Inputs { get; init; }
    public required float[] Targets { get; init; }
    public required double ExpectedLoss { get; init; }
    public required double[] ExpectedOutputs { get; init; }
    public required double[] ExpectedGradients { get; init; }

    public int OutputSize => Layers[^1].Units;

    public override string ToString() => Name;

    /// <summary>The documented layout, computed from the layer list alone (independent of the generated code).</summary>
    public IReadOnlyList<(string Name, int Layer, TensorRole Role, int Offset, int[] Shape)> Layout()
    {
        var list = new List<(string, int, TensorRole, int, int[])>();
        int offset = 0;
        int fanIn = InputSize;
        for (int i = 0; i < Layers.Count; i++)
        {
            int units = Layers[i].Units;
            list.Add(($"layers.{i}.weight", i, TensorRole.Weight, offset, new[] { units, fanIn }));
            offset += units * fanIn;
            list.Add(($"layers.{i}.bias", i, TensorRole.Bias, offset, new[] { units }));
            offset += units;
            fanIn = units;
        }
        return list;
    }

    public int ParameterCount => Layout().Sum(t => t.Shape.Aggregate(1, (a, b) => a * b));
}

/// <summary>Loads gradcheck_cases.json once.</summary>
internal static class GradientCheckData
{
    private const string FileName = "gradcheck_cases.json";

    private static readonly Lazy<IReadOnlyDictionary<string, GradientCheckCase>> s_cases = new(Load);

    public static IReadOnlyDictionary<string, GradientCheckCase> Cases => s_cases.Value;

    public static GradientCheckCase Get(string name) => Cases[name];

    /// <summary>The first case of each network, for the tests that only need the architecture.</summary>
    public static GradientCheckCase ForNetwork(string network) => Cases.Values.First(c => c.Network == network);

    private static IReadOnlyDictionary<string, GradientCheckCase> Load()
    {
        string path = Locate();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<string, GradientCheckCase>(StringComparer.Ordinal);
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var parsed = new GradientCheckCase
            {
                Name = c.GetProperty("name").GetString()!,
                Network = c.GetProperty("network").GetString()!,
                InputSize = c.GetProperty("input_size").GetInt32(),
                Layers = c.GetProperty("layers").EnumerateArray()
                    .Select(l => new GradientCheckLayer(
                        l.GetProperty("units").GetInt32(),
                        Enum.Parse<Activation>(l.GetProperty("activation").GetString()!),
                        Enum.Parse<Init>(l.GetProperty("init").GetString()!)))
                    .ToArray(),
                Loss = Enum.Parse<Loss>(c.GetProperty("loss").GetString()!),
                K = c.GetProperty("k").GetInt32(),
                // The JSON holds the exact double value of each float32, so the conversion is exact.
                Parameters = Floats(c.GetProperty("parameters")),
                Inputs = Floats(c.GetProperty("inputs")),
                Targets = Floats(c.GetProperty("targets")),
                ExpectedLoss = c.GetProperty("expected_loss").GetDouble(),
                ExpectedOutputs = Doubles(c.GetProperty("expected_outputs")),
                ExpectedGradients = Doubles(c.GetProperty("expected_gradients")),
            };
            result.Add(parsed.Name, parsed);
        }
        return result;
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    /// <summary>Next to the test assembly if the project copies it there, else next to this source file.</summary>
    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        string[] candidates =
        {
            Path.Combine(AppContext.BaseDirectory, "GradientChecks", FileName),
            Path.Combine(AppContext.BaseDirectory, FileName),
            Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", FileName),
        };
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(
            $"{FileName} not found; looked at {string.Join(", ", candidates)}. "
            + "Regenerate it with /usr/bin/python3 tests/reference/make_gradcheck_refs.py.");
    }
}
