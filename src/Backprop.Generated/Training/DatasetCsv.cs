using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Backprop.Generated;

/// <summary>How <see cref="Dataset.FromCsv(string, CsvOptions)"/> reads a CSV file.</summary>
public sealed record CsvOptions
{
    /// <summary>Whether the first non-blank line holds column names. Default true.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>The label (target) column by name; needs <see cref="HasHeader"/>. Set this or <see cref="LabelIndex"/>.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The label (target) column by index from 0; negative counts from the end (-1 is the last column).</summary>
    public int? LabelIndex { get; init; }

    /// <summary>
    /// When true the labels are classes: each distinct label text becomes one output (sorted numerically when every
    /// label is a number, else ordinally), and the targets are one-hot rows (<see cref="Dataset.ClassNames"/> names
    /// them). When false (default) the label must be a number and is the single target (a regression).
    /// </summary>
    public bool Classification { get; init; }

    /// <summary>The field separator. Default <c>,</c>.</summary>
    public char Separator { get; init; } = ',';
}

public sealed partial class Dataset
{
    /// <summary>
    /// Reads a data set from a CSV file (RFC 4180: fields may be quoted, with <c>""</c> for a quote and separators or
    /// line breaks inside quotes; blank lines are skipped). Every column but the label is an input feature, in file
    /// order, parsed as an invariant-culture number.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">The label column and how to read it.</param>
    /// <exception cref="InvalidDataException">The file is malformed: a row has another number of fields than the header
    /// (or first row), a value is missing (empty) or not a number, a quote is not closed, or the label column is not
    /// found; the message names the file, the line and the column.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite (named by line, column, sample and feature), or
    /// no label column is set.</exception>
    public static Dataset FromCsv(string path, CsvOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return FromCsv(reader, options, path);
    }

