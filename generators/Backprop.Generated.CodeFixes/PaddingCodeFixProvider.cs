using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Backprop.Generated.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.CodeFixes;

/// <summary>
/// BPG0007 (a strided convolution that leaves its last rows or columns unread) and BPG0120 (a kernel larger than its
/// padded input): sets the convolution's <c>Padding = n</c> to the padding the analyzer computed (the smallest one that
/// reads every position, or the 'same' padding that gives output), replacing the argument or adding it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PaddingCodeFixProvider)), Shared]
public sealed class PaddingCodeFixProvider : CodeFixProvider
{
    /// <summary>Equivalence key of "Use Padding = n", for Fix All.</summary>
    public const string UsePaddingKey = "BPG.Padding";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnreadInput.Id,
        DiagnosticDescriptors.EmptyOutput.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.FittingPaddingProperty, out string? text) ||
                !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int padding))
            {
                continue;
            }
            context.RegisterCodeFix(
                CodeAction.Create($"Use Padding = {padding}", ct => SetPaddingAsync(context.Document, diagnostic.Location.SourceSpan, padding, ct), UsePaddingKey),
                diagnostic);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document> SetPaddingAsync(Document document, TextSpan span, int padding, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root?.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>() is not AttributeSyntax attribute)
        {
            return document;
        }
        LiteralExpressionSyntax value = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(padding));
        AttributeArgumentSyntax? existing = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Padding");
        AttributeSyntax replacement;
        if (existing is not null)
        {
            replacement = attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        }
        else
        {
            AttributeArgumentSyntax argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("Padding"), SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)),
                nameColon: null, value);
            AttributeArgumentListSyntax list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            var separators = list.Arguments.GetSeparators().ToList();
            if (list.Arguments.Count > 0)
            {
                separators.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
            }
            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = SyntaxFactory.SeparatedList(list.Arguments.Append(argument), separators);
            replacement = attribute.WithArgumentList(list.WithArguments(arguments));
        }
        return document.WithSyntaxRoot(root.ReplaceNode(attribute, replacement));
    }
}
