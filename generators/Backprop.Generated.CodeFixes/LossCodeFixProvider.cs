using System;
using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Backprop.Generated.Generators.Diagnostics;
using Backprop.Generated.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Backprop.Generated.CodeFixes;

/// <summary>BPG0004: switches <c>[Network(Loss.X)]</c> to the loss that fits the output layer's activation.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LossCodeFixProvider)), Shared]
public sealed class LossCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key, for Fix All.</summary>
    public const string UseFittingKey = "BPG.Loss.UseFitting";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.LossDoesNotFitOutput.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FittingLossProperty, out string? fitting) ||
                !Enum.TryParse(fitting, out Generators.Shared.Loss kind))
            {
                continue;
            }
            context.RegisterCodeFix(
                CodeAction.Create($"Use Loss.{kind}",
                    ct => EnumArgumentFix.ReplaceAsync(context.Document, diagnostic.Location.SourceSpan, "Loss", kind.ToString(), ct),
                    UseFittingKey),
                diagnostic);
        }
        return Task.CompletedTask;
    }
}
