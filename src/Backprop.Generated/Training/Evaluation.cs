using System;
using System.Buffers;

namespace Backprop.Generated;

/// <summary>The mean loss and accuracy of a network on a data set.</summary>
/// <param name="Loss">The mean loss, with the same definition and averaging as the network's <see cref="Backprop.Generated.Loss"/>.</param>
/// <param name="Accuracy">The fraction of samples whose predicted class equals the target class, in [0, 1].</param>
/// <param name="Count">The number of samples.</param>
public readonly record struct EvaluationResult(double Loss, double Accuracy, int Count);

/// <summary>
/// Inference-mode evaluation: uses <see cref="IInferenceNetwork.Forward"/> only, so gradients and parameters are
/// untouched. Buffers come from <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
/// <remarks>
/// Classes: with several outputs the class is the index of the largest output (of the target row for the true
/// class; first index on ties). With a single output the class is 1 when the value is above 0.5 (above 0 for
/// <see cref="Backprop.Generated.Loss.Hinge"/>, whose targets are -1 or +1), else 0.
/// </remarks>
public static class Evaluation
{
    /// <summary>The smallest normal float, the floor under probabilities before a logarithm (<c>torch.finfo(float32).tiny</c>).</summary>
    public const float Tiny = 1.17549435e-38f;

    private const int SamplesPerChunk = 256;

    /// <summary>Mean loss (the network's <see cref="INetwork.Loss"/>) and accuracy over <paramref name="data"/>.</summary>
    public static EvaluationResult Evaluate(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Evaluate(network, data, network.Loss);
    }

    /// <summary>Mean <paramref name="loss"/> and accuracy of <paramref name="network"/>'s outputs over <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data set's sizes do not match the network's.</exception>
    public static EvaluationResult Evaluate(IInferenceNetwork network, Dataset data, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        CheckSizes(network, data);
        int outputSize = data.OutputSize, inputSize = data.InputSize;
        int chunk = Math.Min(data.Count, SamplesPerChunk);
        float[] rented = ArrayPool<float>.Shared.Rent(chunk * outputSize);
        try
        {
            double lossSum = 0;
            int correct = 0;
            for (int start = 0; start < data.Count; start += chunk)
            {
                int k = Math.Min(chunk, data.Count - start);
                Span<float> outputs = rented.AsSpan(0, k * outputSize);
                ReadOnlySpan<float> targets = data.Targets.Slice(start * outputSize, k * outputSize);
                network.Forward(data.Inputs.Slice(start * inputSize, k * inputSize), outputs);
                lossSum += LossSum(loss, outputs, targets);
                for (int s = 0; s < k; s++)
                {
                    if (ClassOf(outputs.Slice(s * outputSize, outputSize), loss) == ClassOf(targets.Slice(s * outputSize, outputSize), loss)) correct++;
                }
            }
            double divisor = loss == Loss.CrossEntropy ? data.Count : (double)data.Count * outputSize;
            return new EvaluationResult(lossSum / divisor, (double)correct / data.Count, data.Count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>The predicted class of one input sample (see the remarks for single-output networks).</summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not one sample long.</exception>
    public static int Predict(IInferenceNetwork network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (input.Length != network.InputSize)
            throw new ArgumentException($"One sample has {network.InputSize} inputs, got {input.Length}.", nameof(input));
        int outputSize = network.OutputSize;
        if (outputSize <= 256)
        {
            Span<float> outputs = stackalloc float[outputSize];
            network.Forward(input, outputs);
            return ClassOf(outputs, Loss.MeanSquaredError);
        }
        float[] rented = ArrayPool<float>.Shared.Rent(outputSize);
        try
        {
            Span<float> outputs = rented.AsSpan(0, outputSize);
            network.Forward(input, outputs);
            return ClassOf(outputs, Loss.MeanSquaredError);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The mean loss of <paramref name="outputs"/> (the network's activations, e.g. softmax probabilities) against
    /// <paramref name="targets"/>, <paramref name="outputSize"/> floats per sample, per <see cref="Backprop.Generated.Loss"/>:
    /// mean squared error and hinge over all elements; binary cross-entropy over all elements with each log clamped
    /// at -100 (as <c>torch.nn.BCELoss</c>); cross-entropy <c>-sum t log(max(y, Tiny))</c> per sample, over samples.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths are not the same whole number of samples.</exception>
    public static double ComputeLoss(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int outputSize)
    {
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "The output size must be positive.");
        if (outputs.Length != targets.Length || outputs.Length == 0 || outputs.Length % outputSize != 0)
            throw new ArgumentException($"{outputs.Length} outputs and {targets.Length} targets are not the same positive number of samples of {outputSize}.", nameof(targets));
        double divisor = loss == Loss.CrossEntropy ? outputs.Length / outputSize : outputs.Length;
        return LossSum(loss, outputs, targets) / divisor;
    }

    internal static void CheckSizes(IInferenceNetwork network, Dataset data)
    {
        if (data.InputSize != network.InputSize || data.OutputSize != network.OutputSize)
            throw new ArgumentException(
                $"The data set has {data.InputSize} inputs and {data.OutputSize} outputs per sample; the network needs {network.InputSize} and {network.OutputSize}.",
                nameof(data));
    }

    private static double LossSum(Loss loss, ReadOnlySpan<float> y, ReadOnlySpan<float> t)
    {
        double sum = 0;
        switch (loss)
        {
            case Loss.MeanSquaredError:
                for (int i = 0; i < y.Length; i++)
                {
                    double d = (double)y[i] - t[i];
                    sum += d * d;
                }
                break;
            case Loss.CrossEntropy:
                for (int i = 0; i < y.Length; i++)
                {
                    if (t[i] != 0) sum -= t[i] * Math.Log(Math.Max(y[i], Tiny));
                }
                break;
            case Loss.BinaryCrossEntropy:
                for (int i = 0; i < y.Length; i++)
                {
                    double logY = Math.Max(Math.Log(y[i]), -100.0);
                    double log1MinusY = Math.Max(Math.Log(1.0 - y[i]), -100.0);
                    sum -= t[i] * logY + (1.0 - t[i]) * log1MinusY;
                }
                break;
            case Loss.Hinge:
                for (int i = 0; i < y.Length; i++)
                {
                    sum += Math.Max(0.0, 1.0 - (double)t[i] * y[i]);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
        return sum;
    }

    private static int ClassOf(ReadOnlySpan<float> row, Loss loss)
    {
        if (row.Length == 1) return row[0] > (loss == Loss.Hinge ? 0f : 0.5f) ? 1 : 0;
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }
        return best;
    }
}
