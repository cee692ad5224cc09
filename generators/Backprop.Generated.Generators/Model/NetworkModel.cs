namespace Backprop.Generated.Generators.Model;

// The generator pipeline's models: plain equatable records with no ISymbol, SyntaxNode or Location, so the
// incremental pipeline can compare them between runs and skip emission when nothing relevant changed.

/// <summary>Where and how the partial type is declared.</summary>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Declaration headers of the containing types, outermost first (e.g. "partial class Outer").</param>
/// <param name="Keyword">"class" or "record".</param>
/// <param name="Name">The type's name.</param>
/// <param name="HintName">A file name unique in the compilation.</param>
internal sealed record TypeDeclarationModel(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Keyword,
    string Name,
    string HintName);

/// <summary>A Dense layer.</summary>
/// <param name="Index">Position from 0.</param>
/// <param name="Inputs">Fan-in.</param>
/// <param name="Units">Fan-out.</param>
/// <param name="Activation">The layer's activation.</param>
/// <param name="DeclaredInit">The initializer as written.</param>
/// <param name="Init">The initializer after resolving <see cref="InitKind.Auto"/>.</param>
/// <param name="ParameterOffset">Offset of the weights in the flat parameter vector; biases follow.</param>
internal sealed record LayerModel(
    int Index,
    int Inputs,
    int Units,
    ActivationKind Activation,
    InitKind DeclaredInit,
    InitKind Init,
    int ParameterOffset)
{
    public int WeightCount => Inputs * Units;

    public int BiasOffset => ParameterOffset + WeightCount;

    public int ParameterCount => WeightCount + Units;
}

/// <summary>A valid network declaration, ready to emit.</summary>
internal sealed record NetworkModel(
    TypeDeclarationModel Type,
    LossKind Loss,
    int InputSize,
    EquatableArray<LayerModel> Layers,
    bool EmitConstructors)
{
    public int OutputSize => Layers[Layers.Count - 1].Units;

    public int ParameterCount
    {
        get
        {
            LayerModel last = Layers[Layers.Count - 1];
            return last.ParameterOffset + last.ParameterCount;
        }
    }
}
