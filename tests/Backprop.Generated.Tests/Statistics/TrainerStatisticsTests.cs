using System.Globalization;
using Backprop.Generated.Tests.Training;

namespace Backprop.Generated.Tests.Statistics;

/// <summary>
/// <see cref="NetworkStatistics.TensorNorms"/> against sums over the tensors' slices, and the trainer's layer
/// statistics against the same steps taken by hand; with them off, training is what it was.
/// </summary>
public class TrainerStatisticsTests
{
    private static double Norm(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += (double)v * v;
        return Math.Sqrt(sum);
    }

    private static InspectStagedNet NewNet()
    {
        var net = new InspectStagedNet();
        net.InitializeParameters(5);
        // Running statistics other than 0 and 1, so the state tensors' norms are not trivial.
        for (int i = 0; i < net.State.Length; i++) net.State[i] = 0.25f + 0.1f * i;
        return net;
    }

    private static Dataset Data(int count = 100) => TestData.Blobs(count, seed: 3, classes: 4, features: 5);

    [Fact]
    public void TensorNorms_are_the_norms_of_each_tensors_slices()
    {
        InspectStagedNet net = NewNet();
        Dataset data = Data(20);
        net.ZeroGradients();
        net.Backward(data.Inputs, data.Targets);

        IReadOnlyList<TensorNorm> norms = NetworkStatistics.TensorNorms(net);
        Assert.Equal(net.Tensors.Select(t => (t.Name, t.Role)), norms.Select(n => (n.Name, n.Role)));
        for (int t = 0; t < norms.Count; t++)
        {
            TensorInfo info = net.Tensors[t];
            if (info.Storage == TensorStorage.State)
            {
                Assert.Equal(Norm(info.Slice(net.State)), norms[t].ParameterNorm, 12);
                Assert.Equal(0, norms[t].GradientNorm);
            }
            else
            {
                Assert.Equal(Norm(info.Slice(net.Parameters)), norms[t].ParameterNorm, 12);
                Assert.Equal(Norm(info.Slice(net.Gradients)), norms[t].GradientNorm, 12);
                Assert.True(norms[t].GradientNorm > 0, $"{info.Name} has a gradient");
            }
        }
        Assert.Contains(norms, n => n.Role == TensorRole.BatchNormRunningVariance && n.ParameterNorm > 0);
    }

