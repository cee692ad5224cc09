using System;
using System.IO;
using Backprop.Generated;

namespace Regression;

/// <summary>Ten standardized measurements of a patient → one number: disease progression a year later.</summary>
[Network(Loss.MeanSquaredError)]
[Input(10)]
[Dense(16, Activation.ReLU)]
[Dense(1, Activation.Linear)]
public partial class DiabetesNet { }

/// <summary>What one run measured on the test patients.</summary>
public sealed record RegressionRun(RegressionMetrics Network, double LinearBaselineR2, double ScikitLearnR2, int Train, int Test);

/// <summary>
/// Regression in ten lines: read the CSV files, standardize on the training patients, train an MSE network (stopping
/// early on a fifth of the training patients held out for validation; the test patients make no choice), and compare
/// its test R² with ordinary least squares on the same split.
/// </summary>
public static class DiabetesRegression
{
    public static RegressionRun Run(string dataFolder, int seed = 0, int maxEpochs = 300)
    {
        var options = new CsvOptions { LabelColumn = "progression" };
        Dataset train = Dataset.FromCsv(Path.Combine(dataFolder, "diabetes_train.csv"), options);
        Dataset test = Dataset.FromCsv(Path.Combine(dataFolder, "diabetes_test.csv"), options);
        Standardizer inputs = Standardizer.FitInputs(train), targets = Standardizer.FitTargets(train);
        train = targets.TransformTargets(inputs.TransformInputs(train));
        test = targets.TransformTargets(inputs.TransformInputs(test));

        (Dataset fit, Dataset validation) = train.Split(train.Count * 4 / 5, shuffleSeed: seed);
        var net = new DiabetesNet(seed);
        var trainer = new Trainer(net, new Adam(learningRate: 3e-3f), new TrainerOptions
        {
            Epochs = maxEpochs, BatchSize = 32, Seed = seed, L2 = 1e-3f,
            EarlyStopping = new EarlyStopping { Patience = 20 },   // keeps the parameters of the best validation epoch
        });
        trainer.Train(fit, validation);
        RegressionMetrics metrics = Evaluation.Evaluate(net, test).Regression!;

        double baseline = LeastSquares.TestR2(train, test);
        double sklearn = ReadScikitLearnR2(Path.Combine(dataFolder, "diabetes_reference.json"));
        return new RegressionRun(metrics, baseline, sklearn, train.Count, test.Count);
    }

    private static double ReadScikitLearnR2(string path)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("linear_regression_test_r2").GetDouble();
    }
}

/// <summary>Ordinary least squares with an intercept (normal equations in double, Gaussian elimination), the baseline.</summary>
public static class LeastSquares
{
    public static double TestR2(Dataset train, Dataset test)
    {
        int d = train.InputSize + 1;
        var a = new double[d, d];
        var b = new double[d];
        for (int s = 0; s < train.Count; s++)
        {
            ReadOnlySpan<float> x = train.GetInput(s);
            double y = train.GetTarget(s)[0];
            for (int i = 0; i < d; i++)
            {
                double xi = i == 0 ? 1 : x[i - 1];
                b[i] += xi * y;
                for (int j = 0; j < d; j++) a[i, j] += xi * (j == 0 ? 1 : x[j - 1]);
            }
        }
        double[] w = Solve(a, b);
        double mean = 0;
        for (int s = 0; s < test.Count; s++) mean += test.GetTarget(s)[0];
        mean /= test.Count;
        double residual = 0, total = 0;
        for (int s = 0; s < test.Count; s++)
        {
            ReadOnlySpan<float> x = test.GetInput(s);
            double prediction = w[0];
            for (int i = 1; i < d; i++) prediction += w[i] * x[i - 1];
            double y = test.GetTarget(s)[0];
            residual += (y - prediction) * (y - prediction);
            total += (y - mean) * (y - mean);
        }
        return 1 - residual / total;
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            for (int k = 0; k < n; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
            (b[c], b[pivot]) = (b[pivot], b[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < n; k++) a[r, k] -= f * a[c, k];
                b[r] -= f * b[c];
            }
        }
        var w = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = b[r];
            for (int k = r + 1; k < n; k++) sum -= a[r, k] * w[k];
            w[r] = sum / a[r, r];
        }
        return w;
    }
}
