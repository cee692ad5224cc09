using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generated.Generators.Diagnostics;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generated.Generators.Parsing;

/// <summary>
/// Turns a type's symbol and attributes into an equatable <see cref="NetworkModel"/>, validating the declaration.
/// The generator calls it without a diagnostic sink and emits nothing when it returns null; the analyzer calls the
/// same code with a sink, so the rules live in one place.
/// </summary>
internal sealed class NetworkParser
{
    private readonly Action<Diagnostic>? _report;
    private readonly CancellationToken _cancellationToken;
    private bool _failed;

    // The attributes the last successful parse read, for ParseDeclaration (never part of the model).
    private AttributeData? _networkAttribute;
    private List<AttributeData>? _layerAttributes;

    private NetworkParser(Action<Diagnostic>? report, CancellationToken cancellationToken)
    {
        _report = report;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Parses <paramref name="type"/>. Returns null when the declaration is invalid (every problem is passed to
    /// <paramref name="report"/> when given) or when it is incomplete (the compiler already reports it).
    /// </summary>
    public static NetworkModel? Parse(INamedTypeSymbol type, CancellationToken cancellationToken, Action<Diagnostic>? report = null)
        => new NetworkParser(report, cancellationToken).ParseCore(type);

    /// <summary>
    /// For analyzers: parses a valid declaration (no diagnostics; null when it is invalid or incomplete) and keeps,
    /// beside the model, the attributes each part was read from so a diagnostic can point at the exact argument.
    /// The generator never calls this, so its pipeline holds no symbols, syntax or locations.
    /// </summary>
    public static NetworkDeclaration? ParseDeclaration(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var parser = new NetworkParser(null, cancellationToken);
        NetworkModel? model = parser.ParseCore(type);
        return model is null || parser._networkAttribute is null || parser._layerAttributes is null
            ? null
            : new NetworkDeclaration(model, type, parser._networkAttribute, parser._layerAttributes.ToImmutableArray());
    }

    /// <summary>True for the attributes that make up a network declaration.</summary>
    public static bool IsNetworkAttribute(AttributeData attribute) => attribute.AttributeClass?.ToDisplayString() is
        KnownNames.NetworkAttribute or KnownNames.InputAttribute or KnownNames.DenseAttribute or
        KnownNames.DropoutAttribute or KnownNames.BatchNormAttribute or KnownNames.ActivationAttribute;

    private NetworkModel? ParseCore(INamedTypeSymbol type)
    {
        ImmutableArray<AttributeData> attributes = type.GetAttributes();
        AttributeData? network = null;
        AttributeData? input = null;
        var dense = new List<AttributeData>(); // every layer attribute, in source order
        var kinds = new List<LayerKind>();
        foreach (AttributeData attribute in attributes)
        {
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case KnownNames.NetworkAttribute: network ??= attribute; break;
                case KnownNames.InputAttribute: input ??= attribute; break;
                case KnownNames.DenseAttribute: dense.Add(attribute); kinds.Add(LayerKind.Dense); break;
                case KnownNames.DropoutAttribute: dense.Add(attribute); kinds.Add(LayerKind.Dropout); break;
                case KnownNames.BatchNormAttribute: dense.Add(attribute); kinds.Add(LayerKind.BatchNorm); break;
                case KnownNames.ActivationAttribute: dense.Add(attribute); kinds.Add(LayerKind.Activation); break;
            }
        }

        if (network is null)
        {
            if (input is not null || dense.Count > 0)
            {
                Report(DiagnosticDescriptors.MissingNetwork, NameLocation(type), type.Name);
            }
            return null;
        }

        // An attribute the compiler could not bind (mid-typing, wrong argument types) is the compiler's to report.
        if (HasErrors(network) || (input is not null && HasErrors(input)) || dense.Any(HasErrors))
        {
            return null;
        }

        ValidateType(type);
        _cancellationToken.ThrowIfCancellationRequested();

        // Every attribute must sit on the declaration that carries [Network], or the layer order is undefined.
        (SyntaxTree?, Microsoft.CodeAnalysis.Text.TextSpan) networkDeclaration = DeclarationOf(network);
        foreach (AttributeData? attribute in new[] { input }.Concat(dense))
        {
            if (attribute is not null && DeclarationOf(attribute) != networkDeclaration)
            {
                Report(DiagnosticDescriptors.LayersAcrossPartials, AttributeLocation(attribute), ShortName(attribute), type.Name);
            }
        }

        LossKind loss = ReadEnum<LossKind>(network, 0, "The loss", "Loss");
        Precision precision = ReadNamedEnum<Precision>(network, "Precision", "The precision", "Precision");
        bool bakedWeights = network.NamedArguments.Any(n => n.Key == WeightsReferenceParser.PropertyName && n.Value.Value is string);
        if (precision == Precision.Int8 && !bakedWeights)
        {
            Report(DiagnosticDescriptors.Int8WithoutWeights, ArgumentLocation(network, -1, "Precision"), type.Name);
        }

        int inputSize = 0;
        if (input is null)
        {
            Report(DiagnosticDescriptors.MissingInput, AttributeLocation(network) ?? NameLocation(type), type.Name);
        }
        else
        {
            inputSize = ReadSize(input, "The input size", "[Input] size");
        }

        if (!kinds.Contains(LayerKind.Dense))
        {
            Report(DiagnosticDescriptors.NoLayers, AttributeLocation(network) ?? NameLocation(type), type.Name);
        }
        else if (dense.Count > Limits.MaxLayers)
        {
            Report(DiagnosticDescriptors.SizeLimit, AttributeLocation(dense[Limits.MaxLayers]), "The number of layers", dense.Count, Limits.MaxLayers);
        }

        // First pass: read every layer's arguments.
        var units = new int[dense.Count];
        var activations = new ActivationKind[dense.Count];
        var inits = new InitKind[dense.Count];
        var rates = new double[dense.Count];
        int width = inputSize;
        for (int i = 0; i < dense.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            AttributeData attribute = dense[i];
            switch (kinds[i])
            {
                case LayerKind.Dense:
                    units[i] = ReadSize(attribute, $"Layer {i} (Dense) units", "units");
                    activations[i] = ReadEnum<ActivationKind>(attribute, 1, $"Layer {i} activation", "Activation");
                    inits[i] = ReadNamedEnum<InitKind>(attribute, "Init", $"Layer {i} Init", "Init");
                    width = units[i];
                    break;
                case LayerKind.Activation:
                    activations[i] = ReadEnum<ActivationKind>(attribute, 0, $"Layer {i} activation", "Activation");
                    units[i] = width;
                    break;
                case LayerKind.Dropout:
                    rates[i] = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is double rate ? rate : double.NaN;
                    if (!(rates[i] >= 0 && rates[i] < 1))
                    {
                        Report(DiagnosticDescriptors.DropoutRateOutOfRange, ArgumentLocation(attribute, 0, null), i,
                            rates[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    units[i] = width;
                    break;
                default:
                    units[i] = width;
                    break;
            }
        }

        // Second pass: placement rules, offsets and the models.
        var layers = ImmutableArray.CreateBuilder<LayerModel>(dense.Count);
        long offset = 0;
        long stateOffset = 0;
        int fanIn = inputSize;
        int denseIndex = -1;
        bool denseHasBatchNorm = false;
        for (int i = 0; i < dense.Count; i++)
        {
            AttributeData attribute = dense[i];
            LayerKind kind = kinds[i];
            bool onlyDropoutAfter = true;
            for (int j = i + 1; j < dense.Count; j++) onlyDropoutAfter &= kinds[j] == LayerKind.Dropout;
            if (activations[i] == ActivationKind.Softmax && !onlyDropoutAfter)
            {
                Report(DiagnosticDescriptors.SoftmaxNotLast, ArgumentLocation(attribute, kind == LayerKind.Dense ? 1 : 0, null),
                    i, kind == LayerKind.Dense ? $"Dense, {units[i]} units" : "Activation");
            }

            long parameters = 0;
            long layerOffset = offset;
            long layerStateOffset = 0;
            if (kind == LayerKind.Dense)
            {
                denseIndex++;
                denseHasBatchNorm = false;
                parameters = (long)Math.Max(fanIn, 0) * Math.Max(units[i], 0) + Math.Max(units[i], 0);
                if (precision == Precision.Int8 && fanIn > Int8Quantization.MaxFanIn)
                {
                    Report(DiagnosticDescriptors.Int8FanInOverflow, AttributeLocation(attribute), i, fanIn, Int8Quantization.MaxFanIn);
                }
            }
            else if (kind == LayerKind.BatchNorm)
            {
                if (denseIndex < 0 || denseHasBatchNorm)
                {
                    Report(DiagnosticDescriptors.BatchNormPlacement, AttributeLocation(attribute), i,
                        denseIndex < 0 ? "comes before any Dense layer" : $"is the second [BatchNorm] for Dense layer {denseIndex}");
                }
                denseHasBatchNorm = true;
                parameters = 2L * Math.Max(units[i], 0);
                layerStateOffset = stateOffset;
                stateOffset += 2L * Math.Max(units[i], 0);
            }

            if (offset + parameters > Limits.MaxParameters && offset <= Limits.MaxParameters)
            {
                Report(DiagnosticDescriptors.SizeLimit, AttributeLocation(attribute),
                    $"The parameter count of '{type.Name}' up to layer {i}", offset + parameters, Limits.MaxParameters);
            }
            offset += parameters;

            if (!_failed)
            {
                ActivationKind effective = EffectiveActivation(i, kinds, activations);
                layers.Add(new LayerModel(
                    kind, i, Math.Max(denseIndex, 0), kind == LayerKind.Dense ? fanIn : units[i], units[i], activations[i],
                    inits[i], ResolveInit(inits[i], effective), effective, (int)layerOffset, (int)layerStateOffset, rates[i]));
            }
            fanIn = units[i];
        }

        if (_failed)
        {
            return null;
        }

        _networkAttribute = network;
        _layerAttributes = dense;
        return new NetworkModel(
            DeclarationModel(type),
            loss,
            inputSize,
            new EquatableArray<LayerModel>(layers.ToImmutable()),
            (int)offset,
            (int)stateOffset,
            NetworkModel.TensorsOf(layers),
            EmitConstructors: type.InstanceConstructors.All(c => c.IsImplicitlyDeclared),
            BakedWeights: WeightsReferenceParser.Read(network, _cancellationToken),
            Precision: precision);
    }

    /// <summary>
    /// The activation a Dense layer's initializer is chosen for: its own, or when it is Linear and followed (past any
    /// BatchNorm and Dropout layers) by an [Activation] layer, that layer's.
    /// </summary>
    public static ActivationKind EffectiveActivation(int position, IReadOnlyList<LayerKind> kinds, IReadOnlyList<ActivationKind> activations)
    {
        if (kinds[position] != LayerKind.Dense || activations[position] != ActivationKind.Linear)
        {
            return activations[position];
        }
        for (int j = position + 1; j < kinds.Count; j++)
        {
            if (kinds[j] == LayerKind.Activation) return activations[j];
            if (kinds[j] is not (LayerKind.BatchNorm or LayerKind.Dropout)) break;
        }
        return ActivationKind.Linear;
    }

    /// <summary>Resolves <see cref="InitKind.Auto"/> with the runtime's own rule (<see cref="InitRule"/>, a shared file).</summary>
    public static InitKind ResolveInit(InitKind init, ActivationKind activation) => InitRule.Resolve(init, activation);

    private void ValidateType(INamedTypeSymbol type)
    {
        if (type.IsStatic)
        {
            Report(DiagnosticDescriptors.UnsupportedTypeKind, NameLocation(type), type.Name, "static");
        }
        else if (type.IsRecord)
        {
            Report(DiagnosticDescriptors.UnsupportedTypeKind, NameLocation(type), type.Name, "a record");
        }
        else if (type.TypeKind == TypeKind.Struct)
        {
            // The generator only runs on classes: without this a struct network got no code and no diagnostic.
            Report(DiagnosticDescriptors.UnsupportedTypeKind, NameLocation(type), type.Name, "a struct");
        }

        if (type.TypeParameters.Length > 0)
        {
            Report(DiagnosticDescriptors.GenericNetwork, NameLocation(type), type.Name, "is generic");
        }

        if (!IsPartial(type))
        {
            Report(DiagnosticDescriptors.NotPartial, NameLocation(type), type.Name, "");
        }

        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.TypeParameters.Length > 0)
            {
                Report(DiagnosticDescriptors.GenericNetwork, NameLocation(type), type.Name, $"is nested in the generic type '{outer.Name}'");
            }
            if (!IsPartial(outer))
            {
                Report(DiagnosticDescriptors.NotPartial, NameLocation(type), type.Name, $", and so must its containing type '{outer.Name}'");
            }
        }
    }

    private static bool IsPartial(INamedTypeSymbol type) => type.DeclaringSyntaxReferences.Length > 0 &&
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private TypeDeclarationModel DeclarationModel(INamedTypeSymbol type)
    {
        var containing = new List<string>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, $"partial {TypeKeyword(outer)} {outer.Name}");
        }
        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        string hint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            .Replace("global::", "")
            .Replace('<', '[').Replace('>', ']');
        return new TypeDeclarationModel(ns, new EquatableArray<string>(containing), TypeKeyword(type), type.Name, hint + ".g.cs");
    }

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static bool HasErrors(AttributeData attribute) =>
        attribute.AttributeConstructor is null ||
        attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error) ||
        attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    private int ReadSize(AttributeData attribute, string what, string parameter)
    {
        if (attribute.ConstructorArguments.Length == 0 || attribute.ConstructorArguments[0].Value is not int value)
        {
            _failed = true;
            return 0;
        }
        if (value <= 0)
        {
            Report(DiagnosticDescriptors.NonPositiveSize, ArgumentLocation(attribute, 0, null), what, value);
        }
        else if (value > Limits.MaxUnits)
        {
            Report(DiagnosticDescriptors.SizeLimit, ArgumentLocation(attribute, 0, null), what, value, Limits.MaxUnits);
        }
        return value;
    }

    private T ReadEnum<T>(AttributeData attribute, int position, string what, string typeName)
        where T : struct, Enum
    {
        if (position >= attribute.ConstructorArguments.Length || attribute.ConstructorArguments[position].Value is not int value)
        {
            // An optional argument left out binds to its default; anything else the compiler reports.
            return default;
        }
        return CheckDefined<T>(value, attribute, position, null, what, typeName);
    }

    private T ReadNamedEnum<T>(AttributeData attribute, string name, string what, string typeName)
        where T : struct, Enum
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == name && named.Value.Value is int value)
            {
                return CheckDefined<T>(value, attribute, -1, name, what, typeName);
            }
        }
        return default;
    }

    private T CheckDefined<T>(int value, AttributeData attribute, int position, string? name, string what, string typeName)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(typeof(T), value))
        {
            Report(DiagnosticDescriptors.UndefinedEnumValue, ArgumentLocation(attribute, position, name), what, value, typeName,
                string.Join(", ", Enum.GetNames(typeof(T)).Select(n => typeName + "." + n)));
            return default;
        }
        return (T)Enum.ToObject(typeof(T), value);
    }

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] args)
    {
        _failed = true;
        _report?.Invoke(Diagnostic.Create(descriptor, location ?? Location.None, args));
    }

    // Locations are computed only when someone listens: the generator never touches them.

    private Location? NameLocation(INamedTypeSymbol type) => _report is null ? null : type.Locations.FirstOrDefault();

    private Location? AttributeLocation(AttributeData attribute) =>
        _report is null ? null : attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation();

    private Location? ArgumentLocation(AttributeData attribute, int position, string? name)
    {
        if (_report is null) return null;
        if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax) return null;
        return ((SyntaxNode?)ArgumentSyntax(attribute, position, name, _cancellationToken) ?? syntax).GetLocation();
    }

    /// <summary>
    /// The argument that set constructor parameter <paramref name="position"/> (positional or <c>name:</c>), or the
    /// named argument <paramref name="name"/> (<c>Init = ...</c>); null when it was left out.
    /// </summary>
    public static AttributeArgumentSyntax? ArgumentSyntax(AttributeData attribute, int position, string? name, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax) return null;
        SeparatedSyntaxList<AttributeArgumentSyntax> arguments = syntax.ArgumentList?.Arguments ?? default;
        return name is not null
            ? arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)
            : arguments.Where(a => a.NameEquals is null).ElementAtOrDefault(position) is { NameColon: null } positional
                ? positional
                : arguments.FirstOrDefault(a => a.NameEquals is null && a.NameColon is not null && ParameterIndex(attribute, a.NameColon.Name.Identifier.ValueText) == position);
    }

    private static int ParameterIndex(AttributeData attribute, string parameterName) =>
        attribute.AttributeConstructor?.Parameters.FirstOrDefault(p => p.Name == parameterName)?.Ordinal ?? -1;

    private (SyntaxTree?, Microsoft.CodeAnalysis.Text.TextSpan) DeclarationOf(AttributeData attribute)
    {
        SyntaxNode? declaration = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).Parent?.Parent;
        return (declaration?.SyntaxTree, declaration?.Span ?? default);
    }

    private static string ShortName(AttributeData attribute)
    {
        string name = attribute.AttributeClass?.Name ?? "?";
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }
}
