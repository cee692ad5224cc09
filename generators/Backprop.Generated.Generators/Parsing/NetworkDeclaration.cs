using System.Collections.Immutable;
using System.Threading;
using Backprop.Generated.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generated.Generators.Parsing;

/// <summary>
/// The analyzers' view of a valid network declaration: the parser's <see cref="NetworkModel"/> plus the attributes
/// it was read from, so a diagnostic can be placed on the exact argument. Holds symbols and syntax, so it must
/// never enter the generator's incremental pipeline (that only sees the equatable model).
/// </summary>
internal sealed class NetworkDeclaration
{
    public NetworkDeclaration(NetworkModel model, INamedTypeSymbol type, AttributeData network, ImmutableArray<AttributeData> layers)
    {
        Model = model;
        Type = type;
        NetworkAttribute = network;
        LayerAttributes = layers;
    }

    public NetworkModel Model { get; }

    public INamedTypeSymbol Type { get; }

    /// <summary>The <c>[Network(loss)]</c> attribute.</summary>
    public AttributeData NetworkAttribute { get; }

    /// <summary>The layer attributes (<c>[Dense]</c>, <c>[Dropout]</c>, ...) in source order, parallel to <see cref="NetworkModel.Layers"/>.</summary>
    public ImmutableArray<AttributeData> LayerAttributes { get; }

    /// <summary>The loss argument of <c>[Network]</c>.</summary>
    public Location LossLocation(CancellationToken cancellationToken) => Argument(NetworkAttribute, 0, null, cancellationToken);

    // Layers are addressed by position (LayerModel.Position), counting every layer attribute.

    /// <summary>The <c>units</c> argument of the Dense layer at <paramref name="position"/>.</summary>
    public Location UnitsLocation(int position, CancellationToken cancellationToken) => Argument(LayerAttributes[position], 0, null, cancellationToken);

    /// <summary>
    /// The activation argument of the layer at <paramref name="position"/> (a Dense layer's second argument, a
    /// convolution's third, an [Activation] layer's first), or the attribute when it is left out (Linear).
    /// </summary>
    public Location ActivationLocation(int position, CancellationToken cancellationToken) =>
        Argument(LayerAttributes[position], Model.Layers[position].Kind switch
        {
            LayerKind.Activation => 0,
            LayerKind.Conv1D or LayerKind.Conv2D => 2,
            _ => 1,
        }, null, cancellationToken);

    /// <summary>The <c>Init = ...</c> argument of the Dense layer at <paramref name="position"/>, or the attribute when it is left out.</summary>
    public Location InitLocation(int position, CancellationToken cancellationToken) => Argument(LayerAttributes[position], -1, "Init", cancellationToken);

    /// <summary>The whole attribute of the layer at <paramref name="position"/> (e.g. <c>Dropout(0.5)</c>).</summary>
    public Location LayerLocation(int position, CancellationToken cancellationToken) => AttributeLocation(LayerAttributes[position], cancellationToken);

    /// <summary>The whole attribute (e.g. <c>Dense(4, Activation.Tanh)</c>).</summary>
    public Location AttributeLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? Type.Locations[0];

    private Location Argument(AttributeData attribute, int position, string? name, CancellationToken cancellationToken) =>
        NetworkParser.ArgumentSyntax(attribute, position, name, cancellationToken) is AttributeArgumentSyntax argument
            ? argument.GetLocation()
            : AttributeLocation(attribute, cancellationToken);
}
