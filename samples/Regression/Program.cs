using System;
using System.IO;
using Regression;

// The diabetes data of scikit-learn (samples/Regression/data, made by data/make_diabetes.py): 353 training and 89 test
// patients, ten measurements each, one target.
string data = Path.Combine(AppContext.BaseDirectory, "data");
RegressionRun run = DiabetesRegression.Run(data, seed: args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 0);
Console.WriteLine($"{run.Train} training and {run.Test} test patients");
Console.WriteLine($"network 10-16-1 (MSE, Adam): test R² {run.Network.RSquared:F3}, RMSE {run.Network.RootMeanSquaredError:F3}, MAE {run.Network.MeanAbsoluteError:F3} (standardized target)");
Console.WriteLine($"least squares (baseline):    test R² {run.LinearBaselineR2:F3} (scikit-learn's LinearRegression on the same split: {run.ScikitLearnR2:F3})");
