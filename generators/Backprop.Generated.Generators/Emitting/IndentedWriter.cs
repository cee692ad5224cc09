using System;
using System.Globalization;
using System.Text;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>A minimal indented text writer (System.CodeDom's IndentedTextWriter is not in netstandard2.0's surface we want).</summary>
internal sealed class IndentedWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void Line() => _builder.Append('\n');

    public void Line(string text)
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < _indent; i++) _builder.Append(IndentUnit);
            _builder.Append(text);
        }
        _builder.Append('\n');
    }

    /// <summary>Writes a "{" line and indents until the returned scope is disposed.</summary>
    public Scope Block(string? header = null)
    {
        if (header is not null) Line(header);
        Line("{");
        _indent++;
        return new Scope(this);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _builder.ToString();

    internal readonly struct Scope : IDisposable
    {
        private readonly IndentedWriter _writer;

        public Scope(IndentedWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}

/// <summary>Culture-invariant literals for generated code.</summary>
internal static class Literal
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double as written by the user, e.g. <c>0.5</c>.</summary>
    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float literal that round-trips, e.g. <c>0.01f</c>, <c>1f</c>.</summary>
    public static string Float(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text + "f";
    }
}
