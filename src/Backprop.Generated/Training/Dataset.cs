using System;
using System.Collections.Generic;

namespace Backprop.Generated;

/// <summary>
/// An immutable set of training samples: <see cref="Count"/> input rows of <see cref="InputSize"/> floats and as many
/// target rows of <see cref="OutputSize"/> floats, each stored back to back as <see cref="INetwork.Backward"/> takes them.
/// </summary>
public sealed partial class Dataset
{
    private readonly float[] _inputs;
    private readonly float[] _targets;

    /// <summary>Creates a data set from a copy of <paramref name="inputs"/> and <paramref name="targets"/>.</summary>
    /// <param name="inputs"><c>Count * inputSize</c> floats, one sample after another.</param>
    /// <param name="targets"><c>Count * outputSize</c> floats, in the same sample order.</param>
    /// <param name="inputSize">Floats per input sample (the network's <see cref="IInferenceNetwork.InputSize"/>).</param>
    /// <param name="outputSize">Floats per target sample (the network's <see cref="IInferenceNetwork.OutputSize"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">The lengths are not the same positive number of whole samples, or a value is
    /// NaN or infinite (the message names the first one's sample and feature or output).</exception>
    public Dataset(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int inputSize, int outputSize)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be positive.");
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "The output size must be positive.");
        if (inputs.Length == 0 || inputs.Length % inputSize != 0)
            throw new ArgumentException($"{inputs.Length} inputs are not a positive whole number of samples of {inputSize}.", nameof(inputs));
        int count = inputs.Length / inputSize;
        if (targets.Length != (long)count * outputSize)
            throw new ArgumentException($"{count} samples need {(long)count * outputSize} targets ({outputSize} each), got {targets.Length}.", nameof(targets));
        ThrowIfNotFinite(inputs, inputSize, "inputs", "feature");
        ThrowIfNotFinite(targets, outputSize, "targets", "output");
        _inputs = inputs.ToArray();
        _targets = targets.ToArray();
        InputSize = inputSize;
        OutputSize = outputSize;
        Count = count;
    }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Floats per input sample.</summary>
    public int InputSize { get; }

    /// <summary>Floats per target sample.</summary>
    public int OutputSize { get; }

    /// <summary>All inputs, sample after sample.</summary>
    public ReadOnlySpan<float> Inputs => _inputs;

    /// <summary>All targets, sample after sample.</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>The input row of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> GetInput(int index) => _inputs.AsSpan(CheckIndex(index) * InputSize, InputSize);

    /// <summary>The target row of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> GetTarget(int index) => _targets.AsSpan(CheckIndex(index) * OutputSize, OutputSize);

    /// <summary>
    /// A classification data set: the targets are the one-hot encodings of <paramref name="labels"/>
    /// (see <see cref="OneHot"/>).
    /// </summary>
    public static Dataset FromLabels(ReadOnlySpan<float> inputs, int inputSize, ReadOnlySpan<int> labels, int classCount)
    {
        if (inputSize > 0 && inputs.Length != (long)labels.Length * inputSize)
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * inputSize} inputs ({inputSize} each), got {inputs.Length}.", nameof(inputs));
        return new Dataset(inputs, OneHot(labels, classCount), inputSize, classCount);
    }

    /// <summary>
    /// One row of <paramref name="classCount"/> floats per label: 1 at the label's index, 0 elsewhere.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is not positive, or a label is
    /// outside [0, <paramref name="classCount"/>).</exception>
    public static float[] OneHot(ReadOnlySpan<int> labels, int classCount)
    {
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The class count must be positive.");
        var result = new float[checked(labels.Length * classCount)];
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label {i} is {label}; labels must be in [0, {classCount}).");
            result[i * classCount + label] = 1f;
        }
        return result;
    }

    /// <summary>
    /// Splits the samples into a first set of <paramref name="firstCount"/> samples and a second set of the rest, for
    /// example training and validation. With a <paramref name="shuffleSeed"/> the samples are first shuffled
    /// deterministically (Fisher-Yates with <see cref="DeterministicRandom"/>); otherwise the order is kept.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstCount"/> is not in [1, Count - 1].</exception>
    public (Dataset First, Dataset Second) Split(int firstCount, int? shuffleSeed = null)
    {
        if (firstCount < 1 || firstCount >= Count)
            throw new ArgumentOutOfRangeException(nameof(firstCount), firstCount, $"Both parts need a sample: the first count must be in [1, {Count - 1}].");
        int[] order = Shuffling.Identity(Count);
        if (shuffleSeed is int seed) Shuffling.Shuffle(order, new DeterministicRandom(seed, stream: -1));
        return (Subset(order.AsSpan(0, firstCount)), Subset(order.AsSpan(firstCount)));
    }

    private Dataset Subset(ReadOnlySpan<int> indices)
    {
        var inputs = new float[indices.Length * InputSize];
        var targets = new float[indices.Length * OutputSize];
        for (int i = 0; i < indices.Length; i++)
        {
            GetInput(indices[i]).CopyTo(inputs.AsSpan(i * InputSize));
            GetTarget(indices[i]).CopyTo(targets.AsSpan(i * OutputSize));
        }
        return new Dataset(inputs, targets, InputSize, OutputSize);
    }

    /// <summary>
    /// The names of the classes, in target order, when the data set was read with <see cref="FromCsv(string, CsvOptions)"/> as a
    /// classification (output <c>i</c> is class <c>ClassNames[i]</c>); null otherwise.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; private init; }

    /// <summary>The names of the input features when read from a CSV file with a header; null otherwise.</summary>
    public IReadOnlyList<string>? FeatureNames { get; private init; }

    internal Dataset WithNames(IReadOnlyList<string>? features, IReadOnlyList<string>? classes) =>
        new(_inputs, _targets, InputSize, OutputSize, Count) { FeatureNames = features, ClassNames = classes };

    private Dataset(float[] inputs, float[] targets, int inputSize, int outputSize, int count)
    {
        _inputs = inputs;
        _targets = targets;
        InputSize = inputSize;
        OutputSize = outputSize;
        Count = count;
    }

    /// <summary>A data set from rows: <c>inputs[sample, feature]</c> and <c>targets[sample, output]</c>.</summary>
    /// <exception cref="ArgumentException">The row counts differ, an array is empty, or a value is NaN or infinite.</exception>
    public static Dataset FromArrays(float[,] inputs, float[,] targets) => FromMatrices(Flatten(inputs, nameof(inputs)), Flatten(targets, nameof(targets)));

    /// <summary>A data set from rows of doubles (converted to float): <c>inputs[sample, feature]</c>, <c>targets[sample, output]</c>.</summary>
    /// <exception cref="ArgumentException">The row counts differ, an array is empty, or a value is NaN or infinite (also after conversion).</exception>
    public static Dataset FromArrays(double[,] inputs, double[,] targets) => FromMatrices(Flatten(inputs, nameof(inputs)), Flatten(targets, nameof(targets)));

    /// <summary>A data set with one target per sample (a regression, or 0/1 labels): <c>inputs[sample, feature]</c>, <c>targets[sample]</c>.</summary>
    /// <exception cref="ArgumentException">The counts differ, an array is empty, or a value is NaN or infinite.</exception>
    public static Dataset FromArrays(float[,] inputs, float[] targets) =>
        FromMatrices(Flatten(inputs, nameof(inputs)), (Convert(targets ?? throw new ArgumentNullException(nameof(targets))), targets.Length, 1));

    /// <summary>A data set with one target per sample, from doubles: <c>inputs[sample, feature]</c>, <c>targets[sample]</c>.</summary>
    /// <exception cref="ArgumentException">The counts differ, an array is empty, or a value is NaN or infinite.</exception>
    public static Dataset FromArrays(double[,] inputs, double[] targets) =>
        FromMatrices(Flatten(inputs, nameof(inputs)), (Convert(targets ?? throw new ArgumentNullException(nameof(targets))), targets.Length, 1));

    /// <summary>A data set from jagged rows, every row of one array the same length.</summary>
    /// <exception cref="ArgumentException">A row's length differs from the first's, the row counts differ, or a value is NaN or infinite.</exception>
    public static Dataset FromArrays(float[][] inputs, float[][] targets) => FromMatrices(Flatten(inputs, nameof(inputs)), Flatten(targets, nameof(targets)));

    /// <summary>A data set from jagged rows of doubles, every row of one array the same length.</summary>
    /// <exception cref="ArgumentException">A row's length differs from the first's, the row counts differ, or a value is NaN or infinite.</exception>
    public static Dataset FromArrays(double[][] inputs, double[][] targets) => FromMatrices(Flatten(inputs, nameof(inputs)), Flatten(targets, nameof(targets)));

    /// <summary>
    /// Splits as <see cref="Split"/> but keeps each class's share in both parts (stratified, as scikit-learn's
    /// <c>train_test_split(stratify=y)</c>): the samples of each class (the largest target of a row; with one output,
    /// each distinct target value) are shuffled with <paramref name="seed"/> and the first
    /// <c>round(fraction × class count)</c> of them go to the first part. Both parts keep the original sample order.
    /// </summary>
    /// <param name="firstFraction">The share of each class in the first part, in (0, 1).</param>
    /// <param name="seed">The shuffling seed (<see cref="DeterministicRandom"/>): the same seed gives the same split everywhere.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstFraction"/> is not in (0, 1), or a part would be empty.</exception>
    public (Dataset First, Dataset Second) StratifiedSplit(double firstFraction, int seed)
    {
        if (!(firstFraction > 0 && firstFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(firstFraction), firstFraction, "The fraction of the first part must be in (0, 1).");
        var byClass = new SortedDictionary<float, List<int>>();
        for (int i = 0; i < Count; i++)
        {
            ReadOnlySpan<float> t = GetTarget(i);
            float key = OutputSize == 1 ? t[0] : ArgMax(t);
            if (!byClass.TryGetValue(key, out List<int>? list)) byClass[key] = list = new List<int>();
            list.Add(i);
        }
        var inFirst = new bool[Count];
        var random = new DeterministicRandom(seed, stream: -2);
        foreach (List<int> members in byClass.Values)
        {
            int[] order = members.ToArray();
            Shuffling.Shuffle(order, random);
            int take = (int)Math.Round(firstFraction * order.Length, MidpointRounding.AwayFromZero);
            for (int j = 0; j < take; j++) inFirst[order[j]] = true;
        }
        var first = new List<int>();
        var second = new List<int>();
        for (int i = 0; i < Count; i++) (inFirst[i] ? first : second).Add(i);
        if (first.Count == 0 || second.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(firstFraction), firstFraction, $"With {Count} samples this fraction leaves a part empty ({first.Count} and {second.Count}).");
        return (Subset(first.ToArray()).WithNames(FeatureNames, ClassNames), Subset(second.ToArray()).WithNames(FeatureNames, ClassNames));
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }
        return best;
    }

    private static Dataset FromMatrices((float[] Values, int Rows, int Columns) inputs, (float[] Values, int Rows, int Columns) targets)
    {
        if (inputs.Rows != targets.Rows)
            throw new ArgumentException($"{inputs.Rows} input rows but {targets.Rows} target rows: every sample needs both.", nameof(targets));
        return new Dataset(inputs.Values, targets.Values, inputs.Columns, targets.Columns);
    }

    private static (float[], int, int) Flatten<T>(T[,] values, string name) where T : struct, System.Numerics.INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(values, name);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (rows == 0 || columns == 0) throw new ArgumentException($"{name} is empty ({rows} × {columns}).", name);
        var flat = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                flat[r * columns + c] = float.CreateTruncating(values[r, c]);
        return (flat, rows, columns);
    }

    private static (float[], int, int) Flatten<T>(T[][] rows, string name) where T : struct, System.Numerics.INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(rows, name);
        if (rows.Length == 0 || rows[0] is null || rows[0].Length == 0) throw new ArgumentException($"{name} is empty.", name);
        int columns = rows[0].Length;
        var flat = new float[checked(rows.Length * columns)];
        for (int r = 0; r < rows.Length; r++)
        {
            T[] row = rows[r] ?? throw new ArgumentException($"{name}[{r}] is null.", name);
            if (row.Length != columns)
                throw new ArgumentException($"{name}[{r}] has {row.Length} values; row 0 has {columns} and every row needs as many.", name);
            for (int c = 0; c < columns; c++) flat[r * columns + c] = float.CreateTruncating(row[c]);
        }
        return (flat, rows.Length, columns);
    }

    private static float[] Convert(float[] values) => values;

    private static float[] Convert(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }

    private static void ThrowIfNotFinite(ReadOnlySpan<float> values, int width, string name, string column)
    {
        int index = GradientClipping.IndexOfNonFinite(values);
        if (index >= 0)
            throw new ArgumentException(
                $"The {name} of sample {index / width}, {column} {index % width}, is {values[index].ToString(System.Globalization.CultureInfo.InvariantCulture)}: " +
                "a data set must hold finite numbers (remove or fill missing values; a double beyond ±3.4e38 becomes infinite as a float).",
                name);
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be in [0, {Count}).");
        return index;
    }
}

/// <summary>Deterministic shuffling shared by <see cref="Dataset.Split"/> and <see cref="Trainer"/>.</summary>
internal static class Shuffling
{
    public static int[] Identity(int count)
    {
        var order = new int[count];
        Reset(order);
        return order;
    }

    public static void Reset(Span<int> order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
    }

    /// <summary>Fisher-Yates: for i from the end, swap element i with a uniformly chosen j in [0, i].</summary>
    public static void Shuffle(Span<int> order, DeterministicRandom random)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
