using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace EmbeddedInference;

/// <summary>
/// The 360 test images of the fixed digits split (digits_test.csv: one image a line, 64 pixel counts 0..16 then the
/// label), scaled as the Digits sample trained on them: pixel / 16.
/// </summary>
internal sealed class TestDigits
{
    private TestDigits(DigitsNet.Input[] images, int[] labels)
    {
        Images = images;
        Labels = labels;
    }

    public DigitsNet.Input[] Images { get; }

    public int[] Labels { get; }

    public int Count => Labels.Length;

    public static TestDigits Load(string path)
    {
        var images = new List<DigitsNet.Input>();
        var labels = new List<int>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            try
            {
                Parse(text, out DigitsNet.Input image, out int label);
                images.Add(image);
                labels.Add(label);
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"{path}, line {line}: {ex.Message}", ex);
            }
        }
        return new TestDigits(images.ToArray(), labels.ToArray());
    }

    public static void Parse(string text, out DigitsNet.Input image, out int label)
    {
        string[] fields = text.Split(',');
        if (fields.Length != DigitsNet.InputSize + 1)
        {
            throw new FormatException($"expected {DigitsNet.InputSize + 1} comma-separated integers, found {fields.Length}");
        }
        image = default;
        for (int p = 0; p < DigitsNet.InputSize; p++)
        {
            image[p] = int.Parse(fields[p], NumberStyles.None, CultureInfo.InvariantCulture) / 16f;
        }
        label = int.Parse(fields[DigitsNet.InputSize], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int j = 1; j < scores.Length; j++)
        {
            if (scores[j] > scores[best]) best = j;
        }
        return best;
    }

    public static int ArgMax(in DigitsNet.Output scores) => ArgMax((ReadOnlySpan<float>)scores);
}
