using System;
using System.IO;
using System.Linq;
using Backprop.Generated;
using Backprop.Generated.Tests.Weights;
using Xunit;

namespace Backprop.Generated.Tests.Training;

/// <summary>Data in: array factories, CSV, stratified split, standardization, and NaN/infinity refused up front.</summary>
public sealed class DataInTests
{
    [Fact]
    public void NaN_or_infinity_is_refused_when_the_data_set_is_built_naming_sample_and_feature()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset([1f, 2f, 3f, float.NaN, 5f, 6f], [0f, 1f, 0f], 2, 1));
        Assert.Contains("sample 1, feature 1, is NaN", e.Message);
        var t = Assert.Throws<ArgumentException>(() => new Dataset([1f, 2f], [0f, float.PositiveInfinity], 2, 2));
        Assert.Contains("targets of sample 0, output 1, is ∞", t.Message.Replace("Infinity", "∞"));
        var d = Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new double[,] { { 1, 2 }, { 3, 1e39 } }, new double[] { 0, 1 }));
        Assert.Contains("sample 1, feature 1", d.Message);
        Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new[] { new[] { 1f, 2f }, new[] { float.NegativeInfinity, 0f } }, new[] { new[] { 1f }, new[] { 0f } }));
    }

    [Fact]
    public void Array_factories_keep_rows_and_check_shapes()
    {
        Dataset a = Dataset.FromArrays(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }, new float[,] { { 1, 0 }, { 0, 1 } });
        Dataset b = Dataset.FromArrays(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, new double[,] { { 1, 0 }, { 0, 1 } });
        Dataset c = Dataset.FromArrays(new[] { new[] { 1f, 2f, 3f }, new[] { 4f, 5f, 6f } }, new[] { new[] { 1f, 0f }, new[] { 0f, 1f } });
        Dataset d = Dataset.FromArrays(new[] { new[] { 1.0, 2, 3 }, new[] { 4.0, 5, 6 } }, new[] { new[] { 1.0, 0 }, new[] { 0.0, 1 } });
        foreach (Dataset x in new[] { a, b, c, d })
        {
            Assert.Equal((2, 3, 2), (x.Count, x.InputSize, x.OutputSize));
            Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], x.Inputs.ToArray());
            Assert.Equal([1f, 0f, 0f, 1f], x.Targets.ToArray());
        }
        Dataset r = Dataset.FromArrays(new double[,] { { 1 }, { 2 } }, new double[] { 0.5, 1.5 });
        Assert.Equal([0.5f, 1.5f], r.Targets.ToArray());
        Assert.Contains("2 input rows but 3 target rows", Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new float[,] { { 1 }, { 2 } }, new float[] { 1, 2, 3 })).Message);
        Assert.Contains("inputs[1] has 1 values; row 0 has 2", Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new[] { new[] { 1f, 2f }, new[] { 3f } }, new[] { new[] { 1f }, new[] { 0f } })).Message);
    }

    private static Dataset Csv(string text, CsvOptions options) => Dataset.FromCsv(new StringReader(text), options, "test.csv");

    [Fact]
    public void Csv_with_header_quotes_and_blank_lines_and_a_named_label()
    {
        const string text = "age,\"city, quoted\",species\n\n30,1.5,setosa\r\n\"41\",\"2\",\"virginica\"\n\n25,-0.5e1,setosa\n";
        Dataset d = Csv(text, new CsvOptions { LabelColumn = "species", Classification = true });
        Assert.Equal((3, 2, 2), (d.Count, d.InputSize, d.OutputSize));
        Assert.Equal([30f, 1.5f, 41f, 2f, 25f, -5f], d.Inputs.ToArray());
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f], d.Targets.ToArray());
        Assert.Equal(["setosa", "virginica"], d.ClassNames!);
        Assert.Equal(["age", "city, quoted"], d.FeatureNames!);

        // no header, label by index from the end, numeric classes sorted as numbers
        Dataset n = Csv("1,2,10\n3,4,9\n5,6,10\n7,8,100\n", new CsvOptions { HasHeader = false, LabelIndex = -1, Classification = true });
        Assert.Equal(["9", "10", "100"], n.ClassNames!);
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], n.Targets.ToArray());

        // a regression label in the middle, a quoted field with a line break and an escaped quote in an ignored-text position
        Dataset reg = Csv("x,y,z\n1,0.25,2\n3,-1,4\n", new CsvOptions { LabelIndex = 1 });
        Assert.Equal([1f, 2f, 3f, 4f], reg.Inputs.ToArray());
        Assert.Equal([0.25f, -1f], reg.Targets.ToArray());
        Assert.Equal(["x", "z"], reg.FeatureNames!);
        Dataset multiline = Csv("\"a\nb\",\"say \"\"hi\"\"\"\n1,x\n2,y\n", new CsvOptions { LabelIndex = 1, Classification = true });
        Assert.Equal(["a\nb"], multiline.FeatureNames!);
        Assert.Equal([1f, 2f], multiline.Inputs.ToArray());
    }

    [Fact]
    public void Csv_errors_name_the_file_the_line_and_the_column()
    {
        var options = new CsvOptions { LabelColumn = "y" };
        string Message(string text) => Assert.Throws<InvalidDataException>(() => Csv(text, options)).Message;
        Assert.Contains("CSV 'test.csv', line 3, column 0 'a': the value is missing", Message("a,y\n1,2\n,3\n"));
        Assert.Contains("line 2, column 1 'y': the value is missing", Message("a,y\n1,  \n"));
        Assert.Contains("line 2, column 0 'a': 'abc' is not a number", Message("a,y\nabc,2\n"));
        Assert.Contains("line 3: 3 fields, but the header has 2", Message("a,y\n1,2\n1,2,3\n"));
        Assert.Contains("no column is named 'y'", Message("a,b\n1,2\n"));
        Assert.Contains("not closed", Message("a,y\n\"1,2\n"));
        Assert.Contains("text after a closing quote", Message("a,y\n\"1\"x,2\n"));
        Assert.Contains("no data rows", Message("a,y\n\n"));
        var nan = Assert.Throws<ArgumentException>(() => Csv("a,y\n1,2\nNaN,3\n", options));
        Assert.Contains("line 3, column 0 'a' (sample 1, feature 0) is NaN", nan.Message);
        Assert.Throws<ArgumentException>(() => Csv("a,y\n1,2\n", new CsvOptions()));
    }

    [Fact]
    public void Csv_from_a_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("data.csv");
        File.WriteAllText(path, "f1,f2,label\n0.5,1,a\n1.5,2,b\n");
        Dataset d = Dataset.FromCsv(path, new CsvOptions { LabelColumn = "label", Classification = true });
        Assert.Equal([0.5f, 1f, 1.5f, 2f], d.Inputs.ToArray());
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, new CsvOptions { LabelColumn = "nope" })).Message);
    }

    [Fact]
    public void Stratified_split_keeps_each_class_share()
    {
        // 3 classes of 30, 60 and 10 samples
        int[] labels = Enumerable.Range(0, 100).Select(i => i < 30 ? 0 : i < 90 ? 1 : 2).ToArray();
        Dataset data = Dataset.FromLabels(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), 1, labels, 3);
        var (train, test) = data.StratifiedSplit(0.8, seed: 4);
        int Count(Dataset d, int k) => Enumerable.Range(0, d.Count).Count(i => d.GetTarget(i)[k] == 1f);
        Assert.Equal((24, 48, 8), (Count(train, 0), Count(train, 1), Count(train, 2)));
        Assert.Equal((6, 12, 2), (Count(test, 0), Count(test, 1), Count(test, 2)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), train.Inputs.ToArray().Concat(test.Inputs.ToArray()).Order());
        Assert.True(train.Inputs.ToArray().SequenceEqual(train.Inputs.ToArray().Order())); // original order kept
        var (again, _) = data.StratifiedSplit(0.8, seed: 4);
        Assert.Equal(train.Inputs.ToArray(), again.Inputs.ToArray());
        var (other, _) = data.StratifiedSplit(0.8, seed: 5);
        Assert.NotEqual(train.Inputs.ToArray(), other.Inputs.ToArray());
        // one output: each distinct value is a class (0/1 or -1/+1)
        Dataset binary = new([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], [-1f, -1f, -1f, -1f, 1f, 1f, 1f, 1f], 1, 1);
        var (b1, b2) = binary.StratifiedSplit(0.5, seed: 1);
        Assert.Equal(2, b1.Targets.ToArray().Count(t => t == 1f));
        Assert.Equal(2, b2.Targets.ToArray().Count(t => t == 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.StratifiedSplit(1.0, seed: 1));
    }

    [Fact]
    public void Standardizer_fits_training_data_and_applies_it_elsewhere_as_StandardScaler()
    {
        // column 0: 1,2,3,4 (mean 2.5, population std sqrt(1.25)); column 1 constant 7 (scale 1, as scikit-learn)
        var train = new Dataset([1f, 7f, 2f, 7f, 3f, 7f, 4f, 7f], [0f, 1f, 0f, 1f], 2, 1);
        Standardizer s = Standardizer.FitInputs(train);
        Assert.Equal([2.5f, 7f], s.Mean.ToArray());
        Assert.Equal([(float)Math.Sqrt(1.25), 1f], s.Scale.ToArray());
        Dataset scaled = s.TransformInputs(train);
        double mean = Enumerable.Range(0, 4).Average(i => scaled.GetInput(i)[0]);
        double variance = Enumerable.Range(0, 4).Average(i => Math.Pow(scaled.GetInput(i)[0] - mean, 2));
        Assert.Equal(0, mean, 6);
        Assert.Equal(1, variance, 6);
        Assert.Equal(0f, scaled.GetInput(2)[1]);
        // another set uses the training statistics, not its own
        var test = new Dataset([10f, 8f], [1f], 2, 1);
        Assert.Equal([(10f - 2.5f) / (float)Math.Sqrt(1.25), 1f], s.TransformInputs(test).Inputs.ToArray());
        float[] row = [10f, 8f];
        s.Transform(row);
        s.InverseTransform(row);
        Assert.Equal(10f, row[0], 5);
        Assert.Throws<ArgumentException>(() => s.TransformInputs(new Dataset([1f], [1f], 1, 1)));
    }

    [Fact]
    public void Standardizer_is_saved_in_the_weights_file_metadata_and_restored_bit_for_bit()
    {
        var train = new Dataset([1.1f, 70f, 2.3f, 71f, 3.7f, 69.5f], [0f, 1f, 0f], 2, 1);
        Standardizer inputs = Standardizer.FitInputs(train);
        Standardizer targets = Standardizer.FitTargets(train);
        var net = new LinearModel(2, 1, Loss.MeanSquaredError);
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var metadata = inputs.ToMetadata();
        foreach (var pair in targets.ToMetadata("standardizer.targets")) metadata.Add(pair.Key, pair.Value);
        net.SaveWeights(path, metadata);
        net.LoadWeights(path); // still an ordinary weights file

        Standardizer restored = Standardizer.FromWeightsFile(path)!;
        Assert.Equal(inputs.Mean.ToArray(), restored.Mean.ToArray());
        Assert.Equal(inputs.Scale.ToArray(), restored.Scale.ToArray());
        Assert.Equal(targets.Scale.ToArray(), Standardizer.FromWeightsFile(path, "standardizer.targets")!.Scale.ToArray());
        Assert.Null(Standardizer.FromWeightsFile(path, "other"));

        string plain = folder.File("plain.safetensors");
        net.SaveWeights(plain);
        Assert.Null(Standardizer.FromWeightsFile(plain));
        string garbage = folder.File("garbage.safetensors");
        File.WriteAllBytes(garbage, [1, 2, 3]);
        Assert.Contains(garbage, Assert.Throws<InvalidDataException>(() => Standardizer.FromWeightsFile(garbage)).Message);
        var bad = Assert.Throws<InvalidDataException>(() => Standardizer.FromMetadata(new System.Collections.Generic.Dictionary<string, string>
        {
            ["standardizer.inputs.mean"] = "1,x",
            ["standardizer.inputs.scale"] = "1,1",
        }));
        Assert.Contains("'x' is not a number", bad.Message);
    }

    [Fact]
    public void Divergence_from_unscaled_data_says_the_data_is_the_likely_cause()
    {
        // targets around 1e4 and inputs around 1e3: MSE gradients are huge from the first step
        var random = new DeterministicRandom(1);
        int n = 64;
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(1000 * random.NextDouble());
            y[i] = 12 * x[i] + 300;
        }
        var data = new Dataset(x, y, 1, 1);
        var net = new LinearModel(1, 1, Loss.MeanSquaredError);
        var e = Assert.Throws<TrainingDivergedException>(() => new Trainer(net, new Sgd(0.01f), new TrainerOptions { Epochs = 50, BatchSize = 8 }).Train(data));
        Assert.True(e.DataIsLikelyCause);
        Assert.Contains("The data, not the learning rate, is the likely cause", e.Message);
        Assert.Contains("Standardizer", e.Message);

        // standardized, the same rate trains
        Standardizer sx = Standardizer.FitInputs(data), sy = Standardizer.FitTargets(data);
        Dataset scaled = sy.TransformTargets(sx.TransformInputs(data));
        var fresh = new LinearModel(1, 1, Loss.MeanSquaredError);
        new Trainer(fresh, new Sgd(0.01f), new TrainerOptions { Epochs = 50, BatchSize = 8 }).Train(scaled);
        Assert.True(Evaluation.Evaluate(fresh, scaled).Regression!.RSquared > 0.99);
    }

    [Fact]
    public void Divergence_at_a_high_rate_on_scaled_data_still_points_at_the_rate()
    {
        Dataset train = TestData.Blobs(40, seed: 1);
        var net = new LinearModel(4, 3, Loss.MeanSquaredError);
        net.InitializeParameters(1);
        var e = Assert.Throws<TrainingDivergedException>(() => new Trainer(net, new Sgd(1e6f), new TrainerOptions { Epochs = 50, BatchSize = 4 }).Train(train));
        Assert.False(e.DataIsLikelyCause);
        Assert.Contains("Try a lower learning rate", e.Message);
    }
}
