using System;
using System.Collections.Generic;

namespace Backprop.Generated;

/// <summary>
/// What <see cref="Evaluation.Evaluate(INetwork, Dataset)"/> measured: the mean loss and the sample count always, and
/// either classification metrics (<see cref="Classification"/>, with <see cref="Accuracy"/>) or regression metrics
/// (<see cref="Regression"/>), never both, so no number is reported that means nothing for the task.
/// </summary>
/// <remarks>
/// A network is a classifier when its loss is <see cref="Backprop.Generated.Loss.CrossEntropy"/>,
/// <see cref="Backprop.Generated.Loss.BinaryCrossEntropy"/> or <see cref="Backprop.Generated.Loss.Hinge"/>, or
/// <see cref="Backprop.Generated.Loss.MeanSquaredError"/> with every target row one-hot (with one output: every target
/// 0 or 1); otherwise it is a regression.
/// </remarks>
public sealed class EvaluationResult : IEquatable<EvaluationResult>
{
    /// <summary>Creates a result; exactly one of <paramref name="regression"/> and <paramref name="classification"/> is usually set.</summary>
    /// <param name="loss">The mean loss.</param>
    /// <param name="count">The number of samples.</param>
    /// <param name="regression">Regression metrics, or null for a classifier.</param>
    /// <param name="classification">Classification metrics, or null for a regression.</param>
    public EvaluationResult(double loss, int count, RegressionMetrics? regression, ClassificationMetrics? classification)
    {
        Loss = loss;
        Count = count;
        Regression = regression;
        Classification = classification;
    }

    /// <summary>The mean loss, with the same definition and averaging as the network's <see cref="Backprop.Generated.Loss"/>.</summary>
    public double Loss { get; }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>The fraction of samples whose predicted class is the target class, in [0, 1]; null for a regression.</summary>
    public double? Accuracy => Classification?.Accuracy;

    /// <summary>MSE, RMSE, MAE and R² per output and averaged; null for a classifier.</summary>
    public RegressionMetrics? Regression { get; }

    /// <summary>Accuracy, per-class precision, recall and F1, and the confusion matrix; null for a regression.</summary>
    public ClassificationMetrics? Classification { get; }

    /// <summary>Equal when the loss, the count and every metric are equal.</summary>
    public bool Equals(EvaluationResult? other) => other is not null && Loss.Equals(other.Loss) && Count == other.Count &&
        Equals(Regression, other.Regression) && Equals(Classification, other.Classification);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EvaluationResult);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Loss, Count, Regression, Classification);

    /// <summary>One line: the loss and the metrics that fit the task, e.g. <c>loss 0.1234, accuracy 95.00 % (n = 360)</c>.</summary>
    public override string ToString()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string metrics = Classification is { } k
            ? string.Create(c, $", accuracy {100 * k.Accuracy:0.00} %")
            : Regression is { } r ? string.Create(c, $", R² {r.RSquared:0.0000}, RMSE {r.RootMeanSquaredError:G5}, MAE {r.MeanAbsoluteError:G5}") : "";
        return string.Create(c, $"loss {Loss:G6}{metrics} (n = {Count})");
    }
}

