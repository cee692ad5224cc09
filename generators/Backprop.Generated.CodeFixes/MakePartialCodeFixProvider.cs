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

    /// <summary>
    /// Not the batch fixer: two networks nested in one non-partial type would both add <c>partial</c> to it, and the
    /// batch fixer drops the second of two overlapping edits. This one collects every type first and edits once.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => MakeAllPartial.Instance;

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
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        return model?.GetDeclaredSymbol(declaration, cancellationToken) is INamedTypeSymbol type
            ? await MakePartialAsync(document.Project.Solution, new[] { type }, cancellationToken).ConfigureAwait(false)
            : document.Project.Solution;
    }

    /// <summary>Adds <c>partial</c> to every declaration of <paramref name="types"/> and of their containing types, each once.</summary>
    private static async Task<Solution> MakePartialAsync(Solution solution, IEnumerable<INamedTypeSymbol> types, CancellationToken cancellationToken)
    {
        // Every declaration that is not partial yet, grouped by file; a set, since networks share containing types.
        var targets = new Dictionary<SyntaxTree, HashSet<TypeDeclarationSyntax>>();
        foreach (INamedTypeSymbol type in types)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                foreach (SyntaxReference reference in current.DeclaringSyntaxReferences)
                {
                    if (await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is TypeDeclarationSyntax syntax &&
                        !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        if (!targets.TryGetValue(syntax.SyntaxTree, out HashSet<TypeDeclarationSyntax>? set))
                        {
                            targets[syntax.SyntaxTree] = set = new HashSet<TypeDeclarationSyntax>();
                        }
                        set.Add(syntax);
                    }
                }
            }
        }

        foreach (KeyValuePair<SyntaxTree, HashSet<TypeDeclarationSyntax>> target in targets)
        {
            DocumentId? id = solution.GetDocumentId(target.Key);
            if (id is null)
            {
                continue; // e.g. generated code, which is not the user's to edit
            }
            SyntaxNode root = await target.Key.GetRootAsync(cancellationToken).ConfigureAwait(false);
            SyntaxNode newRoot = root.ReplaceNodes(target.Value, (_, rewritten) => AddPartial(rewritten));
            solution = solution.WithDocumentSyntaxRoot(id, newRoot);
        }
        return solution;
    }

    /// <summary>The network types the diagnostics of <paramref name="document"/> are reported on.</summary>
    private static async Task<IEnumerable<INamedTypeSymbol>> TypesAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var types = new List<INamedTypeSymbol>();
        if (root is null || model is null)
        {
            return types;
        }
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is TypeDeclarationSyntax declaration &&
                model.GetDeclaredSymbol(declaration, cancellationToken) is INamedTypeSymbol type)
            {
                types.Add(type);
            }
        }
        return types;
    }

    private sealed class MakeAllPartial : FixAllProvider
    {
        public static readonly MakeAllPartial Instance = new();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
            new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext context) => Task.FromResult<CodeAction?>(
            CodeAction.Create("Make every network type partial", ct => FixAllAsync(context, ct), Key));

        private static async Task<Solution> FixAllAsync(FixAllContext context, CancellationToken cancellationToken)
        {
            IEnumerable<Document> documents = context.Scope switch
            {
                FixAllScope.Document when context.Document is not null => new[] { context.Document },
                FixAllScope.Project => context.Project.Documents,
                FixAllScope.Solution => context.Solution.Projects.SelectMany(p => p.Documents),
                _ => Enumerable.Empty<Document>(),
            };
            var types = new List<INamedTypeSymbol>();
            foreach (Document document in documents)
            {
                ImmutableArray<Diagnostic> diagnostics = await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false);
                if (!diagnostics.IsEmpty)
                {
                    types.AddRange(await TypesAsync(document, diagnostics, cancellationToken).ConfigureAwait(false));
                }
            }
            return await MakePartialAsync(context.Solution, types, cancellationToken).ConfigureAwait(false);
        }
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
