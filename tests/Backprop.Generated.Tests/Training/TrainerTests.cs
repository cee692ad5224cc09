using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Training;

public sealed class TrainerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static LinearModel NewModel(int seed = 1, int stateSize = 0)
    {
        var net = new LinearModel(4, 3, Loss.CrossEntropy, stateSize);
        net.InitializeParameters(seed);
        return net;
    }

    [Fact]
    public void LearnsASeparableProblem()
    {
        Dataset train = TestData.Blobs(300, seed: 1);
        Dataset validation = TestData.Blobs(90, seed: 2);
        LinearModel net = NewModel();
        double before = Evaluation.Evaluate(net, validation).Loss;
        TrainingHistory history = new Trainer(net, new Adam(0.05f), new TrainerOptions { Epochs = 15, BatchSize = 16 }).Train(train, validation);
        Assert.Equal(15, history.Epochs.Count);
        Assert.True(history.Epochs[^1].ValidationAccuracy > 0.9, $"accuracy {history.Epochs[^1].ValidationAccuracy}");
        Assert.True(history.Epochs[^1].ValidationLoss < before / 2);
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss);
        Assert.Equal(Enumerable.Range(1, 15), history.Epochs.Select(r => r.Epoch));
        Assert.NotNull(history.BestEpoch);
        Assert.False(history.StoppedEarly);
    }

    private static float[] TrainOnce(int seed, int batchSize)
    {
        Dataset train = TestData.Blobs(50, seed: 4);
        LinearModel net = NewModel(seed: 7);
        var options = new TrainerOptions { Epochs = 4, BatchSize = batchSize, Seed = seed, L2 = 1e-3f, MaxGradientNorm = 1f };
        new Trainer(net, new Adam(0.01f), options).Train(train);
        return net.Parameters.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(TrainerOptions.FullBatch)]
    public void SameSeedGivesBitIdenticalParameters(int batchSize)
    {
        Assert.Equal(TrainOnce(11, batchSize), TrainOnce(11, batchSize));
        if (batchSize < 50) Assert.NotEqual(TrainOnce(11, batchSize), TrainOnce(12, batchSize));
    }

    [Fact]
    public void BatchGradientDescentIsOneBackwardOverTheWholeSetPerEpoch()
    {
        Dataset train = TestData.Blobs(40, seed: 4);
        LinearModel net = NewModel();
        net.BatchSizes = [];
        new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 3, BatchSize = TrainerOptions.FullBatch }).Train(train);
        Assert.Equal([40, 40, 40], net.BatchSizes);

        LinearModel manual = NewModel();
        var sgd = new Sgd(0.1f);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            manual.ZeroGradients();
            manual.Backward(train.Inputs, train.Targets);
            sgd.Step(manual);
        }
        Assert.Equal(manual.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void StochasticWithoutShuffleVisitsSamplesInOrder()
    {
        Dataset train = TestData.Blobs(12, seed: 4);
        LinearModel net = NewModel();
        new Trainer(net, new Sgd(0.05f, 0.9f), new TrainerOptions { Epochs = 2, BatchSize = 1, Shuffle = false }).Train(train);

        LinearModel manual = NewModel();
        var sgd = new Sgd(0.05f, 0.9f);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            for (int s = 0; s < train.Count; s++)
            {
                manual.ZeroGradients();
                manual.Backward(train.GetInput(s), train.GetTarget(s));
                sgd.Step(manual);
            }
        }
        Assert.Equal(manual.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void MiniBatchesFollowFisherYatesFromTheSeedAndEpoch()
    {
        Dataset train = TestData.Blobs(30, seed: 4);
        LinearModel net = NewModel();
        net.BatchSizes = [];
        net.SeenFirstInputs = [];
        new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 2, BatchSize = 8, Seed = 99 }).Train(train);
        Assert.Equal([8, 8, 8, 6, 8, 8, 8, 6], net.BatchSizes);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int[] order = Enumerable.Range(0, 30).ToArray();
            var rng = new DeterministicRandom(99, epoch);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            float[] expected = order.Select(s => train.GetInput(s)[0]).ToArray();
            Assert.Equal(expected, net.SeenFirstInputs.Skip(epoch * 30).Take(30));
        }
        Assert.NotEqual(net.SeenFirstInputs.Take(30), net.SeenFirstInputs.Skip(30));
    }

    [Fact]
    public void StepPipelineIsBackwardRegularizeClipStep()
    {
        Dataset train = TestData.Blobs(20, seed: 5);
        var options = new TrainerOptions { Epochs = 3, BatchSize = 5, Shuffle = false, L1 = 0.01f, L2 = 0.02f, MaxGradientNorm = 0.3f, MaxGradientValue = 0.05f };
        LinearModel net = NewModel();
        new Trainer(net, new Adam(0.02f), options).Train(train);

        LinearModel manual = NewModel();
        var adam = new Adam(0.02f);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            for (int start = 0; start < 20; start += 5)
            {
                manual.ZeroGradients();
                manual.Backward(train.Inputs.Slice(start * 4, 20), train.Targets.Slice(start * 3, 15));
                Regularization.AddL1Gradient(manual, 0.01f);
                Regularization.AddL2Gradient(manual, 0.02f);
                GradientClipping.ClipByNorm(manual.Gradients, 0.3f);
                GradientClipping.ClipByValue(manual.Gradients, 0.05f);
                adam.Step(manual);
            }
        }
        Assert.Equal(manual.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void ScheduleSetsTheRateEachEpoch()
    {
        Dataset train = TestData.Blobs(20, seed: 5);
        var schedule = new LinearWarmupSchedule(2, new StepDecaySchedule(2, 0.5f), 0.5f);
        var sgd = new Sgd(0.2f);
        var trainer = new Trainer(NewModel(), sgd, new TrainerOptions { Epochs = 6, Schedule = schedule });
        TrainingHistory history = trainer.Train(train);
        float[] expected = Enumerable.Range(0, 6).Select(e => schedule.GetLearningRate(e, 0.2f)).ToArray();
        Assert.Equal(expected, history.Epochs.Select(r => r.LearningRate));
        Assert.Equal([0.1f, 0.15f, 0.2f, 0.2f, 0.1f, 0.1f], expected.Select(x => MathF.Round(x, 6)));
        Assert.Equal(expected[^1], sgd.LearningRate);
        Assert.Equal(0.2f, trainer.BaseLearningRate);
    }

    [Fact]
    public void CancellationIsCheckedBetweenSteps()
    {
        Dataset train = TestData.Blobs(40, seed: 4);
        LinearModel net = NewModel();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(net, new Sgd(0.1f)).Train(train, cancellationToken: cts.Token));
        Assert.Equal(0, net.BackwardCalls);

        using var mid = new CancellationTokenSource();
        net.AfterBackward = call => { if (call == 5) mid.Cancel(); };
        var reports = new List<EpochReport>();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(net, new Sgd(0.1f), new TrainerOptions { BatchSize = 4 })
                .Train(train, progress: new TestData.SyncProgress<EpochReport>(reports.Add), cancellationToken: mid.Token));
        Assert.Equal(5, net.BackwardCalls); // stopped before the sixth step
        Assert.Empty(reports);
    }

    [Fact]
    public void NonFiniteGradientStopsTrainingNamingEpochStepAndTensor()
    {
        Dataset train = TestData.Blobs(30, seed: 4);
        LinearModel net = NewModel();
        net.Poison = (Call: 7, Index: 13); // 12 weights, then bias[1]; call 7 = epoch 2, step 3 with 4 steps per epoch
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(net, new Sgd(0.1f), new TrainerOptions { BatchSize = 8 }).Train(train));
        Assert.Equal(2, e.Epoch);
        Assert.Equal(3, e.Step);
        Assert.Equal("layers.0.bias", e.TensorName);
        Assert.Equal(0, e.Layer);
        Assert.Equal(1, e.Index);
        Assert.False(e.InParameters);
        Assert.Contains("epoch 2, step 3", e.Message);
        Assert.Contains("gradient is layers.0.bias[1] = ∞", e.Message.Replace("Infinity", "∞"));
        Assert.Equal(7, net.BackwardCalls);
        output.WriteLine(e.Message);
    }

    [Fact]
    public void NaNInputIsRefusedUpFrontAndOverflowingInputStopsTrainingBlamingTheData()
    {
        Dataset clean = TestData.Blobs(10, seed: 4);
        float[] inputs = clean.Inputs.ToArray();
        inputs[5 * 4 + 2] = float.NaN; // sample 5, feature 2: refused when the data set is built, not at step 6
        var refused = Assert.Throws<ArgumentException>(() => new Dataset(inputs, clean.Targets, 4, 3));
        Assert.Contains("sample 5, feature 2, is NaN", refused.Message);

        inputs[5 * 4 + 2] = 3e38f; // finite, but the step on sample 5 overflows (in the second epoch here)
        var train = new Dataset(inputs, clean.Targets, 4, 3);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(NewModel(), new Sgd(0.1f), new TrainerOptions { BatchSize = 1, Shuffle = false }).Train(train));
        Assert.Equal(6, e.Step); // batch 1, no shuffling: the step of sample 5
        Assert.Equal("layers.0.weight", e.TensorName);
        Assert.Contains($"epoch {e.Epoch}, step 6: the loss is", e.Message);
        Assert.True(e.DataIsLikelyCause);
        Assert.Contains("the largest input is |x| = 3E+38 (sample 5, feature 2)", e.Message);
    }

    [Fact]
    public void ExplodingTrainingNeverContinuesSilently()
    {
        var rng = new DeterministicRandom(3);
        float[] x = Enumerable.Range(0, 40).Select(_ => (float)rng.NextNormal() * 10).ToArray();
        float[] y = Enumerable.Range(0, 20).Select(_ => (float)rng.NextNormal() * 10).ToArray();
        var net = new LinearModel(2, 1, Loss.MeanSquaredError);
        net.InitializeParameters(1);
        var train = new Dataset(x, y, 2, 1);
        Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(net, new Sgd(1e6f), new TrainerOptions { Epochs = 50, BatchSize = 4 }).Train(train));
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestParametersStateAndOptimizer()
    {
        Dataset train = TestData.Blobs(60, seed: 1);
        // Two thirds consistent with training, one third contradicting it: the validation loss first falls, then
        // rises as the model grows confident, so the best epoch lies in the middle.
        Dataset agree = TestData.Blobs(40, seed: 2), disagree = TestData.Blobs(20, seed: 3, flipLabels: true);
        var validation = new Dataset([.. agree.Inputs, .. disagree.Inputs], [.. agree.Targets, .. disagree.Targets], 4, 3);
        LinearModel net = NewModel(stateSize: 2);
        net.TouchState = true;
        var adam = new Adam(0.01f);
        var parameters = new Dictionary<int, float[]>();
        var states = new Dictionary<int, float[]>();
        var optimizerStates = new Dictionary<int, byte[]>();
        var progress = new TestData.SyncProgress<EpochReport>(r =>
        {
            parameters[r.Epoch] = net.Parameters.ToArray();
            states[r.Epoch] = net.State.ToArray();
            var stream = new MemoryStream();
            adam.SaveState(stream);
            optimizerStates[r.Epoch] = stream.ToArray();
        });
        var options = new TrainerOptions { Epochs = 50, BatchSize = 10, EarlyStopping = new EarlyStopping { Patience = 3 } };
        TrainingHistory history = new Trainer(net, adam, options).Train(train, validation, progress);

        output.WriteLine(history.ToCsv());
        Assert.True(history.StoppedEarly);
        Assert.True(history.RestoredBest);
        int best = history.BestEpoch!.Value;
        Assert.True(best > 1, $"best epoch {best}");
        Assert.Equal(best + 3, history.Epochs.Count);
        Assert.Equal(history.Epochs.Min(r => r.ValidationLoss), history.Epochs[best - 1].ValidationLoss);
        Assert.Equal(parameters[best], net.Parameters.ToArray());
        Assert.NotEqual(parameters[history.Epochs.Count], net.Parameters.ToArray());
        Assert.Equal(states[best], net.State.ToArray());
        var now = new MemoryStream();
        adam.SaveState(now);
        Assert.Equal(optimizerStates[best], now.ToArray());
        Assert.Equal(history.Epochs[best - 1].ValidationLoss!.Value, Evaluation.Evaluate(net, validation).Loss, 12);
    }

    [Fact]
    public void EarlyStoppingWithoutRestoreKeepsTheLastParameters()
    {
        Dataset train = TestData.Blobs(60, seed: 1);
        Dataset validation = TestData.Blobs(30, seed: 2, flipLabels: true);
        LinearModel net = NewModel();
        float[]? last = null;
        var options = new TrainerOptions { Epochs = 50, BatchSize = 10, EarlyStopping = new EarlyStopping { Patience = 2, RestoreBest = false } };
        TrainingHistory history = new Trainer(net, new Adam(0.05f), options)
            .Train(train, validation, new TestData.SyncProgress<EpochReport>(_ => last = net.Parameters.ToArray()));
        Assert.True(history.StoppedEarly);
        Assert.False(history.RestoredBest);
        Assert.Equal(last, net.Parameters.ToArray());
    }

    [Fact]
    public void EarlyStoppingNeedsAValidationSet()
    {
        var options = new TrainerOptions { EarlyStopping = new EarlyStopping() };
        var e = Assert.Throws<ArgumentException>(() => new Trainer(NewModel(), new Sgd(0.1f), options).Train(TestData.Blobs(10, 1)));
        Assert.Equal("validation", e.ParamName);
    }

    [Fact]
    public void RejectsDataOfTheWrongShape()
    {
        var e = Assert.Throws<ArgumentException>(() => new Trainer(NewModel(), new Sgd(0.1f)).Train(new Dataset([1f, 2f], [1f], 2, 1)));
        Assert.Contains("needs 4 and 3", e.Message);
    }

    [Fact]
    public void OptionsValidateEveryValue()
    {
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { Epochs = 0 }).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { BatchSize = 0 }).ParamName);
        Assert.Equal("L1", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { L1 = -1 }).ParamName);
        Assert.Equal("L2", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { L2 = float.NaN }).ParamName);
        Assert.Equal("MaxGradientNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { MaxGradientNorm = 0 }).ParamName);
        Assert.Equal("MaxGradientValue", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { MaxGradientValue = float.PositiveInfinity }).ParamName);
        Assert.Equal("Patience", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { Patience = 0 }).ParamName);
        Assert.Equal("MinDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { MinDelta = -0.1 }).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { BatchSize = -3 });
        Assert.Contains("at least 1", e.Message);
        Assert.Contains("-3", e.Message);
        var options = new TrainerOptions { MaxGradientNorm = null } with { Epochs = 3 };
        Assert.Equal(3, options.Epochs);
        Assert.Equal(32, options.BatchSize);
    }

    [Fact]
    public void TrainingStepsDoNotAllocate()
    {
        Dataset train = TestData.Blobs(1000, seed: 3);
        LinearModel net = NewModel();
        long Measure(int epochs)
        {
            var options = new TrainerOptions { Epochs = epochs, BatchSize = 1, L1 = 1e-4f, L2 = 1e-4f, MaxGradientNorm = 1f, MaxGradientValue = 1f };
            var trainer = new Trainer(net, new Adam(0.001f), options);
            long before = GC.GetAllocatedBytesForCurrentThread();
            trainer.Train(train);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Measure(2); // warm-up
        // The smallest of three runs each: a one-off runtime allocation on this thread must not decide the test.
        long one = Enumerable.Range(0, 3).Min(_ => Measure(1));
        long five = Enumerable.Range(0, 3).Min(_ => Measure(5));
        // 4000 more steps; only per-epoch reports may allocate.
        output.WriteLine($"1 epoch: {one} bytes, 5 epochs: {five} bytes");
        Assert.True(five - one < 4000, $"1 epoch: {one} bytes, 5 epochs: {five} bytes");
    }
}