/// <summary>
/// Regression metrics with scikit-learn's definitions: each of <see cref="MeanSquaredError"/>,
/// <see cref="RootMeanSquaredError"/>, <see cref="MeanAbsoluteError"/> and <see cref="RSquared"/> is the plain mean of
/// its per-output values (<c>multioutput='uniform_average'</c>). Computed in double precision.
/// </summary>
public sealed class RegressionMetrics : IEquatable<RegressionMetrics>
{
    /// <summary>Creates the metrics from per-output values; the averages are their means.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public RegressionMetrics(double[] meanSquaredErrors, double[] meanAbsoluteErrors, double[] rSquared)
    {
        ArgumentNullException.ThrowIfNull(meanSquaredErrors);
        ArgumentNullException.ThrowIfNull(meanAbsoluteErrors);
        ArgumentNullException.ThrowIfNull(rSquared);
        if (meanSquaredErrors.Length == 0 || meanAbsoluteErrors.Length != meanSquaredErrors.Length || rSquared.Length != meanSquaredErrors.Length)
            throw new ArgumentException($"Per-output arrays of one positive length are needed; got {meanSquaredErrors.Length}, {meanAbsoluteErrors.Length} and {rSquared.Length}.");
        MeanSquaredErrors = meanSquaredErrors;
        MeanAbsoluteErrors = meanAbsoluteErrors;
        RSquaredPerOutput = rSquared;
        var rmse = new double[meanSquaredErrors.Length];
        for (int j = 0; j < rmse.Length; j++) rmse[j] = Math.Sqrt(meanSquaredErrors[j]);
        RootMeanSquaredErrors = rmse;
        MeanSquaredError = Mean(meanSquaredErrors);
        RootMeanSquaredError = Mean(rmse);
        MeanAbsoluteError = Mean(meanAbsoluteErrors);
        RSquared = Mean(rSquared);
    }

    /// <summary>Mean over outputs of the mean squared error (<c>sklearn.metrics.mean_squared_error</c>).</summary>
    public double MeanSquaredError { get; }

    /// <summary>Mean over outputs of each output's root mean squared error (scikit-learn's
    /// <c>mean_squared_error(squared=False)</c>: the square root is taken per output, then averaged).</summary>
    public double RootMeanSquaredError { get; }

    /// <summary>Mean over outputs of the mean absolute error (<c>sklearn.metrics.mean_absolute_error</c>).</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>
    /// Mean over outputs of the coefficient of determination <c>1 - SS_res / SS_tot</c> (<c>sklearn.metrics.r2_score</c>):
    /// 1 is perfect, 0 is what predicting each output's mean scores, and it can be negative. An output whose targets
    /// are all equal scores 1 when predicted exactly and 0 otherwise, as in scikit-learn.
    /// </summary>
    public double RSquared { get; }

    /// <summary>The mean squared error of each output.</summary>
    public IReadOnlyList<double> MeanSquaredErrors { get; }

    /// <summary>The root mean squared error of each output.</summary>
    public IReadOnlyList<double> RootMeanSquaredErrors { get; }

    /// <summary>The mean absolute error of each output.</summary>
    public IReadOnlyList<double> MeanAbsoluteErrors { get; }

    /// <summary>The R² of each output.</summary>
    public IReadOnlyList<double> RSquaredPerOutput { get; }

    /// <summary>Equal when every per-output value is equal.</summary>
    public bool Equals(RegressionMetrics? other) => other is not null &&
        Same(MeanSquaredErrors, other.MeanSquaredErrors) && Same(MeanAbsoluteErrors, other.MeanAbsoluteErrors) && Same(RSquaredPerOutput, other.RSquaredPerOutput);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegressionMetrics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MeanSquaredError, MeanAbsoluteError, RSquared);

    private static bool Same(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (!a[i].Equals(b[i])) return false;
        }
        return true;
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum / values.Length;
    }
}

/// <summary>
/// Classification metrics with scikit-learn's definitions (<c>accuracy_score</c>, <c>precision_recall_fscore_support</c>
/// with <c>average=None</c> and <c>zero_division=0</c>, <c>confusion_matrix</c>). Classes are numbered from 0: the
/// output index with several outputs, 0 and 1 with one.
/// </summary>
public sealed class ClassificationMetrics : IEquatable<ClassificationMetrics>
{
    private readonly int[,] _confusion;

