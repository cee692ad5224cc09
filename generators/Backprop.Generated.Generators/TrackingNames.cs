namespace Backprop.Generated.Generators;

/// <summary>Names of the generator's tracked pipeline steps, asserted by the incremental-caching tests.</summary>
internal static class TrackingNames
{
    /// <summary>Each [Network] type turned into its equatable model (null when the declaration is invalid).</summary>
    public const string NetworkModels = nameof(NetworkModels);

    /// <summary>The valid models only: what the source output is registered on.</summary>
    public const string ValidNetworkModels = nameof(ValidNetworkModels);

    /// <summary>What the compilation supports (inline arrays).</summary>
    public const string CompilationFeatures = nameof(CompilationFeatures);

    /// <summary>Each BakedWeights text decoded into its tensors (or its problem).</summary>
    public const string WeightsFiles = nameof(WeightsFiles);

    /// <summary>Each network with baked weights matched to its file: the values, or the BPG02nn diagnostics.</summary>
    public const string BakedNetworks = nameof(BakedNetworks);
}
