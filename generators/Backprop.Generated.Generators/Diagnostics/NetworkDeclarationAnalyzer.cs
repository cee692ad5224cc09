using System.Collections.Immutable;
using Backprop.Generated.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generated.Generators.Diagnostics;

/// <summary>
/// Reports declarations the generator cannot turn into code (BPG01nn errors), using the same parser as the
/// generator so the rules cannot drift apart.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkDeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartial,
        DiagnosticDescriptors.MissingInput,
        DiagnosticDescriptors.MissingNetwork,
        DiagnosticDescriptors.NonPositiveSize,
        DiagnosticDescriptors.NoLayers,
        DiagnosticDescriptors.SoftmaxNotLast,
        DiagnosticDescriptors.LayersAcrossPartials,
        DiagnosticDescriptors.GenericNetwork,
        DiagnosticDescriptors.UnsupportedTypeKind,
        DiagnosticDescriptors.UndefinedEnumValue,
        DiagnosticDescriptors.SizeLimit,
        DiagnosticDescriptors.DropoutRateOutOfRange,
        DiagnosticDescriptors.BatchNormPlacement,
        DiagnosticDescriptors.Int8WithoutWeights,
        DiagnosticDescriptors.Int8FanInOverflow,
        DiagnosticDescriptors.EmptyOutput,
        DiagnosticDescriptors.DimensionMismatch,
        DiagnosticDescriptors.ShapedInputRequired,
        DiagnosticDescriptors.ConvArgumentOutOfRange);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        if (context.Symbol is not INamedTypeSymbol type)
        {
            return;
        }
        bool relevant = false;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (NetworkParser.IsNetworkAttribute(attribute))
            {
                relevant = true;
                break;
            }
        }
        if (relevant)
        {
            NetworkParser.Parse(type, context.CancellationToken, context.ReportDiagnostic);
        }
    }
}