    /// <summary>Creates the metrics from a confusion matrix.</summary>
    /// <param name="confusionMatrix"><c>[true class, predicted class]</c> counts; square, at least 2 × 2. Copied.</param>
    /// <exception cref="ArgumentException">The matrix is not square, is smaller than 2 × 2, has a negative count or no samples.</exception>
    public ClassificationMetrics(int[,] confusionMatrix)
    {
        ArgumentNullException.ThrowIfNull(confusionMatrix);
        int n = confusionMatrix.GetLength(0);
        if (n < 2 || confusionMatrix.GetLength(1) != n)
            throw new ArgumentException($"The confusion matrix must be square with at least 2 classes; it is {n} × {confusionMatrix.GetLength(1)}.", nameof(confusionMatrix));
        _confusion = (int[,])confusionMatrix.Clone();
        var precision = new double[n];
        var recall = new double[n];
        var f1 = new double[n];
        var support = new int[n];
        long total = 0, correct = 0;
        for (int k = 0; k < n; k++)
        {
            long predicted = 0, actual = 0;
            for (int j = 0; j < n; j++)
            {
                if (_confusion[k, j] < 0 || _confusion[j, k] < 0)
                    throw new ArgumentException("A confusion matrix count is negative.", nameof(confusionMatrix));
                predicted += _confusion[j, k];
                actual += _confusion[k, j];
            }
            long tp = _confusion[k, k];
            precision[k] = predicted == 0 ? 0 : (double)tp / predicted;
            recall[k] = actual == 0 ? 0 : (double)tp / actual;
            // F1 = 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall (0 when both are 0).
            f1[k] = predicted + actual == 0 ? 0 : 2.0 * tp / (predicted + actual);
            support[k] = (int)actual;
            total += actual;
            correct += tp;
        }
        if (total == 0) throw new ArgumentException("The confusion matrix counts no samples.", nameof(confusionMatrix));
        Accuracy = (double)correct / total;
        Precision = precision;
        Recall = recall;
        F1 = f1;
        Support = support;
        MacroF1 = Average(f1);
        MacroPrecision = Average(precision);
        MacroRecall = Average(recall);
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount => _confusion.GetLength(0);

    /// <summary>The fraction of samples predicted as their true class, in [0, 1].</summary>
    public double Accuracy { get; }

    /// <summary>Per class: of the samples predicted as the class, the fraction that are (0 when none is predicted).</summary>
    public IReadOnlyList<double> Precision { get; }

    /// <summary>Per class: of the samples of the class, the fraction predicted as it (0 when the class has none).</summary>
    public IReadOnlyList<double> Recall { get; }

    /// <summary>Per class: the harmonic mean of precision and recall, <c>2 tp / (2 tp + fp + fn)</c> (0 when undefined).</summary>
    public IReadOnlyList<double> F1 { get; }

    /// <summary>Per class: the number of samples whose true class it is.</summary>
    public IReadOnlyList<int> Support { get; }

    /// <summary>The unweighted mean of <see cref="Precision"/> over classes (<c>average='macro'</c>).</summary>
    public double MacroPrecision { get; }

    /// <summary>The unweighted mean of <see cref="Recall"/> over classes (<c>average='macro'</c>).</summary>
    public double MacroRecall { get; }

    /// <summary>The unweighted mean of <see cref="F1"/> over classes (<c>average='macro'</c>).</summary>
    public double MacroF1 { get; }

    /// <summary>The number of samples of true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public int this[int actual, int predicted] => _confusion[actual, predicted];

    /// <summary>A copy of the confusion matrix, <c>[true class, predicted class]</c> (rows are true classes, as scikit-learn's).</summary>
    public int[,] ConfusionMatrix() => (int[,])_confusion.Clone();

    /// <summary>Equal when the confusion matrices are equal (every metric follows from it).</summary>
    public bool Equals(ClassificationMetrics? other)
    {
        if (other is null || other.ClassCount != ClassCount) return false;
        foreach (var (a, b) in Pairs(_confusion, other._confusion))
        {
            if (a != b) return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClassificationMetrics);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClassCount, Accuracy);

    private static IEnumerable<(int, int)> Pairs(int[,] a, int[,] b)
    {
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                yield return (a[i, j], b[i, j]);
    }

    private static double Average(double[] values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum / values.Length;
    }
}
