using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.Generators.Model;

// Models of the baked-weights path: [Network(Weights = "file")] → the decoded file → the network's constants.
// Equatable and free of symbols, like the rest of the pipeline's models.

/// <summary>A source location stored by value, so a model can carry it and stay cacheable.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true } l ? new LocationInfo(l.SourceTree?.FilePath ?? "", l.SourceSpan, l.GetLineSpan().Span) : null;
}

/// <summary>What <c>[Network(Weights = "...")]</c> says: the file name to match and where to report problems.</summary>
/// <param name="Written">The string as written.</param>
/// <param name="FileName">Its last path segment, matched against the BakedWeights items' file names.</param>
/// <param name="Location">The <c>Weights = "..."</c> argument.</param>
/// <param name="Names">The <c>WeightNames = ...</c> argument: how the file's tensors are paired with the network's.</param>
internal sealed record WeightsReference(string Written, string FileName, LocationInfo? Location, Shared.WeightNames Names = Shared.WeightNames.Network);

/// <summary>One tensor of a decoded safetensors file. <see cref="Values"/> is filled for F32 tensors only.</summary>
internal sealed record WeightsTensor(string Name, string Dtype, EquatableArray<ulong> Shape, EquatableArray<float> Values);

/// <summary>
/// A BakedWeights text file after decoding: either its tensors or why it cannot be used. Produced once per file and
/// cached, so editing code does not decode the weights again.
/// </summary>
/// <param name="FileName">The original file name, e.g. <c>digits.safetensors</c>.</param>
/// <param name="MissingPath">Set when the BakedWeights item names a file that does not exist.</param>
/// <param name="Error">Set when the file is malformed: what is wrong.</param>
/// <param name="ErrorTensor">The tensor the error is about, when there is one.</param>
/// <param name="Tensors">The tensors, in data-offset order, when the file is good.</param>
internal sealed record WeightsFileModel(
    string FileName,
    string? MissingPath,
    string? Error,
    string? ErrorTensor,
    EquatableArray<WeightsTensor> Tensors);

/// <summary>A diagnostic stored by value: the descriptor's ID, where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));
}

/// <summary>
/// A network with baked weights, resolved against its file: the parameter and state values in the network's own
/// layout, or the diagnostics that stop it from being generated.
/// </summary>
internal sealed record BakedNetworkModel(
    NetworkModel Network,
    string FileName,
    EquatableArray<float> Parameters,
    EquatableArray<float> State,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    public bool HasErrors => Diagnostics.Count > 0;
}

/// <summary>What the compilation supports that the emitted code may use.</summary>
/// <param name="InlineArrays">C# 12 and <c>System.Runtime.CompilerServices.InlineArrayAttribute</c> (net8.0+): emit the Input/Output buffer types.</param>
internal sealed record CompilationFeatures(bool InlineArrays)
{
    public static readonly CompilationFeatures None = new(false);
}

/// <summary>The weights a baked network is emitted with.</summary>
internal sealed class BakedWeights
{
    public BakedWeights(string fileName, float[] parameters, float[] state)
    {
        FileName = fileName;
        Parameters = parameters;
        State = state;
    }

    public string FileName { get; }

    public float[] Parameters { get; }

    public float[] State { get; }

    public static BakedWeights From(BakedNetworkModel model)
    {
        var parameters = new float[model.Parameters.Count];
        for (int i = 0; i < parameters.Length; i++) parameters[i] = model.Parameters[i];
        var state = new float[model.State.Count];
        for (int i = 0; i < state.Length; i++) state[i] = model.State[i];
        return new BakedWeights(model.FileName, parameters, state);
    }
}
