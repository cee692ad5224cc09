using System.Collections.Generic;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Model;

// The generator pipeline's models: plain equatable records with no ISymbol, SyntaxNode or Location, so the
// incremental pipeline can compare them between runs and skip emission when nothing relevant changed.

/// <summary>Where and how the partial type is declared.</summary>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Declaration headers of the containing types, outermost first (e.g. "partial class Outer").</param>
/// <param name="Keyword">"class".</param>
/// <param name="Name">The type's name.</param>
/// <param name="HintName">A file name unique in the compilation.</param>
internal sealed record TypeDeclarationModel(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Keyword,
    string Name,
    string HintName);

/// <summary>What a layer does.</summary>
internal enum LayerKind
{
    /// <summary>a = f(W·x + b).</summary>
    Dense,

    /// <summary>a = f(x), no parameters.</summary>
    Activation,

    /// <summary>Inverted dropout in training, identity in inference.</summary>
    Dropout,

    /// <summary>Batch normalization with a scale and shift, and running statistics.</summary>
    BatchNorm,
}

/// <summary>One layer, in declaration order.</summary>
/// <param name="Kind">What the layer does.</param>
/// <param name="Position">Position among all layers, from 0.</param>
/// <param name="Index">Index of the Dense layer this layer is or belongs to (names its tensors <c>layers.{Index}</c>).</param>
/// <param name="Inputs">Width of the layer's input (fan-in for Dense).</param>
/// <param name="Units">Width of the layer's output (equal to <paramref name="Inputs"/> except for Dense).</param>
/// <param name="Activation">The Dense layer's or Activation layer's function; Linear otherwise.</param>
/// <param name="DeclaredInit">The initializer as written (Dense only).</param>
/// <param name="Init">The initializer after resolving <see cref="InitKind.Auto"/> on the effective activation.</param>
/// <param name="EffectiveActivation">The activation the initializer is chosen for (see the parser).</param>
/// <param name="ParameterOffset">Dense: offset of the weights (biases follow). BatchNorm: offset of gamma (beta follows).</param>
/// <param name="StateOffset">BatchNorm: offset of the running mean in the state (running variance follows).</param>
/// <param name="Rate">Dropout: the drop probability.</param>
internal sealed record LayerModel(
    LayerKind Kind,
    int Position,
    int Index,
    int Inputs,
    int Units,
    ActivationKind Activation,
    InitKind DeclaredInit,
    InitKind Init,
    ActivationKind EffectiveActivation,
    int ParameterOffset,
    int StateOffset,
    double Rate)
{
    public int WeightCount => Kind == LayerKind.Dense ? Inputs * Units : 0;

    public int BiasOffset => ParameterOffset + WeightCount;

    /// <summary>Trainable floats of this layer.</summary>
    public int ParameterCount => Kind switch
    {
        LayerKind.Dense => WeightCount + Units,
        LayerKind.BatchNorm => 2 * Units,
        _ => 0,
    };

    /// <summary>State floats of this layer (batch-norm running statistics).</summary>
    public int StateCount => Kind == LayerKind.BatchNorm ? 2 * Units : 0;
}

/// <summary>A valid network declaration, ready to emit.</summary>
/// <param name="Tensors">
/// The network's tensors (name in weights files, role, buffer, offset, shape) from the runtime's shared
/// <see cref="TensorLayout"/>: the emitter writes the generated <c>Tensors</c> list from it and the baked-weights
/// matcher checks files against it.
/// </param>
/// <param name="BakedWeights">Set by <c>[Network(Weights = "file")]</c>: an inference-only network with those weights baked in.</param>
/// <param name="Precision">Set by <c>[Network(Precision = ...)]</c>: <c>Int8</c> quantizes the baked weights (baked networks only).</param>
internal sealed record NetworkModel(
    TypeDeclarationModel Type,
    LossKind Loss,
    int InputSize,
    EquatableArray<LayerModel> Layers,
    int ParameterCount,
    int StateCount,
    EquatableArray<TensorSpec> Tensors,
    bool EmitConstructors,
    WeightsReference? BakedWeights = null,
    Precision Precision = Precision.Float32)
{
    public int OutputSize => Layers[Layers.Count - 1].Units;

    /// <summary>The tensors of <paramref name="layers"/>, in layer order, as <see cref="TensorLayout"/> lays them out.</summary>
    public static EquatableArray<TensorSpec> TensorsOf(IEnumerable<LayerModel> layers)
    {
        var tensors = new List<TensorSpec>();
        foreach (LayerModel layer in layers)
        {
            if (layer.Kind == LayerKind.Dense)
            {
                TensorLayout.AddDense(tensors, layer.Index, layer.ParameterOffset, layer.Inputs, layer.Units);
            }
            else if (layer.Kind == LayerKind.BatchNorm)
            {
                TensorLayout.AddBatchNorm(tensors, layer.Index, layer.ParameterOffset, layer.StateOffset, layer.Units);
            }
        }
        return new EquatableArray<TensorSpec>(tensors);
    }

    /// <summary>True when every layer is Dense: the per-sample emitter with unrolled small layers applies.</summary>
    public bool IsDenseOnly
    {
        get
        {
            foreach (LayerModel layer in Layers)
            {
                if (layer.Kind != LayerKind.Dense) return false;
            }
            return true;
        }
    }
}
