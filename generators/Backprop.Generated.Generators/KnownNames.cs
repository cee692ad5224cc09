namespace Backprop.Generated.Generators;

/// <summary>Metadata names of the runtime types the generator recognizes.</summary>
internal static class KnownNames
{
    public const string Namespace = "Backprop.Generated";
    public const string NetworkAttribute = "Backprop.Generated.NetworkAttribute";
    public const string InputAttribute = "Backprop.Generated.InputAttribute";
    public const string DenseAttribute = "Backprop.Generated.DenseAttribute";
    public const string DropoutAttribute = "Backprop.Generated.DropoutAttribute";
    public const string BatchNormAttribute = "Backprop.Generated.BatchNormAttribute";
    public const string ActivationAttribute = "Backprop.Generated.ActivationAttribute";
    public const string Conv1DAttribute = "Backprop.Generated.Conv1DAttribute";
    public const string Conv2DAttribute = "Backprop.Generated.Conv2DAttribute";
    public const string MaxPool1DAttribute = "Backprop.Generated.MaxPool1DAttribute";
    public const string MaxPool2DAttribute = "Backprop.Generated.MaxPool2DAttribute";
    public const string AvgPool1DAttribute = "Backprop.Generated.AvgPool1DAttribute";
    public const string AvgPool2DAttribute = "Backprop.Generated.AvgPool2DAttribute";
    public const string GlobalAveragePoolAttribute = "Backprop.Generated.GlobalAveragePoolAttribute";
}

/// <summary>Documented limits. Past them a declaration is refused with BPG0110 instead of generating huge code.</summary>
internal static class Limits
{
    /// <summary>Most inputs of a flat [Input(n)], or units in one Dense layer, or filters in one convolution.</summary>
    public const int MaxUnits = 65_536;

    /// <summary>
    /// Most values per sample of a shaped input or of any layer's output (channels × height × width): 4 Mi floats,
    /// 16 MB per sample.
    /// </summary>
    public const int MaxSampleValues = 4_194_304;

    /// <summary>Largest convolution kernel, pooling window, stride, padding or dilation.</summary>
    public const int MaxWindow = 1_024;

    /// <summary>Most trainable parameters in one network (200 MB of float32).</summary>
    public const long MaxParameters = 50_000_000;

    /// <summary>Most layers in one network.</summary>
    public const int MaxLayers = 256;

    /// <summary>
    /// A Dense layer with at most this many weights (inputs x units) is emitted fully unrolled, one statement per
    /// multiply-add with constant indices; larger layers get fixed-bound SIMD loops. See README "Unrolling".
    /// </summary>
    public const int UnrollMaxWeights = 64;

    /// <summary>
    /// Most parameters plus state values of a network with baked weights (4 MiB of float32). Each becomes a literal
    /// in the generated source (about 12 bytes of text), so this bounds the source at about 12 MB. BPG0206 past it.
    /// </summary>
    public const int MaxBakedFloats = 1_048_576;
}
