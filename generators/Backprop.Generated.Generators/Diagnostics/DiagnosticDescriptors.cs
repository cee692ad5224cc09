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
    private const string DesignCategory = "Backprop.Generated.Design";

    /// <summary>Diagnostic property keys the code fixes read (values are enum member names).</summary>
    public const string FittingInitProperty = "FittingInit";
    public const string FittingLossProperty = "FittingLoss";

    /// <summary>Diagnostic property key of the convolution padding the padding code fix writes (an integer).</summary>
    public const string FittingPaddingProperty = "FittingPadding";

    private static DiagnosticDescriptor Warning(string id, string title, string message, string description) => new(
        id, title, message, DesignCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        description: description, helpLinkUri: HelpLinkBase + id + ".md");

    // BPG00nn: the declaration generates and trains, but is known to train badly or not at all.

    public static readonly DiagnosticDescriptor HeInitOnSaturatingLayer = Warning(
        "BPG0001",
        "He initializer on a non-ReLU layer",
        "Layer {0} ({1}) has activation {2} but Init.{3}, which is meant for ReLU layers: {4}; use Init.{5} (Glorot and Bengio 2010) or Init.Auto",
        "He initialization doubles the weight variance to make up for ReLU zeroing half its inputs. On Sigmoid, Tanh, Softmax or Linear layers that pushes units into saturation or makes the signal grow layer by layer; Xavier (Glorot) initialization keeps the variance steady.");

    public static readonly DiagnosticDescriptor XavierInitOnReluLayer = Warning(
        "BPG0002",
        "Xavier, LeCun or standard initializer on a ReLU layer",
        "Layer {0} ({1}) has activation {2} but Init.{3}: {2} zeroes about half its inputs, so this variance {5} at every layer and deep stacks die out; use Init.{4} (He et al. 2015) or Init.Auto",
        "ReLU and LeakyReLU pass on only the positive half of their input. With Xavier or LeCun weights the variance of the activations halves at every layer (with the standard U(±1/√fan-in) weights it drops to a sixth), so gradients shrink exponentially with depth; He (Kaiming) initialization doubles the variance to compensate.");

    public static readonly DiagnosticDescriptor ZeroInit = Warning(
        "BPG0003",
        "Weights initialized to zero",
        "Layer {0} ({1}) has Init.Zeros: all its units start identical and receive the same gradient, so the layer never breaks symmetry, and no gradient reaches the layers below it on the first step; use Init.{2} or Init.Auto",
        "A layer whose weights are all equal computes the same value in every unit and, by symmetry, updates them all the same way. Random initialization is what lets units learn different features.");

    public static readonly DiagnosticDescriptor LossDoesNotFitOutput = Warning(
        "BPG0004",
        "Loss does not fit the output layer",
        "The output layer (layer {0}, {1}) has activation {2} but the loss is {3}: {4}; use Loss.{5}",
        "Each loss assumes a kind of output: CrossEntropy a Softmax distribution, BinaryCrossEntropy Sigmoid probabilities, Hinge scores of either sign, MeanSquaredError anything but a Softmax. A mismatched pair still computes, but its gradients are weak or wrong where the network most needs to learn.");

    public static readonly DiagnosticDescriptor VanishingGradientStack = Warning(
        "BPG0005",
        "Deep stack of saturating layers",
        "Layer {0} ({1}) makes {2} {3} hidden layers in a row (layers {4} to {5}) with no [BatchNorm] between them: the gradient shrinks at every saturating layer and vanishes before it reaches the first ones; use ReLU or LeakyReLU for the hidden layers, or put a [BatchNorm] between them",
        "The derivative of sigmoid is at most 0.25 and that of tanh at most 1 (far less once units saturate), so backpropagating through many such layers multiplies many small factors and the first layers stop learning (Hochreiter 1991; Glorot and Bengio 2010). Batch normalization keeps the pre-activations in the responsive range (Ioffe and Szegedy 2015).");

    public static readonly DiagnosticDescriptor LayerOrder = Warning(
        "BPG0006",
        "Layer order or output width that cannot work",
        "{0}: {1}; {2}",
        "Some layer orders build but cannot train as intended: dropout on the output, batch normalization after the output layer, two dropouts in a row, or an output width that does not fit the loss (a softmax over one unit is always 1).");

    public static readonly DiagnosticDescriptor UnreadInput = Warning(
        "BPG0007",
        "Pooling window or stride that leaves input rows or columns unread",
        "Layer {0} ({1}) on {2} input never reads {3}: {4}; {5}",
        "Pooling takes whole windows only (floor mode, as PyTorch) and a strided convolution stops at its last whole window, so when the input is not a multiple of the step the last rows or columns reach no output: their values, and everything the layers before computed for them, are thrown away and get no gradient. A stride longer than the kernel's reach skips rows or columns in between as well.");

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
        "The network '{0}' has no [Input] attribute: add [Input(n)] with the number of input features{1}");

    public static readonly DiagnosticDescriptor MissingNetwork = Error(
        "BPG0102",
        "Layers without [Network]",
        "'{0}' has [Input] or layer attributes but no [Network(Loss.X)]: add [Network(...)] with the loss to train with");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "BPG0103",
        "Size must be positive",
        "{0} is {1}: it must be at least 1");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "BPG0104",
        "Network has no layers",
        "The network '{0}' has no [Dense] or convolution layers: add at least one [Dense(units, Activation.X)]; the last one is the output layer");

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
        "BatchNorm without its own Dense or convolution layer",
        "Layer {0} (BatchNorm) {1}: put [BatchNorm] after a [Dense] or convolution layer (or after that layer's [Activation], [Dropout] or pooling), at most one per such layer; after a convolution it normalizes per channel (tensors of shape [channels]), after a Dense layer per unit");

    // BPG012n: convolution and pooling geometry.

    public static readonly DiagnosticDescriptor EmptyOutput = Error(
        "BPG0120",
        "Convolution or pooling layer gives no output",
        "Layer {0}: {1} gives no output; {2}");

    public static readonly DiagnosticDescriptor DimensionMismatch = Error(
        "BPG0121",
        "1-D layer on 2-D values or the reverse",
        "Layer {0} ({1}) is a {2}-D layer but the values reaching it are {3}, {4}: {5}");

    public static readonly DiagnosticDescriptor ShapedInputRequired = Error(
        "BPG0122",
        "Convolution or pooling on a flat vector",
        "Layer {0} ({1}) needs values with a shape (channels × length or channels × height × width), but {2}: {3}");

    public static readonly DiagnosticDescriptor ConvArgumentOutOfRange = Error(
        "BPG0123",
        "Stride, Padding or Dilation out of range",
        "Layer {0} ({1}) has {2} = {3}{4}: {5}");

    // BPG0130-BPG0139: int8 inference ([Network(Precision = Precision.Int8)]).

    public static readonly DiagnosticDescriptor Int8WithoutWeights = Error(
        "BPG0130",
        "Int8 precision without baked weights",
        "'{0}' asks for Precision.Int8 but bakes no weights: int8 weights are quantized at build time from a weights file, so add Weights = \"file.safetensors\" (and a <BakedWeights> item), or remove Precision = Precision.Int8");

    public static readonly DiagnosticDescriptor Int8FanInOverflow = Error(
        "BPG0131",
        "Int8 layer's fan-in could overflow its int32 sums",
        "Layer {0} has a fan-in of {1}: int8 products are summed in int32, which is exact for at most {2} inputs (127 · 127 per product); use Precision.Float32 for this network");

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
        "Weights file '{0}' has no tensor '{1}' (expected F32 {2}): was it saved from this network? The file holds {3}");

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

    public static readonly DiagnosticDescriptor WeightNamesMismatch = WeightsError(
        "BPG0207",
        "Baked weights file's tensors cannot be paired with the network's",
        "Weights file '{0}': {1}");
}
