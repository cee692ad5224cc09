using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generated.Generators.Tests.Fuzz;

/// <summary>The robustness cases: truncated attribute lists, and seeded random mutations of valid declarations.</summary>
internal static class FuzzCases
{
    private const string Using = "using Backprop.Generated;\n";

    /// <summary>A valid network, attribute by attribute; prefixes of each are fuzzed.</summary>
    public static readonly string[] Attributes =
    {
        "Network(Loss.CrossEntropy)",
        "Input(64)",
        "Dense(32, Activation.ReLU, Init = Init.HeNormal)",
        "BatchNorm",
        "Activation(Activation.Tanh)",
        "Dropout(rate: 0.25)",
        "Dense(units: 10, activation: Activation.Softmax, Init = Init.XavierUniform)",
    };

    /// <summary>A valid convolutional network, attribute by attribute (every convolution and pooling attribute, every named argument).</summary>
    public static readonly string[] ConvAttributes =
    {
        "Network(Loss.CrossEntropy)",
        "Input(channels: 3, height: 16, width: 16)",
        "Conv2D(8, 3, Activation.ReLU, Stride = 2, Padding = 1, Dilation = 1, Init = Init.HeNormal)",
        "BatchNorm",
        "MaxPool2D(size: 2)",
        "AvgPool2D(2)",
        "GlobalAveragePool",
        "Dense(10, Activation.Softmax)",
    };

    /// <summary>A valid 1-D network, for the 1-D attributes and the two-argument [Input].</summary>
    public static readonly string[] SignalAttributes =
    {
        "Network(Loss.MeanSquaredError)",
        "Input(2, 32)",
        "Conv1D(filters: 4, kernelSize: 5, activation: Activation.Tanh, Padding = 2)",
        "AvgPool1D(2)",
        "MaxPool1D(2)",
        "Dense(1)",
    };

    /// <summary>The kinds of type the attributes are put on: (attribute lines, name) → declaration.</summary>
    public static readonly (string Shape, Func<string, string, string> Declare)[] Shapes =
    {
        ("class", (attrs, name) => $"{attrs}\npublic partial class {name} {{ }}\n"),
        ("struct", (attrs, name) => $"{attrs}\npublic partial struct {name} {{ }}\n"),
        ("record", (attrs, name) => $"{attrs}\npublic partial record {name}(int X);\n"),
        ("nested", (attrs, name) => $"public static partial class Outer{name}\n{{\n    internal partial struct Mid\n    {{\n{Indent(attrs)}\n        internal sealed partial class {name} {{ }}\n    }}\n}}\n"),
    };

    private static string Indent(string lines) => string.Join("\n", lines.Split('\n').Select(l => "        " + l));

    /// <summary>A file: the usings, a namespace of its own (cases share compilations), the declaration.</summary>
    public static string File(string name, string body, bool withUsing = true) =>
        (withUsing ? Using : "") + $"namespace Fuzz.{name};\n\n" + body;

