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
        KnownNames.DropoutAttribute or KnownNames.BatchNormAttribute or KnownNames.ActivationAttribute or
        KnownNames.Conv1DAttribute or KnownNames.Conv2DAttribute or KnownNames.MaxPool1DAttribute or KnownNames.MaxPool2DAttribute or
        KnownNames.AvgPool1DAttribute or KnownNames.AvgPool2DAttribute or KnownNames.GlobalAveragePoolAttribute;

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
                case KnownNames.Conv1DAttribute: dense.Add(attribute); kinds.Add(LayerKind.Conv1D); break;
                case KnownNames.Conv2DAttribute: dense.Add(attribute); kinds.Add(LayerKind.Conv2D); break;
                case KnownNames.MaxPool1DAttribute: dense.Add(attribute); kinds.Add(LayerKind.MaxPool1D); break;
                case KnownNames.MaxPool2DAttribute: dense.Add(attribute); kinds.Add(LayerKind.MaxPool2D); break;
                case KnownNames.AvgPool1DAttribute: dense.Add(attribute); kinds.Add(LayerKind.AvgPool1D); break;
                case KnownNames.AvgPool2DAttribute: dense.Add(attribute); kinds.Add(LayerKind.AvgPool2D); break;
                case KnownNames.GlobalAveragePoolAttribute: dense.Add(attribute); kinds.Add(LayerKind.GlobalAveragePool); break;
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

        ValueShape? inputShape = null;
        if (input is null)
        {
            // Convolution and pooling layers need a shaped input: say which.
            string shaped = kinds.Any(k => Dimensions(k) == 2) ? ", here [Input(channels, height, width)] for the images its 2-D layers take"
                : kinds.Any(k => Dimensions(k) == 1) ? ", here [Input(channels, length)] for the signals its 1-D layers take"
                : kinds.Contains(LayerKind.GlobalAveragePool) ? ", here [Input(channels, length)] or [Input(channels, height, width)] for its pooling layer"
                : "";
            Report(DiagnosticDescriptors.MissingInput, AttributeLocation(network) ?? NameLocation(type), type.Name, shaped);
        }
        else
        {
            inputShape = ReadInputShape(input);
        }

        if (!kinds.Any(k => k is LayerKind.Dense or LayerKind.Conv1D or LayerKind.Conv2D))
        {
            Report(DiagnosticDescriptors.NoLayers, AttributeLocation(network) ?? NameLocation(type), type.Name);
        }
        else if (dense.Count > Limits.MaxLayers)
        {
            Report(DiagnosticDescriptors.SizeLimit, AttributeLocation(dense[Limits.MaxLayers]), "The number of layers", dense.Count, Limits.MaxLayers);
        }

        // First pass: read every layer's arguments.
        var units = new int[dense.Count];   // Dense units, convolution filters, pooling window
        var kernels = new int[dense.Count]; // convolution kernel size
        var strides = new int[dense.Count];
        var paddings = new int[dense.Count];
        var dilations = new int[dense.Count];
        var activations = new ActivationKind[dense.Count];
        var inits = new InitKind[dense.Count];
        var rates = new double[dense.Count];
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
                    break;
                case LayerKind.Conv1D:
                case LayerKind.Conv2D:
                    units[i] = ReadSize(attribute, $"Layer {i} ({kinds[i]}) filters", "filters");
                    kernels[i] = ReadSize(attribute, $"Layer {i} ({kinds[i]}) kernel size", "kernelSize", position: 1, limit: Limits.MaxWindow);
                    activations[i] = ReadEnum<ActivationKind>(attribute, 2, $"Layer {i} activation", "Activation");
                    inits[i] = ReadNamedEnum<InitKind>(attribute, "Init", $"Layer {i} Init", "Init");
                    strides[i] = ReadNamedInt(attribute, "Stride", 1);
                    paddings[i] = ReadNamedInt(attribute, "Padding", 0);
                    dilations[i] = ReadNamedInt(attribute, "Dilation", 1);
                    break;
                case LayerKind.MaxPool1D:
                case LayerKind.MaxPool2D:
                case LayerKind.AvgPool1D:
                case LayerKind.AvgPool2D:
                    units[i] = ReadSize(attribute, $"Layer {i} ({kinds[i]}) size", "size", limit: Limits.MaxWindow);
                    break;
                case LayerKind.Activation:
                    activations[i] = ReadEnum<ActivationKind>(attribute, 0, $"Layer {i} activation", "Activation");
                    break;
                case LayerKind.Dropout:
                    rates[i] = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is double rate ? rate : double.NaN;
                    if (!(rates[i] >= 0 && rates[i] < 1))
                    {
                        Report(DiagnosticDescriptors.DropoutRateOutOfRange, ArgumentLocation(attribute, 0, null), i,
                            rates[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    break;
            }
        }

        // Second pass: shapes, placement rules, offsets and the models.
        var layers = ImmutableArray.CreateBuilder<LayerModel>(dense.Count);
        long offset = 0;
        long stateOffset = 0;
        ValueShape? shape = inputShape; // the values reaching layer i; null once unknown (an error was reported)
        int weightIndex = -1;            // Index: counts Dense and convolution layers
        LayerKind weightKind = LayerKind.Dense;
        int lastDense = -1;
        bool weightHasBatchNorm = false;
        for (int i = 0; i < dense.Count; i++)
        {
            AttributeData attribute = dense[i];
            LayerKind kind = kinds[i];
            bool onlyDropoutAfter = true;
            for (int j = i + 1; j < dense.Count; j++) onlyDropoutAfter &= kinds[j] == LayerKind.Dropout;
            if (activations[i] == ActivationKind.Softmax && !onlyDropoutAfter)
            {
                int activationArgument = kind switch { LayerKind.Dense => 1, LayerKind.Conv1D or LayerKind.Conv2D => 2, _ => 0 };
                Report(DiagnosticDescriptors.SoftmaxNotLast, ArgumentLocation(attribute, activationArgument, null),
                    i, kind switch
                    {
                        LayerKind.Dense => $"Dense, {units[i]} units",
                        LayerKind.Conv1D or LayerKind.Conv2D => $"{kind}, {units[i]} filters",
                        _ => "Activation",
                    });
            }

            ValueShape? inShape = shape;
            ValueShape? outShape = inShape;
            WindowModel? window = null;
            long parameters = 0;
            long layerOffset = offset;
            long layerStateOffset = 0;
            switch (kind)
            {
                case LayerKind.Dense:
                    weightIndex++;
                    weightKind = kind;
                    lastDense = i;
                    weightHasBatchNorm = false;
                    outShape = ValueShape.Flat(units[i]);
                    parameters = (long)Math.Max(inShape?.Size ?? 0, 0) * Math.Max(units[i], 0) + Math.Max(units[i], 0);
                    if (precision == Precision.Int8 && inShape is not null && inShape.Size > Int8Quantization.MaxFanIn)
                    {
                        Report(DiagnosticDescriptors.Int8FanInOverflow, AttributeLocation(attribute), i, inShape.Size, Int8Quantization.MaxFanIn);
                    }
                    break;
                case LayerKind.Conv1D:
                case LayerKind.Conv2D:
                    weightIndex++;
                    weightKind = kind;
                    weightHasBatchNorm = false;
                    (outShape, window) = ConvolutionShape(attribute, i, kind, inShape, inputShape, lastDense, units[i], kernels[i], strides[i], paddings[i], dilations[i]);
                    // Past the limits the filters or kernel are already reported: no parameter count made of them.
                    if (inShape is not null && units[i] <= Limits.MaxUnits && kernels[i] <= Limits.MaxWindow)
                    {
                        long area = kind == LayerKind.Conv2D ? (long)kernels[i] * kernels[i] : kernels[i];
                        parameters = (long)Math.Max(units[i], 0) * inShape.Channels * Math.Max(area, 0) + Math.Max(units[i], 0);
                        if (precision == Precision.Int8 && inShape.Channels * area > Int8Quantization.MaxFanIn)
                        {
                            Report(DiagnosticDescriptors.Int8FanInOverflow, AttributeLocation(attribute), i, inShape.Channels * area, Int8Quantization.MaxFanIn);
                        }
                    }
                    break;
                case LayerKind.MaxPool1D:
                case LayerKind.MaxPool2D:
                case LayerKind.AvgPool1D:
                case LayerKind.AvgPool2D:
                case LayerKind.GlobalAveragePool:
                    (outShape, window) = PoolingShape(attribute, i, kind, inShape, lastDense, units[i]);
                    break;
                case LayerKind.BatchNorm:
                    if (weightIndex < 0 || weightHasBatchNorm)
                    {
                        Report(DiagnosticDescriptors.BatchNormPlacement, AttributeLocation(attribute), i,
                            weightIndex < 0 ? "comes before any Dense layer or convolution" : $"is the second [BatchNorm] for {weightKind} layer {weightIndex}");
                    }
                    weightHasBatchNorm = true;
                    int features = inShape?.Channels ?? 0;
                    parameters = 2L * features;
                    layerStateOffset = stateOffset;
                    stateOffset += 2L * features;
                    break;
            }

            if (outShape is not null && outShape.Rank > 0 && (long)outShape.Channels * outShape.Height * outShape.Width > Limits.MaxSampleValues)
            {
                Report(DiagnosticDescriptors.SizeLimit, AttributeLocation(attribute),
                    $"The output of layer {i} ({kind}, {outShape})", (long)outShape.Channels * outShape.Height * outShape.Width, Limits.MaxSampleValues);
                outShape = null;
            }

            if (offset + parameters > Limits.MaxParameters && offset <= Limits.MaxParameters)
            {
                Report(DiagnosticDescriptors.SizeLimit, AttributeLocation(attribute),
                    $"The parameter count of '{type.Name}' up to layer {i}", offset + parameters, Limits.MaxParameters);
            }
            offset += parameters;

            if (!_failed && inShape is not null && outShape is not null)
            {
                ActivationKind effective = EffectiveActivation(i, kinds, activations);
                layers.Add(new LayerModel(
                    kind, i, Math.Max(weightIndex, 0), inShape.Size, outShape.Size, activations[i],
                    inits[i], ResolveInit(inits[i], effective), effective, (int)layerOffset, (int)layerStateOffset, rates[i],
                    inShape, outShape, window));
            }
            shape = outShape;
        }

        if (_failed || inputShape is null)
        {
            return null;
        }

        _networkAttribute = network;
        _layerAttributes = dense;
        return new NetworkModel(
            DeclarationModel(type),
            loss,
            inputShape,
            new EquatableArray<LayerModel>(layers.ToImmutable()),
            (int)offset,
            (int)stateOffset,
            NetworkModel.TensorsOf(layers),
            EmitConstructors: type.InstanceConstructors.All(c => c.IsImplicitlyDeclared),
            BakedWeights: WeightsReferenceParser.Read(network, _cancellationToken),
            Precision: precision);
    }

    /// <summary>The input's shape from <c>[Input(size)]</c>, <c>[Input(channels, length)]</c> or <c>[Input(channels, height, width)]</c>; null when invalid.</summary>
    private ValueShape? ReadInputShape(AttributeData input)
    {
        int rank = input.ConstructorArguments.Length - 1;
        if (rank <= 0)
        {
            int size = ReadSize(input, "The input size", "[Input] size");
            return size > 0 && size <= Limits.MaxUnits ? ValueShape.Flat(size) : null;
        }
        string[] names = rank == 1 ? new[] { "channels", "length" } : new[] { "channels", "height", "width" };
        var dims = new int[names.Length];
        bool valid = true;
        for (int d = 0; d < names.Length; d++)
        {
            dims[d] = ReadSize(input, $"The input {names[d]}", names[d], position: d, limit: int.MaxValue);
            valid &= dims[d] > 0;
        }
        if (!valid) return null;
        // decimal: three dimensions of up to int.MaxValue multiply past long (2^93); a wrapped product would pass.
        decimal total = 1;
        foreach (int d in dims) total *= d;
        if (total > Limits.MaxSampleValues)
        {
            Report(DiagnosticDescriptors.SizeLimit, AttributeLocation(input),
                $"The input size ({string.Join("×", dims)})", total, Limits.MaxSampleValues);
            return null;
        }
        return rank == 1 ? new ValueShape(1, dims[0], 1, dims[1]) : new ValueShape(2, dims[0], dims[1], dims[2]);
    }

    /// <summary>1 for the 1-D layers, 2 for the 2-D ones, 0 for global average pooling (either).</summary>
    private static int Dimensions(LayerKind kind) => kind switch
    {
        LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D => 1,
        LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D => 2,
        _ => 0,
    };

    /// <summary>
    /// Checks that a convolution or pooling layer gets values of its own dimensionality (BPG0121) with a shape at all
    /// (BPG0122). False when it does not (reported).
    /// </summary>
    private bool CheckShapedInput(AttributeData attribute, int position, LayerKind kind, ValueShape? input, int lastDense)
    {
        if (input is null) return false;
        if (input.Rank == 0)
        {
            string why = lastDense >= 0
                ? $"it follows Dense layer {lastDense}, whose output is a flat vector of {input.Size} values"
                : $"the network's input is a flat vector of {input.Size} values ([Input({input.Size})])";
            string fix = lastDense >= 0
                ? "put every convolution and pooling layer before the first [Dense] (a Dense layer flattens what reaches it)"
                : "declare the input's shape: [Input(channels, length)] for a signal or [Input(channels, height, width)] for an image";
            Report(DiagnosticDescriptors.ShapedInputRequired, AttributeLocation(attribute), position, kind, why, fix);
            return false;
        }
        int dimensions = Dimensions(kind);
        if (dimensions != 0 && dimensions != input.Rank)
        {
            string what = input.Rank == 1 ? "a 1-D signal (channels × length)" : "an image (channels × height × width)";
            string other = kind.ToString().Replace(dimensions == 1 ? "1D" : "2D", dimensions == 1 ? "2D" : "1D");
            string fix = input.Rank == 2
                ? $"use [{other}] on images, or declare a signal as [Input(channels, length)]"
                : $"use [{other}] on signals, or declare an image as [Input(channels, height, width)]";
            Report(DiagnosticDescriptors.DimensionMismatch, AttributeLocation(attribute), position, kind, dimensions, input, what, fix);
            return false;
        }
        return true;
    }

    private (ValueShape?, WindowModel?) ConvolutionShape(AttributeData attribute, int position, LayerKind kind, ValueShape? input,
        ValueShape? networkInput, int lastDense, int filters, int kernel, int stride, int padding, int dilation)
    {
        bool shaped = CheckShapedInput(attribute, position, kind, input, lastDense);
        string at = input is null ? "" : $" on {input} input";
        // Filters or a kernel out of range are reported by ReadSize already: no second error for the same argument.
        bool valid = filters > 0 && filters <= Limits.MaxUnits && kernel > 0 && kernel <= Limits.MaxWindow;
        valid &= CheckConvArgument(attribute, position, kind, "Stride", stride, 1, at, "the step between output positions must be at least 1 (Stride = 1 is every position)");
        valid &= CheckConvArgument(attribute, position, kind, "Dilation", dilation, 1, at, "the spacing between taps must be at least 1 (Dilation = 1 is adjacent taps)");
        valid &= CheckConvArgument(attribute, position, kind, "Padding", padding, 0, at, "the zeros added on each side cannot be negative (Padding = 0 adds none)");
        if (!shaped || !valid || input is null) return (null, null);

        int outHeight = kind == LayerKind.Conv2D ? ConvShape.OutputLength(input.Height, kernel, stride, padding, dilation) : 1;
        int outWidth = ConvShape.OutputLength(input.Width, kernel, stride, padding, dilation);
        if (outHeight <= 0 || outWidth <= 0)
        {
            ReportEmptyConvolution(attribute, position, kind, input, networkInput, kernel, padding, dilation);
            return (null, null);
        }
        return (new ValueShape(input.Rank, filters, outHeight, outWidth),
                new WindowModel(kernel, stride, padding, dilation, kind == LayerKind.Conv2D ? kernel : 1));
    }

    private bool CheckConvArgument(AttributeData attribute, int position, LayerKind kind, string name, int value, int minimum, string at, string why)
    {
        if (value < minimum)
        {
            Report(DiagnosticDescriptors.ConvArgumentOutOfRange, ArgumentLocation(attribute, -1, name), position, kind, name, value, at, why);
            return false;
        }
        if (value > Limits.MaxWindow)
        {
            Report(DiagnosticDescriptors.SizeLimit, ArgumentLocation(attribute, -1, name), $"Layer {position} ({kind}) {name}", value, Limits.MaxWindow);
            return false;
        }
        return true;
    }

    /// <summary>
    /// BPG0120 for a convolution, on its kernel argument, judged on the shorter axis (a square kernel must fit both).
    /// Carries the 'same' padding (d·(k − 1) / 2 rounded up, which always gives output) for the code fix.
    /// </summary>
    private void ReportEmptyConvolution(AttributeData attribute, int position, LayerKind kind, ValueShape input, ValueShape? networkInput,
        int kernel, int padding, int dilation)
    {
        bool rows = kind == LayerKind.Conv2D && input.Height < input.Width;
        int n = rows ? input.Height : input.Width;
        string axis = kind == LayerKind.Conv1D ? "positions" : input.Height == input.Width ? "rows and columns" : rows ? "rows" : "columns";
        long span = (long)dilation * (kernel - 1) + 1;
        long padded = (long)n + 2L * padding;
        long maxKernel = (padded - 1) / dilation + 1;
        long neededPadding = (span - n + 1) / 2;
        long samePadding = span / 2;
        bool shrunk = networkInput is not null && input.Positions < networkInput.Positions;
        string described = $"{kind} kernel {kernel} on {input} input with padding {padding}" + (dilation > 1 ? $" and dilation {dilation}" : "");
        string fix = $"the kernel spans {span} positions but the padded input has {padded} {axis}; use a kernel of at most {maxKernel}"
            + (dilation > 1 ? ", a smaller Dilation" : "")
            + $", Padding = {neededPadding} or more" + (span % 2 == 1 ? $" ({samePadding} keeps the size at stride 1)" : "")
            + (shrunk ? $", or less pooling or striding before it (the network's input is {networkInput})" : "");
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (samePadding <= Limits.MaxWindow)
        {
            properties = properties.Add(DiagnosticDescriptors.FittingPaddingProperty, samePadding.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Report(DiagnosticDescriptors.EmptyOutput, ArgumentLocation(attribute, 1, null), properties, position, described, fix);
    }

    private (ValueShape?, WindowModel?) PoolingShape(AttributeData attribute, int position, LayerKind kind, ValueShape? input, int lastDense, int size)
    {
        if (!CheckShapedInput(attribute, position, kind, input, lastDense) || input is null) return (null, null);
        if (kind == LayerKind.GlobalAveragePool)
        {
            return (new ValueShape(input.Rank, input.Channels, 1, 1), new WindowModel(input.Width, input.Width, 0, 1, input.Height));
        }
        if (size <= 0 || size > Limits.MaxWindow) return (null, null); // reported by ReadSize
        bool twoD = Dimensions(kind) == 2;
        if (size > input.Width || (twoD && size > input.Height))
        {
            string plane = twoD ? $"{input.Height}×{input.Width}" : input.Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
            int most = twoD ? Math.Min(input.Height, input.Width) : input.Width;
            Report(DiagnosticDescriptors.EmptyOutput, ArgumentLocation(attribute, 0, null), position,
                $"{kind} window {size} on {input} input",
                $"the window is larger than the {plane} positions of each channel; use a window of at most {most}, or remove this pooling layer or one before it");
            return (null, null);
        }
        return (new ValueShape(input.Rank, input.Channels, twoD ? input.Height / size : 1, input.Width / size),
                new WindowModel(size, size, 0, 1, twoD ? size : 1));
    }

    /// <summary>
    /// The activation a Dense or convolution layer's initializer is chosen for: its own, or when it is Linear and
    /// followed (past any BatchNorm, Dropout and pooling layers) by an [Activation] layer, that layer's.
    /// </summary>
    public static ActivationKind EffectiveActivation(int position, IReadOnlyList<LayerKind> kinds, IReadOnlyList<ActivationKind> activations)
    {
        if (kinds[position] is not (LayerKind.Dense or LayerKind.Conv1D or LayerKind.Conv2D) || activations[position] != ActivationKind.Linear)
        {
            return activations[position];
        }
        for (int j = position + 1; j < kinds.Count; j++)
        {
            if (kinds[j] == LayerKind.Activation) return activations[j];
            if (kinds[j] is not (LayerKind.BatchNorm or LayerKind.Dropout or LayerKind.MaxPool1D or LayerKind.MaxPool2D or
                LayerKind.AvgPool1D or LayerKind.AvgPool2D or LayerKind.GlobalAveragePool)) break;
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

    private int ReadSize(AttributeData attribute, string what, string parameter, int position = 0, int limit = Limits.MaxUnits)
    {
        if (attribute.ConstructorArguments.Length <= position || attribute.ConstructorArguments[position].Value is not int value)
        {
            _failed = true;
            return 0;
        }
        if (value <= 0)
        {
            Report(DiagnosticDescriptors.NonPositiveSize, ArgumentLocation(attribute, position, null), what, value);
        }
        else if (value > limit)
        {
            Report(DiagnosticDescriptors.SizeLimit, ArgumentLocation(attribute, position, null), what, value, limit);
        }
        return value;
    }

    /// <summary>A named int argument (<c>Stride = 2</c>), or <paramref name="fallback"/> (the attribute's default) when left out.</summary>
    private static int ReadNamedInt(AttributeData attribute, string name, int fallback)
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == name && named.Value.Value is int value) return value;
        }
        return fallback;
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

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] args) =>
        Report(descriptor, location, ImmutableDictionary<string, string?>.Empty, args);

    private void Report(DiagnosticDescriptor descriptor, Location? location, ImmutableDictionary<string, string?> properties, params object[] args)
    {
        _failed = true;
        _report?.Invoke(Diagnostic.Create(descriptor, location ?? Location.None, properties, args));
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
