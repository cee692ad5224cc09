using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace Backprop.Generated;

/// <summary>
/// Standardizes values to zero mean and unit variance per column, as scikit-learn's <c>StandardScaler</c>:
/// <c>(x - mean) / scale</c> with the population standard deviation as the scale (1 for a constant column). Fit it on
/// the training set only and apply it to every other set and to every input at deployment, so the network sees the
/// same scaling it was trained with; <see cref="ToMetadata"/> stores it in the weights file for that.
/// </summary>
/// <example>
/// <code>
/// Standardizer scaler = Standardizer.FitInputs(train);
/// train = scaler.TransformInputs(train);
/// test = scaler.TransformInputs(test);
/// net.SaveWeights("model.safetensors", scaler.ToMetadata());
/// // at deployment:
/// Standardizer restored = Standardizer.FromWeightsFile("model.safetensors")!;
/// restored.Transform(input);                     // in place, one or more rows
/// </code>
/// </example>
public sealed class Standardizer
{
    /// <summary>The metadata key prefix <see cref="ToMetadata"/> uses unless told otherwise.</summary>
    public const string DefaultPrefix = "standardizer.inputs";

    private readonly float[] _mean;
    private readonly float[] _scale;

    /// <summary>A standardizer with the given per-column means and scales (each scale positive and finite).</summary>
    /// <exception cref="ArgumentException">The lengths differ or are 0, or a value is not finite, or a scale is not positive.</exception>
    public Standardizer(ReadOnlySpan<float> mean, ReadOnlySpan<float> scale)
    {
        if (mean.Length == 0 || mean.Length != scale.Length)
            throw new ArgumentException($"Means and scales must be the same positive length; got {mean.Length} and {scale.Length}.", nameof(scale));
        for (int i = 0; i < mean.Length; i++)
        {
            if (!float.IsFinite(mean[i])) throw new ArgumentException($"Mean {i} is {mean[i]}; it must be finite.", nameof(mean));
            if (!(scale[i] > 0) || !float.IsFinite(scale[i])) throw new ArgumentException($"Scale {i} is {scale[i]}; it must be positive and finite.", nameof(scale));
        }
        _mean = mean.ToArray();
        _scale = scale.ToArray();
    }

    /// <summary>The number of columns.</summary>
    public int Width => _mean.Length;

    /// <summary>The mean of each column in the data it was fitted on.</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>The population standard deviation of each column (1 where the column is constant).</summary>
    public ReadOnlySpan<float> Scale => _scale;

    /// <summary>Fits <paramref name="rows"/>: <paramref name="width"/> floats per row, back to back. Sums in double precision.</summary>
    /// <exception cref="ArgumentException">The length is not a positive whole number of rows.</exception>
    public static Standardizer Fit(ReadOnlySpan<float> rows, int width)
    {
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be positive.");
        if (rows.Length == 0 || rows.Length % width != 0)
            throw new ArgumentException($"{rows.Length} values are not a positive whole number of rows of {width}.", nameof(rows));
        int n = rows.Length / width;
        var sum = new double[width];
        for (int i = 0; i < rows.Length; i++) sum[i % width] += rows[i];
        var squares = new double[width];
        for (int i = 0; i < rows.Length; i++)
        {
            double d = rows[i] - sum[i % width] / n;
            squares[i % width] += d * d;
        }
        var mean = new float[width];
        var scale = new float[width];
        for (int j = 0; j < width; j++)
        {
            mean[j] = (float)(sum[j] / n);
            float s = (float)Math.Sqrt(squares[j] / n);
            scale[j] = s > 0 && float.IsFinite(s) ? s : 1f; // a constant column is left centred, not divided by 0
        }
        return new Standardizer(mean, scale);
    }

    /// <summary>Fits the input features of <paramref name="training"/> (fit on training data only).</summary>
    public static Standardizer FitInputs(Dataset training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit(training.Inputs, training.InputSize);
    }

    /// <summary>Fits the targets of <paramref name="training"/>, for a regression whose targets are far from unit scale.</summary>
    public static Standardizer FitTargets(Dataset training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit(training.Targets, training.OutputSize);
    }

    /// <summary>Standardizes <paramref name="rows"/> in place: <c>x = (x - mean) / scale</c>, one or more rows of <see cref="Width"/>.</summary>
    /// <exception cref="ArgumentException">The length is not a positive whole number of rows.</exception>
    public void Transform(Span<float> rows)
    {
        CheckRows(rows.Length);
        for (int i = 0; i < rows.Length; i++) rows[i] = (rows[i] - _mean[i % _mean.Length]) / _scale[i % _mean.Length];
    }

    /// <summary>Undoes <see cref="Transform"/> in place: <c>x = x * scale + mean</c> (for example on a regression's outputs).</summary>
    /// <exception cref="ArgumentException">The length is not a positive whole number of rows.</exception>
    public void InverseTransform(Span<float> rows)
    {
        CheckRows(rows.Length);
        for (int i = 0; i < rows.Length; i++) rows[i] = rows[i] * _scale[i % _mean.Length] + _mean[i % _mean.Length];
    }