    /// <summary>Reads a data set from CSV text, as <see cref="FromCsv(string, CsvOptions)"/>; <paramref name="name"/> names it in messages.</summary>
    public static Dataset FromCsv(TextReader reader, CsvOptions options, string name = "(text)")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LabelColumn is null && options.LabelIndex is null)
            throw new ArgumentException("Set CsvOptions.LabelColumn (by name) or CsvOptions.LabelIndex (by position) to say which column is the label.", nameof(options));
        if (options.LabelColumn is not null && !options.HasHeader)
            throw new ArgumentException("CsvOptions.LabelColumn needs a header (HasHeader = true); use LabelIndex for a file without one.", nameof(options));

        var rows = new List<(int Line, List<string> Fields)>();
        foreach (var row in ReadCsvRows(reader, options.Separator, name)) rows.Add(row);
        if (rows.Count == 0) throw new InvalidDataException($"CSV '{name}': the file holds no rows.");

        List<string>? header = null;
        if (options.HasHeader)
        {
            header = rows[0].Fields;
            rows.RemoveAt(0);
            if (rows.Count == 0) throw new InvalidDataException($"CSV '{name}': the file has a header but no data rows.");
        }
        int width = header?.Count ?? rows[0].Fields.Count;
        if (width < 2) throw new InvalidDataException($"CSV '{name}': {width} column; a data set needs a label column and at least one feature.");
        string ColumnName(int c) => header is null ? $"column {c}" : $"column {c} '{header[c]}'";

        int label;
        if (options.LabelColumn is string labelName)
        {
            label = header!.IndexOf(labelName);
            if (label < 0) throw new InvalidDataException($"CSV '{name}': no column is named '{labelName}'; the header has {string.Join(", ", header)}.");
        }
        else
        {
            int index = options.LabelIndex!.Value;
            label = index < 0 ? width + index : index;
            if (label < 0 || label >= width) throw new InvalidDataException($"CSV '{name}': label index {index} is outside the {width} columns.");
        }

        int features = width - 1;
        var inputs = new float[checked(rows.Count * features)];
        var labels = new string[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            var (line, fields) = rows[r];
            if (fields.Count != width)
                throw new InvalidDataException($"CSV '{name}', line {line}: {fields.Count} fields, but the {(header is null ? "first row" : "header")} has {width}.");
            int f = 0;
            for (int c = 0; c < width; c++)
            {
                string text = fields[c].Trim();
                if (text.Length == 0)
                    throw new InvalidDataException($"CSV '{name}', line {line}, {ColumnName(c)}: the value is missing. Fill or drop missing values before loading.");
                if (c == label)
                {
                    labels[r] = text;
                    continue;
                }
                inputs[r * features + f] = ParseNumber(text, name, line, ColumnName(c), r, f);
                f++;
            }
        }

        string[]? featureNames = null;
        if (header is not null)
        {
            featureNames = new string[features];
            for (int c = 0, f = 0; c < width; c++)
            {
                if (c != label) featureNames[f++] = header[c];
            }
        }
        if (!options.Classification)
        {
            var targets = new float[rows.Count];
            for (int r = 0; r < rows.Count; r++) targets[r] = ParseNumber(labels[r], name, rows[r].Line, ColumnName(label), r, -1);
            return new Dataset(inputs, targets, features, 1).WithNames(featureNames, null);
        }

        var classes = new List<string>(new HashSet<string>(labels, StringComparer.Ordinal));
        bool numeric = classes.TrueForAll(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        classes.Sort(numeric
            ? (a, b) => double.Parse(a, CultureInfo.InvariantCulture).CompareTo(double.Parse(b, CultureInfo.InvariantCulture))
            : StringComparer.Ordinal.Compare);
        if (classes.Count < 2) throw new InvalidDataException($"CSV '{name}': the label column holds one class ('{classes[0]}'); a classification needs at least two.");
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < classes.Count; k++) indexOf[classes[k]] = k;
        var classLabels = new int[rows.Count];
        for (int r = 0; r < rows.Count; r++) classLabels[r] = indexOf[labels[r]];
        return FromLabels(inputs, features, classLabels, classes.Count).WithNames(featureNames, classes);
    }

    private static float ParseNumber(string text, string file, int line, string column, int sample, int feature)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new InvalidDataException($"CSV '{file}', line {line}, {column}: '{Shorten(text)}' is not a number (invariant culture, '.' for decimals).");
        float f = (float)value;
        if (!float.IsFinite(f))
            throw new ArgumentException(
                $"CSV '{file}', line {line}, {column} (sample {sample}, {(feature < 0 ? "the label" : $"feature {feature}")}) is {text}: a data set must hold finite numbers.");
        return f;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text.Substring(0, 40) + "...";

    /// <summary>RFC 4180 rows with the line each starts on; blank lines (outside quotes) are skipped.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> ReadCsvRows(TextReader reader, char separator, string name)
    {
        int line = 1;
        var field = new StringBuilder();
        var fields = new List<string>();
        int rowLine = 1;
        bool inQuotes = false, quotedField = false, anyContent = false;
        while (true)
        {
            int read = reader.Read();
            if (read < 0)
            {
                if (inQuotes) throw new InvalidDataException($"CSV '{name}', line {rowLine}: a quoted field is not closed before the end of the file.");
                if (anyContent)
                {
                    fields.Add(field.ToString());
                    yield return (rowLine, fields);
                }
                yield break;
            }
            char ch = (char)read;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            if (ch == '"' && field.Length == 0 && !quotedField)
            {
                inQuotes = quotedField = anyContent = true;
            }
            else if (ch == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                quotedField = false;
                anyContent = true;
            }
            else if (ch == '\r' || ch == '\n')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                if (anyContent || field.Length > 0)
                {
                    fields.Add(field.ToString());
                    yield return (rowLine, fields);
                    fields = new List<string>();
                }
                field.Clear();
                quotedField = false;
                anyContent = false;
                line++;
                rowLine = line;
            }
            else
            {
                if (quotedField) throw new InvalidDataException($"CSV '{name}', line {line}: text after a closing quote ('{ch}'); quote the whole field.");
                if (!char.IsWhiteSpace(ch)) anyContent = true;
                field.Append(ch);
            }
        }
    }
}
