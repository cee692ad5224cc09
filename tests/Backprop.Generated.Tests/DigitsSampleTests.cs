using Backprop.Generated.Samples.Charts;
using System.Globalization;
using System.Xml.Linq;
using Backprop.Generated.Tests.Weights;
using Digits;

namespace Backprop.Generated.Tests;

/// <summary>The Digits sample (the project's main job): data, the accuracy of its defaults, its SVG and weights files.</summary>
public class DigitsSampleTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly Lazy<DigitsData> Data = new(() => DigitsData.Load());

    [Fact]
    public void The_shipped_data_and_split_load_as_described()
    {
        DigitsData data = Data.Value;

        Assert.Equal(1797, data.Count);
        Assert.Equal(1437, data.TrainRows.Count);
        Assert.Equal(360, data.TestRows.Count);
        Assert.Empty(data.TrainRows.Intersect(data.TestRows));
        Assert.Equal(Enumerable.Range(0, 1797), data.TrainRows.Concat(data.TestRows).Order());
        // The first row of the file is a 0; its first pixels are 0,0,5,13,9,1,0,0.
        Assert.Equal(0, data.Labels[0]);
        Assert.Equal(new byte[] { 0, 0, 5, 13, 9, 1, 0, 0 }, data.GetPixels(0)[..8].ToArray());
        // Stratified: every digit has 35 to 37 test images.
        Assert.All(data.LabelsOf(data.TestRows).CountBy(l => l), pair => Assert.InRange(pair.Value, 35, 37));

        Dataset train = data.ToDataset(data.TrainRows);
        Assert.Equal(1437, train.Count);
        Assert.True(train.Inputs.ToArray().All(x => x is >= 0f and <= 1f), "pixels are scaled to [0, 1]");
        Assert.Contains(1f, train.Inputs.ToArray());
    }

    [Fact]
    public void Default_settings_reach_at_least_97_5_percent_test_accuracy_with_seed_0()
    {
        DigitsRun run = DigitsTraining.Train(Data.Value, new DigitsSettings { Seed = 0 });

        Assert.Equal(360, run.Test.Count);
        Assert.True(run.TestAccuracy >= 0.975, $"test accuracy {run.TestAccuracy:P2} with the default settings and seed 0");
        Assert.Equal(new DigitsSettings().Epochs, run.History.Epochs.Count);

        int[,] confusion = run.Confusion;
        int total = 0, correct = 0;
        for (int t = 0; t < 10; t++)
        {
            for (int p = 0; p < 10; p++) total += confusion[t, p];
            correct += confusion[t, t];
        }
        Assert.Equal(360, total);
        Assert.Equal(run.TestAccuracy, correct / 360.0, 12);
    }

    [Fact]
    public void The_default_hyper_parameters_are_the_tuned_ones()
    {
        var settings = new DigitsSettings();
        Assert.Equal(OptimizerKind.Momentum, settings.Optimizer);
        Assert.Equal(0.15f, settings.EffectiveLearningRate);
        Assert.Equal(16, settings.BatchSize);
        Assert.Equal(80, settings.Epochs);
        Assert.Equal(ScheduleKind.Constant, settings.Schedule);
        Assert.Equal(1e-3f, settings.L2);
        Assert.Equal(40, settings.AveragedEpochs);
    }

    [Fact]
    public void Training_is_bit_identical_run_after_run()
    {
        var settings = new DigitsSettings { Epochs = 4, Seed = 3 };
        DigitsRun a = DigitsTraining.Train(Data.Value, settings);
        DigitsRun b = DigitsTraining.Train(Data.Value, settings);

        Assert.Equal(a.Network.Parameters.ToArray(), b.Network.Parameters.ToArray());
        Assert.Equal(a.History.ToCsv().Split('\n').Select(DropElapsed), b.History.ToCsv().Split('\n').Select(DropElapsed));
    }

    [Fact]
    public void Averaging_puts_the_mean_of_the_last_epochs_weights_into_the_network()
    {
        DigitsData data = Data.Value;
        Dataset train = data.ToDataset(data.TrainRows), test = data.ToDataset(data.TestRows);
        var settings = new DigitsSettings { Epochs = 4, AveragedFraction = 0.5, Seed = 1 };

        // The same training by hand: parameters after epochs 3 and 4, averaged.
        var network = new DigitsNet(settings.Seed);
        var trainer = new Trainer(network, DigitsTraining.CreateOptimizer(settings.Optimizer, settings.EffectiveLearningRate), DigitsTraining.CreateOptions(settings));
        var snapshots = new List<float[]>();
        trainer.Train(train, null, new Recorder(r => { if (r.Epoch >= 3) snapshots.Add(network.Parameters.ToArray()); }));
        float[] expected = snapshots[0].Zip(snapshots[1], (x, y) => (float)(((double)x + y) / 2)).ToArray();

        DigitsRun run = DigitsTraining.Train(train, test, settings, monitor: test);

        Assert.Equal(expected, run.Network.Parameters.ToArray());
        Assert.Equal([3, 4], run.Averaged.Select(a => a.Epoch));
        Assert.Equal(run.TestAccuracy, run.Averaged[^1].Result.Accuracy);
    }

    [Fact]
    public void Curves_svg_is_well_formed_xml_with_every_series_one_point_per_epoch()
    {
        var settings = new DigitsSettings { Epochs = 6 };
        DigitsRun run = DigitsTraining.Train(Data.Value, settings);
        using var folder = new TempFolder();

        DigitsOutputFiles files = DigitsOutputs.Write(run, settings, folder.Path);
        XDocument svg = XDocument.Load(files.Curves);

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        var series = svg.Descendants(Svg + "polyline").ToDictionary(p => (string)p.Attribute("data-series")!, p => (string)p.Attribute("points")!);
        Assert.Equal(
            new[] { CurvesChart.TrainLossId, CurvesChart.TestLossId, CurvesChart.AveragedLossId, CurvesChart.TestAccuracyId, CurvesChart.AveragedAccuracyId, CurvesChart.FinalAccuracyId }.Order(),
            series.Keys.Order());
        Assert.Equal(6, Points(series[CurvesChart.TrainLossId]).Length);
        Assert.Equal(6, Points(series[CurvesChart.TestLossId]).Length);
        Assert.Equal(6, Points(series[CurvesChart.TestAccuracyId]).Length);
        Assert.Equal(3, Points(series[CurvesChart.AveragedAccuracyId]).Length);
        // x grows with the epoch; the loss falls from the first epoch to the last (SVG y grows downwards).
        double[][] trainLoss = Points(series[CurvesChart.TrainLossId]);
        Assert.True(trainLoss.Zip(trainLoss.Skip(1)).All(p => p.First[0] < p.Second[0]));
        Assert.True(trainLoss[^1][1] > trainLoss[0][1]);

        string[] texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToArray();
        Assert.Contains("epoch", texts);
        Assert.Contains("Loss (cross-entropy)", texts);
        Assert.Contains("Test accuracy", texts);
        Assert.Contains(texts, t => t.StartsWith("Digits 64-32-10", StringComparison.Ordinal));
        Assert.Contains("training loss (mean over the epoch)", texts); // legend
        Assert.Contains("100", texts); // accuracy tick
        Assert.Equal(2, svg.Descendants(Svg + "g").Count(g => (string?)g.Attribute("class") == "panel"));
    }

    [Fact]
    public void Layer_statistics_write_gradient_norm_and_activity_charts_and_csv_columns()
    {
        var settings = new DigitsSettings { Epochs = 4, LayerStatistics = true };
        DigitsRun run = DigitsTraining.Train(Data.Value, settings);
        using var folder = new TempFolder();
        DigitsOutputFiles files = DigitsOutputs.Write(run, settings, folder.Path);

        XDocument norms = XDocument.Load(files.GradientNorms!);
        var series = norms.Descendants(Svg + "polyline").ToDictionary(p => (string)p.Attribute("data-series")!, p => (string)p.Attribute("points")!);
        Assert.Equal(["grad-norm:layers.0.weight", "grad-norm:layers.1.weight"], series.Keys.Order());
        Assert.All(series.Values, p => Assert.Equal(4, Points(p).Length));
        XDocument activity = XDocument.Load(files.Activity!);
        Assert.Equal(["dead:0"], activity.Descendants(Svg + "polyline").Select(p => (string)p.Attribute("data-series")!));

        string header = File.ReadAllText(files.History).Split('\n')[0];
        Assert.Contains(",grad_norm:layers.0.weight,param_norm:layers.0.weight,", header);
        Assert.EndsWith(",mean:1,std:1,saturated:1,dead:1", header);
        Assert.All(run.History.Epochs, e => Assert.Equal(2, e.Activity.Count));

        DigitsOutputFiles plain = DigitsOutputs.Write(DigitsTraining.Train(Data.Value, new DigitsSettings { Epochs = 2 }), new DigitsSettings { Epochs = 2 }, folder.Path);
        Assert.Null(plain.GradientNorms);
        Assert.Null(plain.Activity);
    }

    [Fact]
    public void Curves_svg_does_not_depend_on_the_current_culture()
    {
        DigitsRun run = DigitsTraining.Train(Data.Value, new DigitsSettings { Epochs = 3 });
        string invariant = CurvesChart.ToSvg(run.History, "title", run.TestAccuracy, run.Averaged);

        CultureInfo original = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        comma.NumberFormat.NegativeSign = "\u2212";
        try
        {
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(invariant, CurvesChart.ToSvg(run.History, "title", run.TestAccuracy, run.Averaged));
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Fact]
    public void Saved_weights_load_into_a_fresh_network_with_identical_predictions()
    {
        DigitsData data = Data.Value;
        var settings = new DigitsSettings { Epochs = 5, Seed = 2 };
        DigitsRun run = DigitsTraining.Train(data, settings);
        using var folder = new TempFolder();
        DigitsOutputFiles files = DigitsOutputs.Write(run, settings, folder.Path);

        var fresh = new DigitsNet(seed: 99);
        Assert.NotEqual(run.Network.Parameters.ToArray(), fresh.Parameters.ToArray());
        fresh.LoadWeights(files.Weights);

        Assert.Equal(run.Network.Parameters.ToArray(), fresh.Parameters.ToArray());
        Dataset test = data.ToDataset(data.TestRows);
        var expected = new float[test.Count * 10];
        var actual = new float[test.Count * 10];
        run.Network.Forward(test.Inputs, expected);
        fresh.Forward(test.Inputs, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(run.Test, Evaluation.Evaluate(fresh, test));
        for (int i = 0; i < test.Count; i++)
            Assert.Equal(Evaluation.Predict(run.Network, test.GetInput(i)), Evaluation.Predict(fresh, test.GetInput(i)));

        string history = File.ReadAllText(files.History);
        Assert.StartsWith("epoch,train_loss,validation_loss,validation_accuracy", history);
        Assert.Equal(1 + 5, history.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.RmsProp)]
    public void Every_optimizer_learns_with_its_default_learning_rate(OptimizerKind optimizer)
    {
        DigitsRun run = DigitsTraining.Train(Data.Value, new DigitsSettings { Optimizer = optimizer, Epochs = 10 });
        Assert.True(run.TestAccuracy > 0.93, $"{optimizer}: {run.TestAccuracy:P2} after 10 epochs");
    }

    [Theory]
    [InlineData(0, 1, 8, new double[] { 0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(1, 80, 8, new double[] { 20, 40, 60, 80 })]
    [InlineData(1, 80, 12, new double[] { 10, 20, 30, 40, 50, 60, 70, 80 })]
    [InlineData(90, 100, 6, new double[] { 90, 92, 94, 96, 98, 100 })]
    [InlineData(0, 0.6825, 6, new double[] { 0, 0.2, 0.4, 0.6 })]
    public void Ticks_are_round_numbers_within_the_range(double min, double max, int count, double[] expected)
    {
        Assert.Equal(expected, CurvesChart.NiceTicks(min, max, count, integers: false));
    }

    private static double[][] Points(string points) =>
        points.Split(' ').Select(p => p.Split(',').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    private static string DropElapsed(string csvLine) => csvLine.Contains(',') ? csvLine[..csvLine.LastIndexOf(',')] : csvLine;

    private sealed class Recorder(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
