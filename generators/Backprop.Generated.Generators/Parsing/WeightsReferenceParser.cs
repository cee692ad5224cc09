using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Generated.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generated.Generators.Parsing;

/// <summary>Reads <c>Weights = "file"</c> from a [Network] attribute.</summary>
internal static class WeightsReferenceParser
{
    public const string PropertyName = "Weights";

    public const string NamesPropertyName = "WeightNames";

    /// <summary>The reference, or null when the attribute has no (or a null) <c>Weights</c>.</summary>
    public static WeightsReference? Read(AttributeData network, CancellationToken cancellationToken)
    {
        Shared.WeightNames names = Shared.WeightNames.Network;
        foreach (KeyValuePair<string, TypedConstant> named in network.NamedArguments)
        {
            if (named.Key == NamesPropertyName && named.Value.Value is int value)
            {
                names = (Shared.WeightNames)value;
            }
        }
        foreach (KeyValuePair<string, TypedConstant> named in network.NamedArguments)
        {
            if (named.Key != PropertyName || named.Value.Value is not string written)
            {
                continue;
            }
            string trimmed = written.Trim();
            int slash = trimmed.LastIndexOfAny(new[] { '/', '\\' });
            string fileName = slash >= 0 ? trimmed.Substring(slash + 1) : trimmed;
            return new WeightsReference(written, fileName, LocationInfo.From(ArgumentLocation(network, cancellationToken)), names);
        }
        return null;
    }

    private static Location? ArgumentLocation(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax) return null;
        AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == PropertyName);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }
}
