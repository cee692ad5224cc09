using System;
using System.Buffers;

namespace Backprop.Generated;

/// <summary>
/// Inference-mode evaluation: uses <see cref="IInferenceNetwork.Forward"/> only, so gradients and parameters are
/// untouched. Buffers come from <see cref="ArrayPool{T}.Shared"/>.
/// </summary>
/// <remarks>
/// The task follows the loss: <see cref="Backprop.Generated.Loss.CrossEntropy"/>,
/// <see cref="Backprop.Generated.Loss.BinaryCrossEntropy"/> and <see cref="Backprop.Generated.Loss.Hinge"/> networks
/// are classifiers, and so is a <see cref="Backprop.Generated.Loss.MeanSquaredError"/> network whose every target row
/// is one-hot (with one output: every target 0 or 1); any other is a regression, evaluated by MSE, RMSE, MAE and R².
/// <para>Classes: with several outputs the class is the index of the largest output (of the target row for the true
/// class; first index on ties). With a single output the class is 1 when the value is above the loss's threshold, else
/// 0: 0 for <see cref="Backprop.Generated.Loss.Hinge"/> (targets -1 or +1, the sign of the output) and for a logit
/// (<see cref="IInferenceNetwork.OutputsAreLogits"/>: a Linear output under BinaryCrossEntropy), 0.5 for a sigmoid or
/// MSE output (targets 0 or 1).</para>
/// <para>When <see cref="IInferenceNetwork.OutputsAreLogits"/>, the loss is computed from the logits as PyTorch's
/// <c>CrossEntropyLoss</c> and <c>BCEWithLogitsLoss</c> do.</para>
/// </remarks>
public static class Evaluation
{
    /// <summary>The smallest normal float, the floor under probabilities before a logarithm (<c>torch.finfo(float32).tiny</c>).</summary>
    public const float Tiny = 1.17549435e-38f;

    private const int SamplesPerChunk = 256;

    /// <summary>
    /// Mean loss (the network's <see cref="INetwork.Loss"/>) over <paramref name="data"/>, and the metrics that fit the
    /// task: accuracy, per-class precision, recall, F1 and the confusion matrix for a classifier; MSE, RMSE, MAE and R²
    /// for a regression (see the remarks of <see cref="Evaluation"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The data set's sizes do not match the network's.</exception>
    public static EvaluationResult Evaluate(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Evaluate(network, data, network.Loss);
    }