    [Fact]
    public void The_trainers_statistics_are_those_of_the_same_steps_taken_by_hand()
    {
        Dataset data = Data();
        const int batch = 16, epochs = 2;
        const float clip = 0.05f;
        InspectStagedNet trained = NewNet();
        var options = new TrainerOptions { Epochs = epochs, BatchSize = batch, Shuffle = false, LayerStatistics = true, MaxGradientNorm = clip };
        TrainingHistory history = new Trainer(trained, new Sgd(0.05f, 0.9f), options).Train(data);

        // By hand: the same batches in order, the norms right after Backward (before clipping), then clip and step.
        InspectStagedNet net = NewNet();
        var sgd = new Sgd(0.05f, 0.9f);
        int steps = (data.Count + batch - 1) / batch;
        bool clipped = false;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double[] sums = new double[net.Tensors.Count];
            for (int step = 0; step < steps; step++)
            {
                int start = step * batch, k = Math.Min(batch, data.Count - start);
                net.ZeroGradients();
                net.Backward(data.Inputs.Slice(start * data.InputSize, k * data.InputSize), data.Targets.Slice(start * data.OutputSize, k * data.OutputSize));
                IReadOnlyList<TensorNorm> now = NetworkStatistics.TensorNorms(net);
                for (int t = 0; t < sums.Length; t++) sums[t] += now[t].GradientNorm;
                clipped |= Norm(net.Gradients) > clip;
                GradientClipping.ClipByNorm(net.Gradients, clip);
                sgd.Step(net);
            }
            EpochReport report = history.Epochs[epoch];
            IReadOnlyList<TensorNorm> end = NetworkStatistics.TensorNorms(net);
            Assert.Equal(net.Tensors.Count, report.TensorNorms.Count);
            for (int t = 0; t < sums.Length; t++)
            {
                Assert.Equal(net.Tensors[t].Name, report.TensorNorms[t].Name);
                Assert.Equal(sums[t] / steps, report.TensorNorms[t].GradientNorm, 12);
                Assert.Equal(end[t].ParameterNorm, report.TensorNorms[t].ParameterNorm, 12);
            }
            var activity = new LayerActivity[InspectStagedNet.LayerCount];
            net.Inspect(data.Inputs, activity); // 100 samples: all of them (min(256, n))
            Assert.Equal(activity, report.Activity);
        }
        Assert.True(clipped, "the clipping limit should act, so the norms are shown to be taken before it");
        Assert.Equal(net.Parameters.ToArray(), trained.Parameters.ToArray());
        // The mean gradient norm is before clipping: larger than the limit the steps were clipped to.
        Assert.True(Math.Sqrt(history.Epochs[0].TensorNorms.Sum(n => n.GradientNorm * n.GradientNorm)) > clip);
    }

    [Fact]
    public void The_trainer_inspects_the_first_256_training_samples()
    {
        Dataset data = Data(300);
        InspectStagedNet net = NewNet();
        TrainingHistory history = new Trainer(net, new Sgd(0.01f), new TrainerOptions { Epochs = 1, BatchSize = 64, LayerStatistics = true }).Train(data);
        var first256 = new LayerActivity[InspectStagedNet.LayerCount];
        net.Inspect(data.Inputs[..(256 * data.InputSize)], first256);
        Assert.Equal(first256, history.Epochs[0].Activity);
        var all = new LayerActivity[InspectStagedNet.LayerCount];
        net.Inspect(data.Inputs, all);
        Assert.NotEqual(all, history.Epochs[0].Activity);
    }

    private static (float[] Parameters, float[] State, string Csv, TrainingHistory History) Train(bool statistics)
    {
        Dataset data = Data(), validation = Data(30);
        InspectStagedNet net = NewNet();
        var options = new TrainerOptions { Epochs = 3, BatchSize = 8, Seed = 4, L2 = 1e-3f, MaxGradientNorm = 1f, LayerStatistics = statistics };
        TrainingHistory history = new Trainer(net, new Adam(0.01f), options).Train(data, validation);
        return (net.Parameters.ToArray(), net.State.ToArray(), history.ToCsv(), history);
    }

    [Fact]
    public void Without_LayerStatistics_nothing_is_measured_and_training_is_unchanged()
    {
        var off = Train(statistics: false);
        var on = Train(statistics: true);

        // Measuring reads the gradients and runs Inspect; it changes no bit of the training.
        Assert.Equal(off.Parameters, on.Parameters);
        Assert.Equal(off.State, on.State);
        Assert.Equal(off.History.Epochs.Select(e => e.TrainLoss), on.History.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(off.History.Epochs.Select(e => e.ValidationLoss), on.History.Epochs.Select(e => e.ValidationLoss));

        Assert.All(off.History.Epochs, e => Assert.Empty(e.TensorNorms));
        Assert.All(off.History.Epochs, e => Assert.Empty(e.Activity));
        Assert.Equal("epoch,train_loss,validation_loss,validation_accuracy,learning_rate,elapsed_seconds", off.Csv.Split('\n')[0]);
        Assert.All(on.History.Epochs, e => Assert.Equal(10, e.Activity.Count));
    }

    [Fact]
    public void WriteCsv_adds_a_column_per_tensor_norm_and_layer_statistic()
    {
        var on = Train(statistics: true);
        string[] lines = on.Csv.TrimEnd('\n').Split('\n');
        string[] header = lines[0].Split(',');
        Assert.Equal(["epoch", "train_loss", "validation_loss", "validation_accuracy", "learning_rate", "elapsed_seconds"], header[..6]);
        Assert.Equal(6 + 2 * 14 + 4 * 10, header.Length); // 14 tensors (5 Dense layers, one batch norm's 4), 10 layers
        Assert.Equal(["grad_norm:layers.0.weight", "param_norm:layers.0.weight", "grad_norm:layers.0.bias"], header[6..9]);
        Assert.Equal(["mean:0", "std:0", "saturated:0", "dead:0"], header[34..38]);
        Assert.Contains("saturated:2", header);
        Assert.Contains("dead:7", header);
        Assert.Equal(4, lines.Length);
        for (int e = 0; e < 3; e++)
        {
            string[] cells = lines[e + 1].Split(',');
            Assert.Equal(header.Length, cells.Length);
            EpochReport r = on.History.Epochs[e];
            Assert.Equal(r.TensorNorms[0].GradientNorm, double.Parse(cells[6], CultureInfo.InvariantCulture));
            Assert.Equal(r.TensorNorms[0].ParameterNorm, double.Parse(cells[7], CultureInfo.InvariantCulture));
            int saturated2 = Array.IndexOf(header, "saturated:2");
            Assert.Equal(r.Activity[2].SaturatedFraction, double.Parse(cells[saturated2], CultureInfo.InvariantCulture));
            Assert.Equal(r.Activity[7].DeadFraction, double.Parse(cells[Array.IndexOf(header, "dead:7")], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_network_that_cannot_be_inspected_gets_norms_and_an_empty_activity()
    {
        var net = new LinearModel(4, 3, Loss.CrossEntropy, 0);
        net.InitializeParameters(1);
        TrainingHistory history = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 2, LayerStatistics = true }).Train(TestData.Blobs(40, seed: 1));
        Assert.All(history.Epochs, e => Assert.Empty(e.Activity));
        Assert.All(history.Epochs, e => Assert.Equal(net.Tensors.Count, e.TensorNorms.Count));
        Assert.DoesNotContain("mean:0", history.ToCsv().Split('\n')[0]);
        Assert.Contains("grad_norm:", history.ToCsv().Split('\n')[0]);
    }
}
