using System;
using System.Globalization;
using System.Text;

namespace Backprop.Generated.Samples.Charts;

/// <summary>
/// A minimal SVG writer: elements with attributes, text escaped for XML, every number written with the invariant
/// culture and at most three decimals, so the output is identical on every machine.
/// </summary>
public sealed class SvgWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Starts the document: an XML declaration and an <c>svg</c> element of the given size.</summary>
    public SvgWriter(double width, double height)
    {
        _text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        _text.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Number(width)).Append("\" height=\"").Append(Number(height))
            .Append("\" viewBox=\"0 0 ").Append(Number(width)).Append(' ').Append(Number(height))
            .Append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
        _depth = 1;
    }

    /// <summary>A number as SVG wants it: invariant culture, up to three decimals, no exponent.</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "SVG coordinates must be finite.");
        string text = Math.Round(value, 3).ToString("0.###", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    /// <summary>Opens a group (<c>g</c>) with the given attributes (name, value pairs).</summary>
    public SvgWriter BeginGroup(params (string Name, object Value)[] attributes)
    {
        Indent().Append("<g");
        AppendAttributes(attributes);
        _text.Append(">\n");
        _depth++;
        return this;
    }

    /// <summary>Closes the innermost group.</summary>
    public SvgWriter EndGroup()
    {
        _depth--;
        Indent().Append("</g>\n");
        return this;
    }

    /// <summary>An empty element such as <c>line</c>, <c>rect</c> or <c>polyline</c>.</summary>
    public SvgWriter Element(string name, params (string Name, object Value)[] attributes)
    {
        Indent().Append('<').Append(name);
        AppendAttributes(attributes);
        _text.Append("/>\n");
        return this;
    }

    /// <summary>An element with text content (escaped), such as <c>text</c> or <c>title</c>.</summary>
    public SvgWriter TextElement(string name, string content, params (string Name, object Value)[] attributes)
    {
        Indent().Append('<').Append(name);
        AppendAttributes(attributes);
        _text.Append('>').Append(Escape(content)).Append("</").Append(name).Append(">\n");
        return this;
    }

    /// <summary>The points attribute of a polyline: <c>x,y x,y ...</c>.</summary>
    public static string Points(ReadOnlySpan<(double X, double Y)> points)
    {
        var text = new StringBuilder(points.Length * 12);
        for (int i = 0; i < points.Length; i++)
        {
            if (i > 0) text.Append(' ');
            text.Append(Number(points[i].X)).Append(',').Append(Number(points[i].Y));
        }
        return text.ToString();
    }

    /// <summary>Closes the document and returns its text.</summary>
    public override string ToString()
    {
        if (_depth != 1) throw new InvalidOperationException($"{_depth - 1} group(s) still open.");
        return _text.ToString() + "</svg>\n";
    }

    private void AppendAttributes((string Name, object Value)[] attributes)
    {
        foreach (var (name, value) in attributes)
        {
            string text = value switch
            {
                double d => Number(d),
                float f => Number(f),
                int i => i.ToString(CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            _text.Append(' ').Append(name).Append("=\"").Append(Escape(text)).Append('"');
        }
    }

    private StringBuilder Indent() => _text.Append(' ', _depth * 2);

    private static string Escape(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            result.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => c.ToString(),
            });
        }
        return result.ToString();
    }
}
