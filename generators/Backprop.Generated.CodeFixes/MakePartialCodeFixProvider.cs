using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Backprop.Generated.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generated.CodeFixes;

/// <summary>
/// BPG0100: adds <c>partial</c> to the network class and to every containing type that lacks it, on all of their
/// declarations (in any file).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key, for Fix All.</summary>
    public const string Key = "BPG.MakePartial";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotPartial.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not TypeDeclarationSyntax declaration)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create($"Make '{declaration.Identifier.ValueText}' partial",
                    ct => MakePartialAsync(context.Document, declaration, ct), Key),
                diagnostic);
        }
    }

    private static async Task<Solution> MakePartialAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        Solution solution = document.Project.Solution;
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type)
        {
            return solution;
        }

        // Every declaration of the type and of its containing types that is not partial yet, grouped by file.
        var targets = new Dictionary<SyntaxTree, List<TypeDeclarationSyntax>>();
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            foreach (SyntaxReference reference in current.DeclaringSyntaxReferences)
            {
                if (await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is TypeDeclarationSyntax syntax &&
                    !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    if (!targets.TryGetValue(syntax.SyntaxTree, out List<TypeDeclarationSyntax>? list))
                    {
                        targets[syntax.SyntaxTree] = list = new List<TypeDeclarationSyntax>();
                    }
                    list.Add(syntax);
                }
            }
        }

        foreach (KeyValuePair<SyntaxTree, List<TypeDeclarationSyntax>> target in targets)
        {
            DocumentId? id = solution.GetDocumentId(target.Key);
            if (id is null || solution.GetDocument(id) is not Document targetDocument)
            {
                continue; // e.g. a type declared in metadata or generated code
            }
            SyntaxNode root = await target.Key.GetRootAsync(cancellationToken).ConfigureAwait(false);
            SyntaxNode newRoot = root.ReplaceNodes(target.Value, (_, rewritten) => AddPartial(rewritten));
            solution = solution.WithDocumentSyntaxRoot(targetDocument.Id, newRoot);
        }
        return solution;
    }

    /// <summary>Adds <c>partial</c> last among the modifiers (it must come right before <c>class</c>), keeping trivia.</summary>
    internal static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return declaration;
        }
        if (declaration.Modifiers.Count == 0)
        {
            SyntaxToken keyword = declaration.Keyword;
            SyntaxToken partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                .WithModifiers(SyntaxFactory.TokenList(partial));
        }
        return declaration.WithModifiers(declaration.Modifiers.Add(
            SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
    }
}
