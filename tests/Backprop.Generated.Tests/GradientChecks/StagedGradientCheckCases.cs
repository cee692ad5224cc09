using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Backprop.Generated.Tests.GradientChecks;

/// <summary>One layer of a staged reference case: Dense, Activation, Dropout or BatchNorm.</summary>
internal sealed record StagedLayer(string Kind, int Units, Activation Activation, double Rate);

/// <summary>A tensor of the documented layout, as the script computed it.</summary>
internal sealed record StagedTensor(string Name, TensorStorage Storage, int Offset, int[] Shape);

/// <summary>
/// One PyTorch reference case of staged_gradcheck_cases.json (written by tests/reference/make_staged_gradcheck_refs.py):
/// a network with [Activation], [Dropout] and/or [BatchNorm] layers. Tensors are keyed by name; the values are float32
/// numbers, the expectations float64.
/// </summary>
internal sealed class StagedGradientCheckCase
{
    public required string Name { get; init; }
    public required string Network { get; init; }
    public required int InputSize { get; init; }
    public required int OutputSize { get; init; }
    public required IReadOnlyList<StagedLayer> Layers { get; init; }
    public required Loss Loss { get; init; }
    public required int K { get; init; }
    public required int Seed { get; init; }
    public required long TrainingStep { get; init; }
    public required IReadOnlyList<StagedTensor> Tensors { get; init; }
    public required IReadOnlyDictionary<string, float[]> Parameters { get; init; }
    public required IReadOnlyDictionary<string, float[]> State { get; init; }
    public required float[] Inputs { get; init; }
    public required float[] Targets { get; init; }
    public required IReadOnlyDictionary<int, float[]> DropoutMasks { get; init; }
    public required double ExpectedLoss { get; init; }
    public required IReadOnlyDictionary<string, double[]> ExpectedGradients { get; init; }
    public required IReadOnlyDictionary<string, double> GradientScales { get; init; }
    public required IReadOnlyDictionary<string, double[]> ExpectedState { get; init; }
    public required double[] ExpectedOutputs { get; init; }

    public bool HasBatchNorm => Layers.Any(l => l.Kind == "BatchNorm");

    public override string ToString() => Name;

    public string Describe() =>
        $"{Name} ({Loss}, k={K}, seed {Seed}, step {TrainingStep}: {InputSize} -> " + string.Join(" -> ", Layers.Select(l => l.Kind switch
        {
            "Dense" => $"Dense {l.Units} {l.Activation}",
            "Activation" => $"Activation {l.Activation}",
            "Dropout" => $"Dropout {l.Rate}",
            _ => "BatchNorm",
        })) + ")";
}

/// <summary>A probe of the dropout mask function from the script's bit-exact reimplementation.</summary>
internal sealed record MaskProbe(int Seed, long Step, int Layer, int Element, float Uniform, float Scale03, float Scale05);

/// <summary>Loads staged_gradcheck_cases.json once.</summary>
internal static class StagedGradientCheckData
{
    private const string FileName = "staged_gradcheck_cases.json";

    private static readonly Lazy<(IReadOnlyDictionary<string, StagedGradientCheckCase> Cases, IReadOnlyList<MaskProbe> Probes)> s_data = new(Load);

    public static IReadOnlyDictionary<string, StagedGradientCheckCase> Cases => s_data.Value.Cases;

    public static IReadOnlyList<MaskProbe> MaskProbes => s_data.Value.Probes;

    public static StagedGradientCheckCase Get(string name) => Cases[name];

    public static StagedGradientCheckCase ForNetwork(string network) => Cases.Values.First(c => c.Network == network);

    private static (IReadOnlyDictionary<string, StagedGradientCheckCase>, IReadOnlyList<MaskProbe>) Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Locate()));
        var probes = doc.RootElement.GetProperty("mask_probes").EnumerateArray().Select(p => new MaskProbe(
            p.GetProperty("seed").GetInt32(), p.GetProperty("step").GetInt64(), p.GetProperty("layer").GetInt32(),
            p.GetProperty("element").GetInt32(), (float)p.GetProperty("uniform").GetDouble(),
            (float)p.GetProperty("scale_0_3").GetDouble(), (float)p.GetProperty("scale_0_5").GetDouble())).ToArray();
        var result = new Dictionary<string, StagedGradientCheckCase>(StringComparer.Ordinal);
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var parsed = new StagedGradientCheckCase
            {
                Name = c.GetProperty("name").GetString()!,
                Network = c.GetProperty("network").GetString()!,
                InputSize = c.GetProperty("input_size").GetInt32(),
                OutputSize = c.GetProperty("output_size").GetInt32(),
                Layers = c.GetProperty("layers").EnumerateArray().Select(l => new StagedLayer(
                    l.GetProperty("kind").GetString()!,
                    l.TryGetProperty("units", out var u) ? u.GetInt32() : 0,
                    l.TryGetProperty("activation", out var a) ? Enum.Parse<Activation>(a.GetString()!) : Activation.Linear,
                    l.TryGetProperty("rate", out var r) ? r.GetDouble() : 0)).ToArray(),
                Loss = Enum.Parse<Loss>(c.GetProperty("loss").GetString()!),
                K = c.GetProperty("k").GetInt32(),
                Seed = c.GetProperty("seed").GetInt32(),
                TrainingStep = c.GetProperty("training_step").GetInt64(),
                Tensors = c.GetProperty("tensors").EnumerateArray().Select(t => new StagedTensor(
                    t.GetProperty("name").GetString()!,
                    Enum.Parse<TensorStorage>(t.GetProperty("storage").GetString()!),
                    t.GetProperty("offset").GetInt32(),
                    t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray())).ToArray(),
                // The JSON holds the exact double value of each float32, so the conversions to float are exact.
                Parameters = FloatMap(c.GetProperty("parameters")),
                State = FloatMap(c.GetProperty("state")),
                Inputs = Floats(c.GetProperty("inputs")),
                Targets = Floats(c.GetProperty("targets")),
                DropoutMasks = c.GetProperty("dropout_masks").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => Floats(p.Value)),
                ExpectedLoss = c.GetProperty("expected_loss").GetDouble(),
                ExpectedGradients = DoubleMap(c.GetProperty("expected_gradients")),
                GradientScales = c.GetProperty("gradient_scales").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()),
                ExpectedState = DoubleMap(c.GetProperty("expected_state")),
                ExpectedOutputs = Doubles(c.GetProperty("expected_outputs")),
            };
            result.Add(parsed.Name, parsed);
        }
        return (result, probes);
    }

    private static Dictionary<string, float[]> FloatMap(JsonElement o) => o.EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value), StringComparer.Ordinal);

    private static Dictionary<string, double[]> DoubleMap(JsonElement o) => o.EnumerateObject().ToDictionary(p => p.Name, p => Doubles(p.Value), StringComparer.Ordinal);

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

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
