using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Diagnostics;

/// <summary>
/// The one catalog of every diagnostic the analyzers report. IDs are stable; each has a help page at
/// docs/diagnostics/{id}.md. BPG00nn: questionable but valid declarations (warnings). BPG01nn: declarations that
/// cannot be generated (errors; the generator emits nothing for that type).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string HelpLinkBase = "https://github.com/backprop-generated/backprop-generated/blob/main/docs/diagnostics/";
    private const string DeclarationCategory = "Backprop.Generated.Declaration";

    private static DiagnosticDescriptor Error(string id, string title, string message) => new(
        id, title, message, DeclarationCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + id + ".md");

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "BPG0100",
        "Network type must be partial",
        "The network '{0}' must be declared 'partial' so the generator can add Forward and Backward to it{1}");

    public static readonly DiagnosticDescriptor MissingInput = Error(
        "BPG0101",
        "Network has no [Input]",
        "The network '{0}' has no [Input(size)] attribute: add [Input(n)] with the number of input features");

    public static readonly DiagnosticDescriptor MissingNetwork = Error(
        "BPG0102",
        "Layers without [Network]",
        "'{0}' has [Input] or [Dense] attributes but no [Network(Loss.X)]: add [Network(...)] with the loss to train with");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "BPG0103",
        "Size must be positive",
        "{0} is {1}: it must be at least 1");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "BPG0104",
        "Network has no layers",
        "The network '{0}' has no [Dense] layers: add at least one [Dense(units, Activation.X)]; the last one is the output layer");

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Error(
        "BPG0105",
        "Softmax only on the last layer",
        "Layer {0} ({1}) uses Softmax, which is only allowed on the output layer (only Dropout may follow it): use ReLU, Tanh or another activation for hidden layers");

    public static readonly DiagnosticDescriptor LayersAcrossPartials = Error(
        "BPG0106",
        "Network attributes on several declarations",
        "[{0}] is on another partial declaration of '{1}' than [Network]: put [Network], [Input] and every layer on one declaration so the layer order is defined");

    public static readonly DiagnosticDescriptor GenericNetwork = Error(
        "BPG0107",
        "Network type must not be generic",
        "The network '{0}' {1}: declare it as a non-generic class");

    public static readonly DiagnosticDescriptor UnsupportedTypeKind = Error(
        "BPG0108",
        "Network must be a non-static class",
        "The network '{0}' is {1}: declare it as a plain (non-static, non-record) partial class, since each instance owns its parameters");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error(
        "BPG0109",
        "Undefined enum value",
        "{0} is {1}, which is not a defined {2}: use one of {3}");

    public static readonly DiagnosticDescriptor SizeLimit = Error(
        "BPG0110",
        "Network too large",
        "{0} is {1}, over the limit of {2}: Backprop.Generated targets small feedforward networks (see docs/diagnostics/BPG0110.md)");

    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error(
        "BPG0111",
        "Dropout rate out of range",
        "Layer {0} (Dropout) has rate {1}: the rate is the probability of zeroing a value and must be in [0, 1), e.g. [Dropout(0.5)]");

    public static readonly DiagnosticDescriptor BatchNormPlacement = Error(
        "BPG0112",
        "BatchNorm without its own Dense layer",
        "Layer {0} (BatchNorm) {1}: put [BatchNorm] after a [Dense] layer (or after that layer's [Activation]), at most one per Dense layer");

    // BPG02nn: baked weights ([Network(Weights = "file")]). Reported by the generator, which reads the file; the
    // generator emits nothing for the type until they are fixed.

    private const string WeightsCategory = "Backprop.Generated.Weights";

    private static DiagnosticDescriptor WeightsError(string id, string title, string message) => new(
        id, title, message, WeightsCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + id + ".md");

    public static readonly DiagnosticDescriptor WeightsFileNotFound = WeightsError(
        "BPG0200",
        "Baked weights file not found",
        "Weights file '{0}' not found: {1}");

    public static readonly DiagnosticDescriptor MalformedWeightsFile = WeightsError(
        "BPG0201",
        "Malformed baked weights file",
        "Weights file '{0}' is not a valid safetensors file{1}: {2}");

    public static readonly DiagnosticDescriptor WrongDtype = WeightsError(
        "BPG0202",
        "Baked weights tensor has the wrong dtype",
        "Weights file '{0}': tensor '{1}' has dtype {2}, expected F32 (save the weights as float32)");

    public static readonly DiagnosticDescriptor MissingTensor = WeightsError(
        "BPG0203",
        "Baked weights tensor missing",
        "Weights file '{0}' has no tensor '{1}' (expected F32 {2}): was it saved from this network?");

    public static readonly DiagnosticDescriptor WrongShape = WeightsError(
        "BPG0204",
        "Baked weights tensor has the wrong shape",
        "Weights file '{0}': tensor '{1}' has shape {2}, expected {3}: was it saved from this network?");

    public static readonly DiagnosticDescriptor UnexpectedTensor = WeightsError(
        "BPG0205",
        "Baked weights file has a tensor the network lacks",
        "Weights file '{0}' has the tensor '{1}', which the network '{2}' does not have (it has {3}): was it saved from this network?");

    public static readonly DiagnosticDescriptor BakedWeightsTooLarge = WeightsError(
        "BPG0206",
        "Too many weights to bake",
        "The network '{0}' has {1} parameters and state values, over the limit of {2} for baked weights (the generated source grows with them): load the weights at run time with LoadWeights instead");
}