    /// <summary>
    /// Mean <paramref name="loss"/> of <paramref name="network"/>'s outputs over <paramref name="data"/> and the metrics
    /// that fit the task, which <paramref name="loss"/> and the targets decide (see the remarks of <see cref="Evaluation"/>);
    /// for inference-only (baked) networks, pass the loss they were trained with.
    /// </summary>
    /// <exception cref="ArgumentException">The data set's sizes do not match the network's.</exception>
    public static EvaluationResult Evaluate(IInferenceNetwork network, Dataset data, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        CheckSizes(network, data);
        int outputSize = data.OutputSize, inputSize = data.InputSize;
        bool classifier = IsClassifier(loss, data.Targets, outputSize);
        bool logits = Logits(network, loss);
        float threshold = SingleOutputThreshold(loss, logits);
        int classes = outputSize == 1 ? 2 : outputSize;
        int[,]? confusion = classifier ? new int[classes, classes] : null;
        // Regression sums per output: squared and absolute residuals; SS_tot from the target means (a first pass).
        double[]? squared = classifier ? null : new double[outputSize];
        double[]? absolute = classifier ? null : new double[outputSize];
        double[]? targetMeans = classifier ? null : TargetMeans(data);
        int chunk = Math.Min(data.Count, SamplesPerChunk);
        float[] rented = ArrayPool<float>.Shared.Rent(chunk * outputSize);
        try
        {
            double lossSum = 0;
            for (int start = 0; start < data.Count; start += chunk)
            {
                int k = Math.Min(chunk, data.Count - start);
                Span<float> outputs = rented.AsSpan(0, k * outputSize);
                ReadOnlySpan<float> targets = data.Targets.Slice(start * outputSize, k * outputSize);
                network.Forward(data.Inputs.Slice(start * inputSize, k * inputSize), outputs);
                lossSum += logits ? LogitsLossSum(loss, outputs, targets, outputSize) : LossSum(loss, outputs, targets);
                if (confusion is not null)
                {
                    for (int s = 0; s < k; s++)
                    {
                        int actual = ClassOf(targets.Slice(s * outputSize, outputSize), threshold);
                        int predicted = ClassOf(outputs.Slice(s * outputSize, outputSize), threshold);
                        confusion[actual, predicted]++;
                    }
                }
                else
                {
                    for (int i = 0; i < outputs.Length; i++)
                    {
                        double d = (double)outputs[i] - targets[i];
                        squared![i % outputSize] += d * d;
                        absolute![i % outputSize] += Math.Abs(d);
                    }
                }
            }
            double divisor = loss == Loss.CrossEntropy ? data.Count : (double)data.Count * outputSize;
            double meanLoss = lossSum / divisor;
            if (confusion is not null)
                return new EvaluationResult(meanLoss, data.Count, null, new ClassificationMetrics(confusion));
            return new EvaluationResult(meanLoss, data.Count, Regression(data, squared!, absolute!, targetMeans!), null);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Whether a network with <paramref name="loss"/> and these targets is a classifier: the loss is CrossEntropy,
    /// BinaryCrossEntropy or Hinge, or MeanSquaredError with every target row one-hot (with one output per sample:
    /// every target 0 or 1).
    /// </summary>
    /// <param name="loss">The network's loss.</param>
    /// <param name="targets">The target rows, back to back.</param>
    /// <param name="outputSize">Floats per target row.</param>
    public static bool IsClassifier(Loss loss, ReadOnlySpan<float> targets, int outputSize)
    {
        if (loss != Loss.MeanSquaredError) return true;
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "The output size must be positive.");
        if (targets.Length == 0 || targets.Length % outputSize != 0) return false;
        if (outputSize == 1)
        {
            foreach (float t in targets)
            {
                if (t != 0f && t != 1f) return false;
            }
            return true;
        }
        for (int row = 0; row < targets.Length; row += outputSize)
        {
            int ones = 0;
            for (int j = 0; j < outputSize; j++)
            {
                float t = targets[row + j];
                if (t == 1f) ones++;
                else if (t != 0f) return false;
            }
            if (ones != 1) return false;
        }
        return true;
    }

    /// <summary>
    /// The predicted class of one input sample, by the network's own loss when it is an <see cref="INetwork"/>
    /// (see the remarks of <see cref="Evaluation"/>); an inference-only network is read as a sigmoid/MSE output
    /// (threshold 0.5 with one output): use the overload taking a <see cref="Loss"/> for a Hinge one.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not one sample long.</exception>
    public static int Predict(IInferenceNetwork network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Predict(network, input, network is INetwork trainable ? trainable.Loss : Loss.MeanSquaredError);
    }

    /// <summary>
    /// The predicted class of one input sample of a network trained with <paramref name="loss"/>: with several outputs
    /// the index of the largest; with one, 1 when the output is above 0 for <see cref="Loss.Hinge"/> or a logit
    /// (<see cref="IInferenceNetwork.OutputsAreLogits"/> under BinaryCrossEntropy) or above 0.5 otherwise, else 0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not one sample long.</exception>
    public static int Predict(IInferenceNetwork network, ReadOnlySpan<float> input, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (input.Length != network.InputSize)
            throw new ArgumentException($"One sample has {network.InputSize} input{(network.InputSize == 1 ? "" : "s")}, got {input.Length}.", nameof(input));
        float threshold = SingleOutputThreshold(loss, Logits(network, loss));
        int outputSize = network.OutputSize;
        if (outputSize <= 256)
        {
            Span<float> outputs = stackalloc float[outputSize];
            network.Forward(input, outputs);
            return ClassOf(outputs, threshold);
        }
        float[] rented = ArrayPool<float>.Shared.Rent(outputSize);
        try
        {
            Span<float> outputs = rented.AsSpan(0, outputSize);
            network.Forward(input, outputs);
            return ClassOf(outputs, threshold);
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

    /// <summary>
    /// Where a single output splits class 0 from class 1: 0 for Hinge (the sign of the output) and for a logit, 0.5 for
    /// a probability or an MSE output trained on 0/1 targets.
    /// </summary>
    internal static float SingleOutputThreshold(Loss loss, bool logits = false) => loss == Loss.Hinge || logits ? 0f : 0.5f;

    /// <summary>Whether the network's outputs are logits for <paramref name="loss"/> (only cross-entropy losses read logits).</summary>
    private static bool Logits(IInferenceNetwork network, Loss loss) =>
        network.OutputsAreLogits && loss is Loss.CrossEntropy or Loss.BinaryCrossEntropy;

    /// <summary>
    /// The summed loss of logits <paramref name="z"/>, in double: cross-entropy −Σ t (z − logsumexp z) per sample
    /// (<c>torch.nn.CrossEntropyLoss</c>), binary cross-entropy max(z, 0) − z t + log(1 + e^−|z|) per element
    /// (<c>torch.nn.BCEWithLogitsLoss</c>).
    /// </summary>
    private static double LogitsLossSum(Loss loss, ReadOnlySpan<float> z, ReadOnlySpan<float> t, int outputSize)
    {
        double sum = 0;
        if (loss == Loss.BinaryCrossEntropy)
        {
            for (int i = 0; i < z.Length; i++)
            {
                double x = z[i];
                sum += Math.Max(x, 0) - x * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            }
            return sum;
        }
        for (int row = 0; row < z.Length; row += outputSize)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < outputSize; j++) max = Math.Max(max, z[row + j]);
            double esum = 0;
            for (int j = 0; j < outputSize; j++) esum += Math.Exp(z[row + j] - max);
            double lse = max + Math.Log(esum);
            for (int j = 0; j < outputSize; j++) sum -= t[row + j] * (z[row + j] - lse);
        }
        return sum;
    }

    private static int ClassOf(ReadOnlySpan<float> row, float threshold)
    {
        if (row.Length == 1) return row[0] > threshold ? 1 : 0;
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }
        return best;
    }

    private static double[] TargetMeans(Dataset data)
    {
        int m = data.OutputSize;
        var sums = new double[m];
        ReadOnlySpan<float> t = data.Targets;
        for (int i = 0; i < t.Length; i++) sums[i % m] += t[i];
        for (int j = 0; j < m; j++) sums[j] /= data.Count;
        return sums;
    }

    private static RegressionMetrics Regression(Dataset data, double[] squared, double[] absolute, double[] targetMeans)
    {
        int m = data.OutputSize;
        var total = new double[m];
        ReadOnlySpan<float> t = data.Targets;
        for (int i = 0; i < t.Length; i++)
        {
            double d = t[i] - targetMeans[i % m];
            total[i % m] += d * d;
        }
        var mse = new double[m];
        var mae = new double[m];
        var r2 = new double[m];
        for (int j = 0; j < m; j++)
        {
            mse[j] = squared[j] / data.Count;
            mae[j] = absolute[j] / data.Count;
            // scikit-learn: a constant target scores 1 when predicted exactly, else 0 (not -inf or NaN).
            r2[j] = total[j] != 0 ? 1 - squared[j] / total[j] : squared[j] == 0 ? 1 : 0;
        }
        return new RegressionMetrics(mse, mae, r2);
    }
}
