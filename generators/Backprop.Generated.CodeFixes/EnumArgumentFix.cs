using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.CodeFixes;

/// <summary>Replaces the enum value of an attribute argument (<c>Init = Init.HeUniform</c>, <c>Loss.Hinge</c>).</summary>
internal static class EnumArgumentFix
{
    /// <summary>The attribute argument a diagnostic is located on, or null.</summary>
    public static AttributeArgumentSyntax? FindArgument(SyntaxNode root, TextSpan span) =>
        root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();

    /// <summary>
    /// Sets the argument's value to <paramref name="enumName"/>.<paramref name="member"/>. When the user wrote
    /// <c>X.Member</c> only the member name changes, keeping their qualification; otherwise (a cast, a constant)
    /// the value becomes the fully qualified member, simplified against the file's usings.
    /// </summary>
    public static async Task<Document> ReplaceAsync(Document document, TextSpan span, string enumName, string member, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || FindArgument(root, span) is not AttributeArgumentSyntax argument)
        {
            return document;
        }
        ExpressionSyntax expression = argument.Expression;
        ExpressionSyntax replacement;
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (expression is MemberAccessExpressionSyntax { Name: IdentifierNameSyntax name } access &&
            model?.GetSymbolInfo(access, cancellationToken).Symbol is IFieldSymbol { ContainingType: { } type } &&
            type.ToDisplayString() == "Backprop.Generated." + enumName)
        {
            replacement = access.WithName(SyntaxFactory.IdentifierName(member).WithTriviaFrom(name));
        }
        else
        {
            replacement = SyntaxFactory.ParseExpression($"global::Backprop.Generated.{enumName}.{member}")
                .WithTriviaFrom(expression)
                .WithAdditionalAnnotations(Simplifier.Annotation);
        }
        return document.WithSyntaxRoot(root.ReplaceNode(expression, replacement));
    }
}
