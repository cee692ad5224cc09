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

/// <summary>
/// BPG0001, BPG0002, BPG0003: replaces the layer's <c>Init = ...</c> with the initializer that fits its activation,
/// or with <c>Init.Auto</c> (which resolves to the same one and follows the activation if it changes later).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InitializerCodeFixProvider)), Shared]
public sealed class InitializerCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of "Use Init.X" (the fitting initializer), for Fix All.</summary>
    public const string UseFittingKey = "BPG.Init.UseFitting";

    /// <summary>Equivalence key of "Use Init.Auto", for Fix All.</summary>
    public const string UseAutoKey = "BPG.Init.UseAuto";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.HeInitOnSaturatingLayer.Id,
        DiagnosticDescriptors.XavierInitOnReluLayer.Id,
        DiagnosticDescriptors.ZeroInit.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FittingInitProperty, out string? fitting) ||
                !Enum.TryParse(fitting, out Generators.Shared.Init kind) || kind == Generators.Shared.Init.Auto)
            {
                continue;
            }
            Register(context, diagnostic, kind.ToString(), $"Use Init.{kind}", UseFittingKey);
            Register(context, diagnostic, nameof(Generators.Shared.Init.Auto), $"Use Init.Auto (resolves to {kind})", UseAutoKey);
        }
        return Task.CompletedTask;
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, string member, string title, string key) =>
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => EnumArgumentFix.ReplaceAsync(context.Document, diagnostic.Location.SourceSpan, "Init", member, ct), key),
            diagnostic);
}