    /// <summary>A copy of <paramref name="data"/> with standardized inputs.</summary>
    /// <exception cref="ArgumentException">The data set's input size is not <see cref="Width"/>.</exception>
    public Dataset TransformInputs(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.InputSize != Width) throw new ArgumentException($"The data set has {data.InputSize} inputs per sample; this standardizer was fitted on {Width}.", nameof(data));
        float[] inputs = data.Inputs.ToArray();
        Transform(inputs);
        return new Dataset(inputs, data.Targets, data.InputSize, data.OutputSize).WithNames(data.FeatureNames, data.ClassNames);
    }

    /// <summary>A copy of <paramref name="data"/> with standardized targets.</summary>
    /// <exception cref="ArgumentException">The data set's output size is not <see cref="Width"/>.</exception>
    public Dataset TransformTargets(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.OutputSize != Width) throw new ArgumentException($"The data set has {data.OutputSize} targets per sample; this standardizer was fitted on {Width}.", nameof(data));
        float[] targets = data.Targets.ToArray();
        Transform(targets);
        return new Dataset(data.Inputs, targets, data.InputSize, data.OutputSize).WithNames(data.FeatureNames, data.ClassNames);
    }

    /// <summary>
    /// The means and scales as string pairs for a weights file's <c>__metadata__</c>
    /// (<c>network.SaveWeights(path, scaler.ToMetadata())</c>): <c>{prefix}.mean</c> and <c>{prefix}.scale</c>, each a
    /// comma-separated list of round-trip invariant-culture floats, so the values come back bit for bit.
    /// </summary>
    /// <param name="prefix">The key prefix; use different ones to store several (e.g. <c>standardizer.targets</c>).</param>
    public Dictionary<string, string> ToMetadata(string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new Dictionary<string, string>
        {
            [prefix + ".mean"] = Join(_mean),
            [prefix + ".scale"] = Join(_scale),
        };
    }

    /// <summary>The standardizer stored by <see cref="ToMetadata"/> in <paramref name="metadata"/>, or null when the keys are absent.</summary>
    /// <exception cref="InvalidDataException">The keys are present but the values are malformed.</exception>
    public static Standardizer? FromMetadata(IReadOnlyDictionary<string, string> metadata, string prefix = DefaultPrefix) =>
        FromMetadata(metadata, prefix, "metadata");

    /// <summary>
    /// The standardizer stored in the <c>__metadata__</c> of a safetensors weights file (see <see cref="ToMetadata"/>),
    /// or null when the file has none under <paramref name="prefix"/>. Reads the header only.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file, or the stored values are malformed;
    /// the message names the file.</exception>
    public static Standardizer? FromWeightsFile(string path, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromMetadata(ReadSafeTensorsMetadata(path), prefix, $"weights file '{path}'");
    }

    private static Standardizer? FromMetadata(IReadOnlyDictionary<string, string> metadata, string prefix, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        bool hasMean = metadata.TryGetValue(prefix + ".mean", out string? meanText);
        bool hasScale = metadata.TryGetValue(prefix + ".scale", out string? scaleText);
        if (!hasMean && !hasScale) return null;
        if (!hasMean || !hasScale)
            throw new InvalidDataException($"The {source} has {(hasMean ? prefix + ".mean" : prefix + ".scale")} but not {(hasMean ? prefix + ".scale" : prefix + ".mean")}.");
        float[] mean = Parse(meanText!, prefix + ".mean", source), scale = Parse(scaleText!, prefix + ".scale", source);
        try
        {
            return new Standardizer(mean, scale);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The {source} holds an invalid standardizer under '{prefix}': {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ReadSafeTensorsMetadata(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) != 8)
            throw new InvalidDataException($"Weights file '{path}': shorter than the 8-byte header length of a safetensors file.");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > (ulong)(stream.Length - 8) || length > 100_000_000)
            throw new InvalidDataException($"Weights file '{path}': the header length {length} does not fit the file's {stream.Length} bytes.");
        var header = new byte[length];
        stream.ReadExactly(header);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument json = JsonDocument.Parse(header);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("__metadata__", out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in metadata.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String) result[p.Name] = p.Value.GetString()!;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Weights file '{path}': the header is not valid JSON ({e.Message}).", e);
        }
        return result;
    }

    private static string Join(float[] values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = values[i].ToString("R", CultureInfo.InvariantCulture);
        return string.Join(",", parts);
    }

    private static float[] Parse(string text, string key, string source)
    {
        string[] parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new InvalidDataException($"The {source}'s {key}, value {i}: '{parts[i]}' is not a number.");
        }
        return values;
    }

    private void CheckRows(int length)
    {
        if (length == 0 || length % _mean.Length != 0)
            throw new ArgumentException($"{length} values are not a positive whole number of rows of {_mean.Length}.", "rows");
    }
}
