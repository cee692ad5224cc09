using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text.Json;
using Backprop.Generated;

namespace Digits;

/// <summary>
/// The UCI handwritten digits as shipped in <c>data/</c>: 1797 images of 8x8 pixel counts (0..16) with their labels,
/// and the fixed 1437 / 360 train / test split of <c>digits_split.json</c>.
/// </summary>
public sealed class DigitsData
{
    /// <summary>Pixels per image (8x8).</summary>
    public const int PixelCount = 64;

    /// <summary>Number of classes, the digits 0 to 9.</summary>
    public const int ClassCount = 10;

    /// <summary>The largest pixel value: each pixel counts the set bits of a 4x4 block of a 32x32 bitmap.</summary>
    public const int MaxPixel = 16;

    /// <summary>The compressed CSV: one image a line, 64 pixel counts then the label, no header.</summary>
    public const string CsvFileName = "digits.csv.gz";

    /// <summary>The JSON file with the row indices of the training and test sets.</summary>
    public const string SplitFileName = "digits_split.json";

    private readonly byte[] _pixels;
    private readonly int[] _labels;

    private DigitsData(byte[] pixels, int[] labels, int[] train, int[] test)
    {
        _pixels = pixels;
        _labels = labels;
        TrainRows = train;
        TestRows = test;
    }

    /// <summary>The number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>The label (0..9) of every image, in file order.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The 64 pixel counts (0..16) of image <paramref name="row"/>, row by row.</summary>
    public ReadOnlySpan<byte> GetPixels(int row) => _pixels.AsSpan(row * PixelCount, PixelCount);

    /// <summary>The 0-based rows of the training set, in the split file's order.</summary>
    public IReadOnlyList<int> TrainRows { get; }

    /// <summary>The 0-based rows of the test set, in the split file's order.</summary>
    public IReadOnlyList<int> TestRows { get; }

    /// <summary>The folder of the data next to the program (the project copies <c>data/</c> to its output).</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>Loads <see cref="CsvFileName"/> and <see cref="SplitFileName"/> from <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A file is malformed (the message names the file and line).</exception>
    public static DigitsData Load(string? folder = null)
    {
        folder ??= DefaultFolder;
        string csvPath = Path.Combine(folder, CsvFileName);
        string splitPath = Path.Combine(folder, SplitFileName);
        (byte[] pixels, int[] labels) = ReadCsv(csvPath);
        (int[] train, int[] test) = ReadSplit(splitPath, labels.Length);
        return new DigitsData(pixels, labels, train, test);
    }

    /// <summary>
    /// The images of <paramref name="rows"/> as a data set for <see cref="DigitsNet"/>: each pixel divided by
    /// <see cref="MaxPixel"/> (so in [0, 1]), targets one-hot.
    /// </summary>
    public Dataset ToDataset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var inputs = new float[rows.Count * PixelCount];
        var labels = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            ReadOnlySpan<byte> pixels = GetPixels(rows[i]);
            for (int p = 0; p < PixelCount; p++) inputs[i * PixelCount + p] = pixels[p] / (float)MaxPixel;
            labels[i] = _labels[rows[i]];
        }
        return Dataset.FromLabels(inputs, PixelCount, labels, ClassCount);
    }

    /// <summary>The labels of <paramref name="rows"/>.</summary>
    public int[] LabelsOf(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var labels = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++) labels[i] = _labels[rows[i]];
        return labels;
    }

    private static (byte[] Pixels, int[] Labels) ReadCsv(string path)
    {
        var pixels = new List<byte>(1797 * PixelCount);
        var labels = new List<int>(1797);
        using (var file = File.OpenRead(path))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            int lineNumber = 0;
            while (reader.ReadLine() is string line)
            {
                lineNumber++;
                if (line.Length == 0) continue;
                string[] fields = line.Split(',');
                if (fields.Length != PixelCount + 1)
                    throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Length} fields; expected {PixelCount} pixels and a label.");
                for (int f = 0; f <= PixelCount; f++)
                {
                    int max = f < PixelCount ? MaxPixel : ClassCount - 1;
                    if (!int.TryParse(fields[f], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > max)
                        throw new InvalidDataException($"{path}, line {lineNumber}, field {f + 1}: '{fields[f]}' is not an integer in [0, {max}].");
                    if (f < PixelCount) pixels.Add((byte)value);
                    else labels.Add(value);
                }
            }
        }
        if (labels.Count == 0) throw new InvalidDataException($"{path}: no rows.");
        return (pixels.ToArray(), labels.ToArray());
    }

    private static (int[] Train, int[] Test) ReadSplit(string path, int rowCount)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        int[] train = ReadIndices(root, "train", path);
        int[] test = ReadIndices(root, "test", path);
        var seen = new bool[rowCount];
        foreach (int[] part in new[] { train, test })
        {
            foreach (int row in part)
            {
                if ((uint)row >= (uint)rowCount)
                    throw new InvalidDataException($"{path}: row {row} is outside the {rowCount} rows of the data.");
                if (seen[row]) throw new InvalidDataException($"{path}: row {row} appears twice.");
                seen[row] = true;
            }
        }
        if (root.TryGetProperty("n_train", out JsonElement nTrain) && nTrain.GetInt32() != train.Length)
            throw new InvalidDataException($"{path}: n_train is {nTrain.GetInt32()} but 'train' lists {train.Length} rows.");
        if (root.TryGetProperty("n_test", out JsonElement nTest) && nTest.GetInt32() != test.Length)
            throw new InvalidDataException($"{path}: n_test is {nTest.GetInt32()} but 'test' lists {test.Length} rows.");
        return (train, test);
    }

    private static int[] ReadIndices(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            throw new InvalidDataException($"{path}: no non-empty array '{name}'.");
        var rows = new int[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out rows[i]))
                throw new InvalidDataException($"{path}: '{name}'[{i}] is not an integer row index.");
            i++;
        }
        return rows;
    }
}
