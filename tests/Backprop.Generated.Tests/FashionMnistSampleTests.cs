using System.Text.Json;
using FashionMnist;
using Xunit.Abstractions;

namespace Backprop.Generated.Tests;

/// <summary>The Fashion-MNIST sample on the committed 2,000 + 500 image subset: data, PyTorch-trained weights, training.</summary>
public class FashionMnistSampleTests(ITestOutputHelper output)
{
    private static readonly Lazy<FashionData> Subset = new(() => FashionData.Load(FashionData.SubsetFolder));

    [Fact]
    public void The_subset_loads_through_the_sample_as_28x28_images_of_ten_classes()
    {
        FashionData data = Subset.Value;
        Assert.Equal((2000, 500), (data.Train.Count, data.Test.Count));
        Assert.Equal((FashionMnist.FashionCnn.InputSize, FashionMnist.FashionCnn.OutputSize), (data.Train.InputSize, data.Train.OutputSize));
        Assert.Equal(784, FashionMnist.FashionCnn.InputSize);
        Assert.Equal(10, FashionData.ClassNames.Count);
        // 16·1·25 + 16 + 32·16·25 + 32 + 10·1568 + 10 parameters, as PyTorch counts them.
        Assert.Equal(28938, FashionMnist.FashionCnn.ParameterCount);
    }

    [Fact]
    public void A_missing_folder_is_reported_with_the_file_names_and_where_to_get_them()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-fashion-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<FileNotFoundException>(() => FashionData.Load(missing));
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", FashionData.MissingMessage);
        Assert.Contains(FashionData.ZalandoUrl, FashionData.MissingMessage);
        Assert.Equal(missing, FashionData.Locate(missing)); // a --data folder is taken as given, and Load reports what is missing
        Assert.True(FashionData.Locate(null) is null || FashionData.HasFiles(FashionData.DebianFolder), "without --data, only a Debian folder holding the files");
    }

    [Fact]
    public void Weights_PyTorch_trained_load_into_the_sample_network_and_give_PyTorch_outputs()
    {
        // samples/FashionMnist/pytorch/fashion_cnn_seed0.*: FashionCnn trained by PyTorch on the 60,000 images (seed 0,
        // 90.58 % test accuracy), with its logits on the first 16 test images of the subset.
        string folder = Path.Combine(AppContext.BaseDirectory, "fashion");
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "fashion_cnn_seed0.expected.json")));
        var net = new FashionMnist.FashionCnn();
        net.LoadWeights(Path.Combine(folder, "fashion_cnn_seed0.safetensors"));

        FashionData data = Subset.Value;
        int count = expected.RootElement.GetProperty("count").GetInt32();
        var outputs = new float[count * 10];
        net.Forward(data.Test.Inputs[..(count * 784)], outputs);
        int[] labels = expected.RootElement.GetProperty("labels").EnumerateArray().Select(l => l.GetInt32()).ToArray();
        float[][] logits = expected.RootElement.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        float[][] softmax = expected.RootElement.GetProperty("softmax").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(labels[i], ArgMax(data.Test.GetTarget(i)));
            ReadOnlySpan<float> row = outputs.AsSpan(i * 10, 10);
            Assert.Equal(ArgMax(logits[i]), ArgMax(row));
            for (int k = 0; k < 10; k++)
                Assert.True(Math.Abs(row[k] - softmax[i][k]) <= 2e-5f, $"image {i}, class {k}: {row[k]} vs PyTorch's softmax {softmax[i][k]}");
        }
    }

    [Fact]
    public void The_defaults_are_the_recipe_docs_fashion_mnist_states()
    {
        // Chosen on the validation split (samples/FashionMnist/validation.tsv, docs/fashion-mnist.md).
        var settings = new FashionSettings();
        Assert.Equal(1e-3f, settings.LearningRate);
        Assert.Equal(64, settings.BatchSize);
        Assert.Equal(12, settings.Epochs);
        Assert.Equal(FashionSchedule.Cosine, settings.Schedule);
        Assert.Equal(0f, settings.WeightDecay);
        Assert.Equal(0f, settings.CreateOptimizer().WeightDecay);
        var cosine = Assert.IsType<CosineAnnealingSchedule>(FashionTraining.CreateOptions(settings).Schedule);
        Assert.Equal(12, cosine.Period);
        Assert.Equal(0f, cosine.MinLearningRate);
        Assert.Null(FashionTraining.CreateOptions(settings with { Schedule = FashionSchedule.Constant }).Schedule);
        Assert.Equal(0.05f, (settings with { WeightDecay = 0.05f }).CreateOptimizer().WeightDecay);
        Assert.Equal("Adam lr 0.001 cosine to 0, batch 64, 12 epochs, seed 0, 1 thread", settings.Describe());
    }

    [Fact]
    public void Three_epochs_on_500_subset_images_reach_well_above_chance()
    {
        // The default recipe over 3 epochs (Adam 0.001 along a cosine over 3 epochs, batch 64), seed 0, one thread:
        // measured 0.656 on the 500 test images of the subset (chance: 0.100; the training loss 1.966, 1.288, 1.045).
        // The margin covers other SIMD widths' rounding.
        FashionData data = Subset.Value;
        const int n = 500;
        var train = new Dataset(data.Train.Inputs[..(n * 784)], data.Train.Targets[..(n * 10)], 784, 10);
        var settings = new FashionSettings { Epochs = 3, Seed = 0 };
        FashionRun run = FashionTraining.Train(train, data.Test, settings);
        output.WriteLine($"test accuracy {run.TestAccuracy:R}, losses {string.Join(", ", run.Epochs.Select(e => e.TrainLoss.ToString("0.0000")))}");

        Assert.Equal(3, run.Epochs.Count);
        Assert.Equal(3, run.EpochTrainTimes.Count);
        Assert.Equal(3, run.EpochCpuTimes.Count);
        Assert.True(run.Epochs[2].TrainLoss < run.Epochs[0].TrainLoss, "the training loss falls");
        // cosine over 3 epochs: 0.001 (1 + cos(pi e / 3)) / 2 for e = 0, 1, 2
        double[] rates = [1e-3, 7.5e-4, 2.5e-4];
        for (int e = 0; e < 3; e++)
            Assert.True(Math.Abs(run.Epochs[e].LearningRate - rates[e]) <= 1e-9, $"epoch {e + 1}: rate {run.Epochs[e].LearningRate:R}, expected {rates[e]:R}");
        Assert.True(run.TestAccuracy >= 0.60, $"test accuracy {run.TestAccuracy:P1}, measured 65.6 % with these settings");
        int total = 0;
        foreach (int c in run.Confusion) total += c;
        Assert.Equal(500, total);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
