using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Training;

/// <summary>
/// EvaluationResult's metrics against scikit-learn's functions on fixed data (tests/reference/metrics_reference.py
/// wrote metrics_reference.json), and the rule that decides between classification and regression.
/// </summary>
public sealed class MetricsTests
{
    private static readonly Lazy<JsonElement> s_reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "metrics_reference.json"))).RootElement);

    /// <summary>Outputs its inputs: Evaluate then scores the inputs as predictions.</summary>
    private sealed class Identity(int size) : IInferenceNetwork
    {
        public int InputSize => size;
        public int OutputSize => size;
        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => inputs.CopyTo(outputs);
    }

    private static float[] Flat(JsonElement rows) =>
        rows.EnumerateArray().SelectMany(r => r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(v => (float)v.GetDouble()) : [(float)r.GetDouble()]).ToArray();

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Near(double[] expected, System.Collections.Generic.IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void RegressionMatchesScikitLearnUniformAverage()
    {
        JsonElement r = s_reference.Value.GetProperty("regression");
        var data = new Dataset(Flat(r.GetProperty("pred")), Flat(r.GetProperty("true")), 3, 3);
        EvaluationResult result = Evaluation.Evaluate(new Identity(3), data, Loss.MeanSquaredError);

        Assert.Null(result.Accuracy);
        Assert.Null(result.Classification);
        RegressionMetrics m = Assert.IsType<RegressionMetrics>(result.Regression);
        Assert.Equal(r.GetProperty("mse").GetDouble(), m.MeanSquaredError, 12);
        Assert.Equal(r.GetProperty("rmse").GetDouble(), m.RootMeanSquaredError, 12);
        Assert.Equal(r.GetProperty("mae").GetDouble(), m.MeanAbsoluteError, 12);
        Assert.Equal(r.GetProperty("r2").GetDouble(), m.RSquared, 12);
        Near(Doubles(r.GetProperty("mse_per_output")), m.MeanSquaredErrors);
        Near(Doubles(r.GetProperty("rmse_per_output")), m.RootMeanSquaredErrors);
        Near(Doubles(r.GetProperty("mae_per_output")), m.MeanAbsoluteErrors);
        Near(Doubles(r.GetProperty("r2_per_output")), m.RSquaredPerOutput);
        Assert.Equal(0.0, m.RSquaredPerOutput[2]); // constant targets, not predicted exactly: 0 as scikit-learn
        Assert.Equal(m.MeanSquaredError, result.Loss, 12); // the MSE loss is the uniform average
        Assert.Equal(7, result.Count);
    }

    [Fact]
    public void ConstantTargetPredictedExactlyScoresOne()
    {
        var data = new Dataset([2f, 2f, 2f], [2f, 2f, 2f], 1, 1);
        RegressionMetrics m = Evaluation.Evaluate(new Identity(1), data, Loss.MeanSquaredError).Regression!;
        Assert.Equal(1.0, m.RSquared);
        Assert.Equal(0.0, m.MeanSquaredError);
    }

    [Theory]
    [InlineData("multiclass", 4)]
    [InlineData("binary", 1)]
    public void ClassificationMatchesScikitLearn(string name, int outputs)
    {
        JsonElement c = s_reference.Value.GetProperty(name);
        var data = new Dataset(Flat(c.GetProperty("scores")), Flat(c.GetProperty("targets")), outputs, outputs);
        foreach (Loss loss in new[] { Loss.MeanSquaredError, Loss.CrossEntropy, Loss.BinaryCrossEntropy })
        {
            EvaluationResult result = Evaluation.Evaluate(new Identity(outputs), data, loss);
            Assert.Null(result.Regression);
            ClassificationMetrics m = Assert.IsType<ClassificationMetrics>(result.Classification);
            Assert.Equal(c.GetProperty("accuracy").GetDouble(), result.Accuracy!.Value, 12);
            Near(Doubles(c.GetProperty("precision")), m.Precision);
            Near(Doubles(c.GetProperty("recall")), m.Recall);
            Near(Doubles(c.GetProperty("f1")), m.F1);
            Assert.Equal(c.GetProperty("support").EnumerateArray().Select(v => v.GetInt32()), m.Support);
            Assert.Equal(c.GetProperty("macro_precision").GetDouble(), m.MacroPrecision, 12);
            Assert.Equal(c.GetProperty("macro_recall").GetDouble(), m.MacroRecall, 12);
            Assert.Equal(c.GetProperty("macro_f1").GetDouble(), m.MacroF1, 12);
            int[][] confusion = c.GetProperty("confusion").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
            int[,] ours = m.ConfusionMatrix();
            Assert.Equal(confusion.Length, m.ClassCount);
            for (int i = 0; i < confusion.Length; i++)
                for (int j = 0; j < confusion.Length; j++)
                {
                    Assert.Equal(confusion[i][j], ours[i, j]);
                    Assert.Equal(confusion[i][j], m[i, j]);
                }
        }
    }

    [Fact]
    public void HingeIsAClassifierSplitAtZero()
    {
        // targets -1/+1; outputs 0.3 and -0.2 are on the positive and negative side of 0 (0.5 would call 0.3 negative)
        var data = new Dataset([0.3f, -0.2f, 0.7f, -1.5f], [1f, -1f, -1f, -1f], 1, 1);
        EvaluationResult r = Evaluation.Evaluate(new Identity(1), data, Loss.Hinge);
        Assert.Equal(0.75, r.Accuracy);
        Assert.Equal(new[,] { { 2, 1 }, { 0, 1 } }, r.Classification!.ConfusionMatrix());
        Assert.Null(r.Regression);
    }

    [Fact]
    public void TheClassifierRuleFollowsTheLossAndTargets()
    {
        Assert.True(Evaluation.IsClassifier(Loss.MeanSquaredError, [0f, 1f, 1f, 0f, 0f, 1f], 2));
        Assert.True(Evaluation.IsClassifier(Loss.MeanSquaredError, [0f, 1f, 1f], 1));
        Assert.False(Evaluation.IsClassifier(Loss.MeanSquaredError, [0f, 1f, 0.5f], 1)); // a value between
        Assert.False(Evaluation.IsClassifier(Loss.MeanSquaredError, [1f, 1f, 0f, 0f], 2)); // a row with two ones
        Assert.False(Evaluation.IsClassifier(Loss.MeanSquaredError, [0f, 0f, 0f, 1f], 2)); // a row with none
        Assert.False(Evaluation.IsClassifier(Loss.MeanSquaredError, [-1f, 1f], 1)); // -1/+1 is not 0/1 under MSE
        Assert.True(Evaluation.IsClassifier(Loss.Hinge, [0.3f, 2f], 1));
        Assert.True(Evaluation.IsClassifier(Loss.CrossEntropy, [0.3f, 0.7f], 2));
        Assert.True(Evaluation.IsClassifier(Loss.BinaryCrossEntropy, [0.3f], 1));
    }

    [Fact]
    public void RegressionTrainingReportsNoAccuracy()
    {
        // y = 2x - 1 + small noise: MSE on continuous targets is a regression in Evaluate, the reports and the CSV.
        var random = new DeterministicRandom(3);
        int n = 64;
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(2 * random.NextDouble() - 1);
            y[i] = 2 * x[i] - 1 + (float)(0.05 * random.NextNormal());
        }
        var all = new Dataset(x, y, 1, 1);
        var (train, validation) = all.Split(48, shuffleSeed: 1);
        var net = new LinearModel(1, 1, Loss.MeanSquaredError);
        TrainingHistory history = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 30, BatchSize = 8 }).Train(train, validation);
        Assert.All(history.Epochs, e => Assert.Null(e.ValidationAccuracy));
        Assert.All(history.Epochs, e => Assert.NotNull(e.Validation?.Regression));
        EvaluationResult final = Evaluation.Evaluate(net, validation);
        Assert.True(final.Regression!.RSquared > 0.95, final.ToString());
        Assert.Equal(final.Regression.RSquared, history.Epochs[^1].Validation!.Regression!.RSquared);
        Assert.Contains("R²", history.Epochs[^1].ToString());
        Assert.DoesNotContain("accuracy", history.Epochs[^1].ToString());

        string[] lines = history.ToCsv().Split('\n');
        Assert.Equal("epoch,train_loss,validation_loss,validation_r2,validation_rmse,validation_mae,learning_rate,elapsed_seconds", lines[0]);
        string[] last = lines[30].Split(',');
        Assert.Equal(final.Regression.RSquared, double.Parse(last[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(final.Regression.RootMeanSquaredError, double.Parse(last[4], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(final.Regression.MeanAbsoluteError, double.Parse(last[5], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ConfusionMatrixIsValidated()
    {
        Assert.Throws<ArgumentException>(() => new ClassificationMetrics(new int[1, 1]));
        Assert.Throws<ArgumentException>(() => new ClassificationMetrics(new int[2, 3]));
        Assert.Throws<ArgumentException>(() => new ClassificationMetrics(new int[2, 2]));
        Assert.Throws<ArgumentException>(() => new ClassificationMetrics(new[,] { { 1, -1 }, { 0, 1 } }));
    }
}

public sealed class PredictTests
{
    [Fact]
    public void PredictUsesTheNetworksOwnLoss()
    {
        // y = x: 0.3 is class 1 for a Hinge network (sign) and class 0 for an MSE/sigmoid one (0.5)
        var hinge = new LinearModel(1, 1, Loss.Hinge);
        hinge.Parameters[0] = 1f;
        Assert.Equal(1, Evaluation.Predict(hinge, [0.3f]));
        Assert.Equal(0, Evaluation.Predict(hinge, [-0.1f]));
        var mse = new LinearModel(1, 1, Loss.MeanSquaredError);
        mse.Parameters[0] = 1f;
        Assert.Equal(0, Evaluation.Predict(mse, [0.3f]));
        Assert.Equal(1, Evaluation.Predict(mse, [0.6f]));
        // an inference-only network takes its loss as an argument
        IInferenceNetwork inferenceOnly = new InferenceOnly(hinge);
        Assert.Equal(0, Evaluation.Predict(inferenceOnly, [0.3f]));
        Assert.Equal(1, Evaluation.Predict(inferenceOnly, [0.3f], Loss.Hinge));
        var e = Assert.Throws<ArgumentException>(() => Evaluation.Predict(hinge, [0.3f, 1f]));
        Assert.Contains("1 input, got 2", e.Message);
    }

    [Fact]
    public void Length_messages_use_singular_and_plural()
    {
        var net = new TinyNet(); // 2 inputs, 1 output
        var one = Assert.Throws<ArgumentException>(() => net.Forward(new float[2], new float[2]));
        Assert.Contains("(1 sample of 1 float, as in inputs)", one.Message);
        var three = Assert.Throws<ArgumentException>(() => net.Forward(new float[6], new float[2]));
        Assert.Contains("(3 samples of 1 float, as in inputs)", three.Message);
        var odd = Assert.Throws<ArgumentException>(() => net.Forward(new float[3], new float[1]));
        Assert.Contains("(one sample is 2 floats)", odd.Message);
    }

    private sealed class InferenceOnly(IInferenceNetwork inner) : IInferenceNetwork
    {
        public int InputSize => inner.InputSize;
        public int OutputSize => inner.OutputSize;
        public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => inner.Forward(inputs, outputs);
    }
}
