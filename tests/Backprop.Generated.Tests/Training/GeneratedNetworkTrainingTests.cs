using System;
using System.Linq;
using Backprop.Generated;
using Xor;
using Xunit;

namespace Backprop.Generated.Tests.Training;

/// <summary>A generated network for the trainer: 4 inputs, a ReLU hidden layer, softmax over 3 classes.</summary>
[Network(Loss.CrossEntropy)]
[Input(4)]
[Dense(16, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
internal partial class BlobsNet { }

/// <summary>The training runtime on generator-emitted networks.</summary>
public sealed class GeneratedNetworkTrainingTests
{
    [Fact]
    public void TrainerFullBatchEqualsTheXorSampleLoop()
    {
        (XorNet expected, float[] losses) = XorTraining.Train(seed: 3, epochs: 200);
        var net = new XorNet(3);
        var data = new Dataset(XorTraining.Inputs, XorTraining.Targets, 2, 1);
        TrainingHistory history = new Trainer(net, new Sgd(XorTraining.DefaultLearningRate),
            new TrainerOptions { Epochs = 200, BatchSize = TrainerOptions.FullBatch }).Train(data);
        Assert.Equal(expected.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(losses.Select(l => (double)l), history.Epochs.Select(r => r.TrainLoss));
    }

    private static (BlobsNet Net, TrainingHistory History) TrainBlobs(int seed)
    {
        Dataset all = TestData.Blobs(400, seed: 21);
        var (train, validation) = all.Split(300, shuffleSeed: 5);
        var net = new BlobsNet(seed);
        var options = new TrainerOptions
        {
            Epochs = 40,
            BatchSize = 16,
            Seed = seed,
            Schedule = new LinearWarmupSchedule(3, new CosineAnnealingSchedule(37)),
            L2 = 1e-4f,
            MaxGradientNorm = 5f,
            EarlyStopping = new EarlyStopping { Patience = 8 },
        };
        return (net, new Trainer(net, new Adam(0.01f, weightDecay: 0.01f), options).Train(train, validation));
    }

    [Fact]
    public void TrainsAGeneratedNetworkReproducibly()
    {
        var (a, history) = TrainBlobs(seed: 2);
        var (b, _) = TrainBlobs(seed: 2);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        int best = history.BestEpoch!.Value;
        Assert.True(history.Epochs[best - 1].ValidationAccuracy > 0.9, history.ToCsv());
    }

    [Fact]
    public void PenaltiesTouchOnlyGeneratedWeightTensors()
    {
        INetwork net = new BlobsNet(1);
        net.ZeroGradients();
        Regularization.AddL2Gradient(net, 0.5f);
        foreach (TensorInfo tensor in net.Tensors.Where(t => t.Storage == TensorStorage.Parameters))
        {
            float[] w = tensor.Slice(net.Parameters).ToArray();
            float[] g = tensor.Slice(net.Gradients).ToArray();
            Assert.Equal(tensor.IsWeight ? w.Select(x => 0.5f * x) : new float[w.Length], g);
        }
        Assert.Contains(net.Tensors, t => t.Role == TensorRole.Bias);
    }

    [Fact]
    public void TrainingAGeneratedNetworkDoesNotAllocatePerStep()
    {
        Dataset train = TestData.Blobs(500, seed: 3);
        var net = new BlobsNet(1);
        long Measure(int epochs)
        {
            var trainer = new Trainer(net, new RmsProp(0.001f, momentum: 0.9f), new TrainerOptions { Epochs = epochs, BatchSize = 4, L1 = 1e-5f, MaxGradientValue = 1f });
            long before = GC.GetAllocatedBytesForCurrentThread();
            trainer.Train(train);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Measure(1);
        // The smallest of three runs each: a one-off runtime allocation on this thread must not decide the test.
        long one = Enumerable.Range(0, 3).Min(_ => Measure(1)), four = Enumerable.Range(0, 3).Min(_ => Measure(4));
        Assert.True(four - one < 2000, $"1 epoch: {one} bytes, 4 epochs: {four} bytes");
    }
}
