using System;

namespace Backprop.Generated;

/// <summary>
/// An immutable set of training samples: <see cref="Count"/> input rows of <see cref="InputSize"/> floats and as many
/// target rows of <see cref="OutputSize"/> floats, each stored back to back as <see cref="INetwork.Backward"/> takes them.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _inputs;
    private readonly float[] _targets;

    /// <summary>Creates a data set from a copy of <paramref name="inputs"/> and <paramref name="targets"/>.</summary>
    /// <param name="inputs"><c>Count * inputSize</c> floats, one sample after another.</param>
    /// <param name="targets"><c>Count * outputSize</c> floats, in the same sample order.</param>
    /// <param name="inputSize">Floats per input sample (the network's <see cref="IInferenceNetwork.InputSize"/>).</param>
    /// <param name="outputSize">Floats per target sample (the network's <see cref="IInferenceNetwork.OutputSize"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">The lengths are not the same positive number of whole samples.</exception>
    public Dataset(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int inputSize, int outputSize)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be positive.");
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "The output size must be positive.");
        if (inputs.Length == 0 || inputs.Length % inputSize != 0)
            throw new ArgumentException($"{inputs.Length} inputs are not a positive whole number of samples of {inputSize}.", nameof(inputs));
        int count = inputs.Length / inputSize;
        if (targets.Length != (long)count * outputSize)
            throw new ArgumentException($"{count} samples need {(long)count * outputSize} targets ({outputSize} each), got {targets.Length}.", nameof(targets));
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