    /// <summary>
    /// Every prefix of every attribute (name and argument list), closed by nothing, ')', ']' or ')]', with the other
    /// attributes intact, on every shape.
    /// </summary>
    public static List<FuzzCase> Prefixes()
    {
        var cases = new List<FuzzCase>();
        string[] closings = { "", ")", "]", ")]" };
        foreach (string[] network in new[] { Attributes, ConvAttributes, SignalAttributes })
        {
            foreach (var (shape, declare) in Shapes)
            {
                for (int a = 0; a < network.Length; a++)
                {
                    for (int length = 0; length <= network[a].Length; length++)
                    {
                        foreach (string closing in closings)
                        {
                            string name = $"P{cases.Count}";
                            string attrs = string.Join("\n", network.Select((text, i) => i == a ? "[" + text[..length] + closing : "[" + text + "]"));
                            cases.Add(new FuzzCase(name, File(name, declare(attrs, name))));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /// <summary>Valid declarations to mutate ({N} is the type's name).</summary>
    public static readonly string[] Templates =
    {
        "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(4, Activation.Tanh)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class {N} { }\n",
        "[Network(Loss.CrossEntropy)]\n[Input(64)]\n[Dense(32, Activation.ReLU)]\n[Dense(10, Activation.Softmax, Init = Init.XavierUniform)]\npublic partial class {N} { }\n",
        "[Network(Loss.BinaryCrossEntropy)] [Input(6)] [Dense(40, Activation.LeakyReLU)] [Dense(30, Activation.Tanh)] [Dense(3, Activation.Sigmoid)] public sealed partial class {N} { }\n",
        "[Network(Loss.Hinge)]\n[Input(3)]\n[Dense(2)]\npublic partial class {N}\n{\n    public {N}(string s) { InitializeParameters(1); }\n    public int Helper() => 42;\n}\n",
        "[Network(loss: Loss.CrossEntropy)]\n[Input(size: 20)]\n[Dense(units: 16, activation: Activation.ReLU, Init = Init.HeNormal)]\n[Dense(4, Activation.Softmax)]\ninternal partial class {N} { }\n",
        "public partial class Outer{N}\n{\n    [Network(Loss.MeanSquaredError)] [Input(16)] [Dense(32, Activation.ReLU)] [Dense(17, Activation.Tanh)] [Dense(1)]\n    private partial class {N} { }\n}\n",
        "[Network(Loss.MeanSquaredError)]\n[Input(3)]\n[Dense(3, Activation.Linear)]\n[Dense(3, Activation.Sigmoid)]\n[Dense(3, Activation.Tanh)]\n[Dense(3, Activation.ReLU)]\n[Dense(3, Activation.LeakyReLU, Init = Init.LeCunNormal)]\n[Dense(3, Activation.Softmax, Init = Init.Zeros)]\npublic partial class {N} { }\n",
        "[Network(Loss.CrossEntropy), Input(784)]\n[Dense(256, Activation.ReLU), Dense(256, Activation.ReLU)]\n[Dense(10, Activation.Softmax)]\npublic partial class {N} { }\n",
        "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(4, Activation.Tanh)]\n[Dense(1, Activation.Sigmoid)]\npublic partial struct {N} { }\n",
        "[Network(Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic partial record {N}(int X);\n",
        "[Network(Loss.CrossEntropy)]\n[Input(8)]\n[Dense(16, Activation.ReLU)]\n[Dropout(0.25)]\n[Dense(3, Activation.Softmax)]\npublic partial class {N} { }\n",
        "[Network(Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(6, Activation.Linear)]\n[BatchNorm]\n[Activation(Activation.ReLU)]\n[Dropout(0.5)]\n[Dense(1)]\ninternal sealed partial class {N} { }\n",
        "[Network(Loss.MeanSquaredError)] [Input(2)] [Dense(3, Activation.ReLU)] [Dense(1)]\npublic partial class {N} { }\n\npublic partial class {N}\n{\n    public float Predict(float a, float b) { return a + b; }\n}\n",
        // Convolutional networks: the issue's two, and stacks with every layer kind and named argument.
        "[Network(Loss.CrossEntropy)]\n[Input(1, 28, 28)]\n[Conv2D(16, 5, Activation.ReLU, Padding = 2)]\n[MaxPool2D(2)]\n[Conv2D(32, 5, Activation.ReLU, Padding = 2)]\n[MaxPool2D(2)]\n[Dense(10, Activation.Softmax)]\npublic partial class {N} { }\n",
        "[Network(Loss.CrossEntropy)]\n[Input(3, 128)]\n[Conv1D(8, 5, Activation.ReLU, Stride = 2, Padding = 2)]\n[AvgPool1D(2)]\n[Conv1D(16, 3, Activation.Tanh)]\n[GlobalAveragePool]\n[Dense(4, Activation.Softmax)]\npublic partial class {N} { }\n",
        "[Network(Loss.MeanSquaredError)] [Input(2, 12, 12)] [Conv2D(4, 3, Stride = 1, Padding = 1, Dilation = 2, Init = Init.XavierUniform)] [BatchNorm] [Activation(Activation.ReLU)] [AvgPool2D(2)] [Dropout(0.25)] [Conv2D(3, 1)] [GlobalAveragePool] [Dense(2)]\ninternal sealed partial class {N} { }\n",
        "[Network(Loss.BinaryCrossEntropy)]\n[Input(channels: 4, length: 64)]\n[Conv1D(filters: 8, kernelSize: 3, activation: Activation.LeakyReLU, Dilation = 4)]\n[MaxPool1D(size: 4)]\n[Conv1D(4, 1, Stride = 2)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class {N} { }\n",
    };

    /// <summary>Values put where a literal was: zero, negatives, extremes, NaN, wrong types, undefined enum values.</summary>
    public static readonly string[] Values =
    {
        "0", "-1", "int.MaxValue", "int.MinValue", "2147483647", "-2147483648", "65536", "65537", "100000", "1000000000",
        "float.NaN", "double.NaN", "float.PositiveInfinity", "1.5f", "2.0", "\"64\"", "null", "true", "'c'", "64L", "3000000000",
        "unchecked((int)3000000000)", "0.5", "1.0", "0.999999", "-0.1", "1e300", "double.Epsilon", "(Activation)42", "(Loss)(-1)", "(Init)7", "default", "default(int)", "typeof(int)",
        "new[] { 1, 2 }", "nameof(Loss)", "Activation.Softmax", "Loss.Hinge", "Init.Zeros", "1 << 16", "0x7FFFFFFF", "-0",
        "+5", "sizeof(int)", "checked(65536 * 65536)", "(short)3", "(byte)1", "1_000", "Activation.ReLU | Activation.Tanh",
        "Missing.Value", "(Activation)int.MaxValue", "1024", "1025", "-1024", "2000", "4194304", "4194305", "46341",
    };

    /// <summary>Identifiers put where an identifier was: other attributes, other enums' members, keywords, junk.</summary>
    public static readonly string[] Identifiers =
    {
        "Activation", "Loss", "Init", "Dense", "Input", "Network", "Softmax", "ReLU", "Hinge", "CrossEntropy", "Zeros", "HeNormal",
        "NaN", "MaxValue", "Foo", "units", "activation", "init", "Units", "NetworkAttribute", "DenseAttribute", "System",
        "partial", "var", "dynamic", "object", "string", "int", "float", "Obsolete", "Serializable", "Dropout", "BatchNorm",
        "Conv1D", "Conv2D", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAveragePool", "Stride", "Padding", "Dilation",
        "filters", "kernelSize", "size", "channels", "height", "width", "length", "KernelSize", "Filters",
    };

    /// <summary>Tokens inserted anywhere.</summary>
    public static readonly string[] Junk =
    {
        ",", "(", ")", "[", "]", "=", ":", ";", "{", "}", ".", "partial", "static", "sealed", "abstract", "record", "struct",
        "class", "<T>", "where T : new()", "Init =", "Activation.", "[Dense(3)]", "[Input(2)]", "[Network(Loss.MeanSquaredError)]",
        "readonly", "ref", "\n#if X\n", "\n#endif\n", "/*", "//", "\"", "@", "?", "[assembly: Network(Loss.Hinge)]", "[return: Dense(1)]",
        "[Dense(2, Activation.Softmax)]", "[BatchNorm]", "[Dropout(0.5)]", "[Activation(Activation.ReLU)]",
        "[MaxPool2D(2)]", "[AvgPool1D(3)]", "[GlobalAveragePool]", "[Conv1D(2, 3)]", "[Conv2D(2, 3, Stride = 2)]", "[Input(1, 8, 8)]", "[Input(2, 16)]",
        "Stride = 2,", "Padding =", ", Dilation = 0", "Stride = -1", "file", "required", "params", "delegate", "operator", "this", "base",
    };

    private static readonly Regex EnumMember = new(@"\b(Activation|Loss|Init)\.[A-Za-z]+", RegexOptions.CultureInvariant);

    private static readonly Regex AttributeList = new(@"\[(Dense|Input|Network|Dropout|BatchNorm|Activation|Conv1D|Conv2D|MaxPool1D|MaxPool2D|AvgPool1D|AvgPool2D|GlobalAveragePool)(\([^\]]*\))?\]", RegexOptions.CultureInvariant);

    /// <summary><paramref name="count"/> mutated declarations, the same for the same seed.</summary>
    public static List<FuzzCase> Mutations(int seed, int count)
    {
        var random = new Random(seed);
        var cases = new List<FuzzCase>(count);
        for (int i = 0; i < count; i++)
        {
            string name = $"M{i}";
            string body = Templates[random.Next(Templates.Length)].Replace("{N}", name, StringComparison.Ordinal);
            int operations = 1 + random.Next(3);
            for (int op = 0; op < operations; op++)
            {
                body = Mutate(body, random);
            }
            bool withUsing = random.Next(10) != 0; // 10%: the using is missing
            cases.Add(new FuzzCase(name, File(name, body, withUsing)));
        }
        return cases;
    }

    private static string Mutate(string body, Random random)
    {
        int kind = random.Next(100);
        if (kind < 5)
        {
            // Repeat one attribute list: a few times, or past the layer limit.
            MatchCollection lists = AttributeList.Matches(body);
            if (lists.Count == 0) return body;
            Match list = lists[random.Next(lists.Count)];
            int times = new[] { 2, 3, 255, 257, 300 }[random.Next(5)];
            return body[..list.Index] + string.Join(" ", Enumerable.Repeat(list.Value, times)) + body[(list.Index + list.Length)..];
        }

        if (kind < 10)
        {
            // Replace an enum member (Activation.ReLU) with an odd value: (Activation)42, another enum's member, a number...
            MatchCollection members = EnumMember.Matches(body);
            if (members.Count == 0) return body;
            Match member = members[random.Next(members.Count)];
            return body[..member.Index] + Values[random.Next(Values.Length)] + body[(member.Index + member.Length)..];
        }

        List<SyntaxToken> tokens = SyntaxFactory.ParseTokens(body).Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();
        if (tokens.Count == 0) return body;
        var texts = tokens.Select(t => t.ToFullString()).ToList();
        int at = random.Next(texts.Count);
        switch (kind)
        {
            case < 22: // drop a token
                texts.RemoveAt(at);
                break;
            case < 32: // duplicate a token
                texts.Insert(at, texts[at]);
                break;
            case < 44: // swap two tokens, often neighbours
            {
                int other = random.Next(2) == 0 ? Math.Min(at + 1, texts.Count - 1) : random.Next(texts.Count);
                (texts[at], texts[other]) = (Spaced(tokens[other]), Spaced(tokens[at]));
                break;
            }
            case < 72: // replace a literal (or, failing that, any token) with an odd value
            {
                int[] literals = Enumerable.Range(0, tokens.Count).Where(j => tokens[j].IsKind(SyntaxKind.NumericLiteralToken)).ToArray();
                int j = literals.Length > 0 ? literals[random.Next(literals.Length)] : at;
                texts[j] = tokens[j].LeadingTrivia.ToFullString() + Values[random.Next(Values.Length)] + tokens[j].TrailingTrivia.ToFullString();
                break;
            }
            case < 86: // replace an identifier
            {
                int[] identifiers = Enumerable.Range(0, tokens.Count).Where(j => tokens[j].IsKind(SyntaxKind.IdentifierToken)).ToArray();
                int j = identifiers.Length > 0 ? identifiers[random.Next(identifiers.Length)] : at;
                texts[j] = tokens[j].LeadingTrivia.ToFullString() + Identifiers[random.Next(Identifiers.Length)] + tokens[j].TrailingTrivia.ToFullString();
                break;
            }
            default: // insert junk
                texts.Insert(at, " " + Junk[random.Next(Junk.Length)] + " ");
                break;
        }
        return string.Concat(texts);
    }

    private static string Spaced(SyntaxToken token) => " " + token.Text + " ";

    /// <summary>For a failure message: the cases as one C# file each, ready to paste into a regression test.</summary>
    public static string Describe(IEnumerable<FuzzCase> cases)
    {
        var text = new StringBuilder();
        foreach (FuzzCase c in cases) text.Append("// ").Append(c.Name).Append('\n').Append(c.Source).Append('\n');
        return text.ToString();
    }
}
