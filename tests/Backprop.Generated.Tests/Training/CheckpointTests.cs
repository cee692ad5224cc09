using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Backprop.Generated;
using Backprop.Generated.Tests.Weights;
using Xunit;

namespace Backprop.Generated.Tests.Training;

/// <summary>
/// N epochs, a checkpoint, and the rest in a new trainer and network give the same bits as one uninterrupted run:
/// every optimizer, with shuffling, a schedule, dropout (the training-step counter) and batch norm (state).
/// </summary>
public sealed class CheckpointTests
{
    public static TheoryData<string> Optimizers => new() { "sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "rmsprop-centered-momentum" };

    private static IOptimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.05f),
        "momentum" => new Sgd(0.05f, momentum: 0.9f, dampening: 0.1f),
        "nesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
        "adam" => new Adam(0.01f),
        "adamw" => new Adam(0.01f, weightDecay: 0.01f),
        "rmsprop" => new RmsProp(0.005f),
        "rmsprop-centered-momentum" => new RmsProp(0.005f, momentum: 0.5f, centered: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static TrainerOptions Options(int epochs) => new()
    {
        Epochs = epochs,
        BatchSize = 8,
        Seed = 5,
        Schedule = new LinearWarmupSchedule(2, then: new CosineAnnealingSchedule(period: 8)),
        L2 = 1e-3f,
        MaxGradientNorm = 5f,
    };

    private static byte[] OptimizerBytes(IOptimizer optimizer)
    {
        var stream = new MemoryStream();
        optimizer.SaveState(stream);
        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Resuming_from_a_checkpoint_gives_the_bits_of_an_uninterrupted_run(string optimizer)
    {
        Dataset train = TestData.Blobs(60, seed: 1, features: 5);
        const int n = 4, m = 6;

        var reference = new StagedNet(seed: 3);
        IOptimizer referenceOptimizer = Create(optimizer);
        TrainingHistory whole = new Trainer(reference, referenceOptimizer, Options(n + m)).Train(train);

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        var first = new StagedNet(seed: 3);
        var firstTrainer = new Trainer(first, Create(optimizer), Options(n));
        firstTrainer.Train(train);
        firstTrainer.SaveCheckpoint(path);
        Assert.Single(folder.Entries()); // atomic: no temporary file left

        // The dropout masks follow the seed the network was initialized with (not part of INetwork), so the resumed
        // network is created with the same seed; its parameters, state and step counter are scrambled to show that
        // the checkpoint replaces them.
        var resumed = new StagedNet(seed: 3);
        resumed.Parameters.Fill(0.5f);
        resumed.State.Fill(2f);
        resumed.TrainingStep = 12345;
        IOptimizer resumedOptimizer = Create(optimizer);
        var trainer = new Trainer(resumed, resumedOptimizer, Options(n + m));
        trainer.LoadCheckpoint(path);
        Assert.Equal(n, trainer.CompletedEpochs);
        TrainingHistory rest = trainer.Train(train);

        Assert.Equal(Enumerable.Range(n + 1, m), rest.Epochs.Select(e => e.Epoch));
        Assert.Equal(whole.Epochs.Skip(n).Select(e => e.TrainLoss), rest.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(whole.Epochs.Skip(n).Select(e => e.LearningRate), rest.Epochs.Select(e => e.LearningRate));
        Assert.Equal(reference.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), resumed.State.ToArray());
        Assert.Equal(reference.TrainingStep, resumed.TrainingStep);
        Assert.Equal(OptimizerBytes(referenceOptimizer), OptimizerBytes(resumedOptimizer));
        Assert.Equal(n + m, trainer.CompletedEpochs);

        // Without a checkpoint, another Train call starts over at epoch 1, as before.
        Assert.Equal(1, trainer.Train(train).Epochs[0].Epoch);
    }

    [Fact]
    public void Early_stopping_resumes_with_its_patience_and_best_epoch()
    {
        Dataset train = TestData.Blobs(60, seed: 1, features: 5, flipLabels: false);
        Dataset validation = TestData.Blobs(30, seed: 2, features: 5, flipLabels: true); // gets worse as training improves
        var options = Options(40) with { EarlyStopping = new EarlyStopping { Patience = 4 }, Schedule = null };
        const int saveAt = 3;

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        var reference = new StagedNet(seed: 3);
        var referenceTrainer = new Trainer(reference, new Adam(0.01f), options);
        TrainingHistory whole = referenceTrainer.Train(train, validation, r =>
        {
            if (r.Epoch == saveAt) referenceTrainer.SaveCheckpoint(path);
        });
        Assert.True(whole.StoppedEarly, "the reference run must stop early for this test to mean anything");
        Assert.True(whole.Epochs.Count > saveAt + 1);
        Assert.True(whole.RestoredBest);

        var resumed = new StagedNet(seed: 3);
        resumed.Parameters.Fill(0.5f);
        var trainer = new Trainer(resumed, new Adam(0.01f), options);
        trainer.LoadCheckpoint(path);
        TrainingHistory rest = trainer.Train(train, validation);

        Assert.Equal(whole.Epochs.Skip(saveAt).Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)), rest.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)));
        Assert.Equal(whole.BestEpoch, rest.BestEpoch);
        Assert.True(rest.StoppedEarly);
        Assert.True(rest.RestoredBest);
        Assert.Equal(reference.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.Equal(reference.State.ToArray(), resumed.State.ToArray());
    }

    [Fact]
    public void Bad_checkpoints_are_refused_naming_the_file_and_the_problem_and_change_nothing()
    {
        Dataset train = TestData.Blobs(40, seed: 1, features: 5);
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt");
        var trainer = new Trainer(new StagedNet(seed: 3), new Adam(0.01f), Options(3));
        trainer.Train(train);
        trainer.SaveCheckpoint(path);

        var target = new StagedNet(seed: 9);
        float[] before = target.Parameters.ToArray();
        void Refused(Trainer t, string path, params string[] parts)
        {
            var e = Assert.Throws<InvalidDataException>(() => t.LoadCheckpoint(path));
            Assert.Contains(path, e.Message);
            foreach (string part in parts) Assert.Contains(part, e.Message);
        }

        Refused(new Trainer(target, new Sgd(0.01f), Options(3)), path, "optimizer state", "Sgd");
        Refused(new Trainer(target, new Adam(0.01f), Options(3) with { Seed = 6 }), path, "Seed = 5", "Seed = 6");
        Refused(new Trainer(target, new Adam(0.01f), Options(3) with { BatchSize = 4 }), path, "BatchSize = 8");
        Refused(new Trainer(new StagedSmoothNet(seed: 1), new Adam(0.01f), Options(3)), path, "StagedNet", "StagedSmoothNet");
        Refused(new Trainer(new LinearModel(5, 3, Loss.CrossEntropy), new Adam(0.01f), Options(3)), path, "LinearModel");

        byte[] bytes = File.ReadAllBytes(path);
        string truncated = folder.File("truncated.ckpt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 10)]);
        Refused(new Trainer(target, new Adam(0.01f), Options(3)), truncated, "truncated");
        string longer = folder.File("longer.ckpt");
        File.WriteAllBytes(longer, [.. bytes, 1, 2, 3]);
        Refused(new Trainer(target, new Adam(0.01f), Options(3)), longer, "3 bytes follow");
        string weights = folder.File("weights.safetensors");
        target.SaveWeights(weights);
        Refused(new Trainer(target, new Adam(0.01f), Options(3)), weights, "not a checkpoint");
        Assert.Equal(before, target.Parameters.ToArray());

        var other = new Trainer(target, new Adam(0.01f), Options(5));
        other.LoadCheckpoint(path);
        var wrongData = Assert.Throws<ArgumentException>(() => other.Train(TestData.Blobs(41, seed: 1, features: 5)));
        Assert.Contains("40 samples", wrongData.Message);
    }
}

public sealed class ProgressAndCsvTests
{
    [Fact]
    public void The_epoch_callback_runs_on_the_training_thread_in_order()
    {
        Dataset train = TestData.Blobs(40, seed: 1);
        var seen = new List<(int Epoch, int Thread, float FirstParameter)>();
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        net.InitializeParameters(1);
        TrainingHistory history = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 6, BatchSize = 8 })
            .Train(train, null, r => seen.Add((r.Epoch, Environment.CurrentManagedThreadId, net.Parameters[0])));
        Assert.Equal([1, 2, 3, 4, 5, 6], seen.Select(s => s.Epoch));
        Assert.All(seen, s => Assert.Equal(Environment.CurrentManagedThreadId, s.Thread));
        Assert.Equal(net.Parameters[0], seen[^1].FirstParameter); // called before Train returned, after the epoch
        Assert.Equal(6, history.Epochs.Count);
    }

    [Fact]
    public void WriteCsv_to_a_path_writes_the_whole_file_atomically()
    {
        Dataset train = TestData.Blobs(30, seed: 1);
        var net = new LinearModel(4, 3, Loss.CrossEntropy);
        net.InitializeParameters(1);
        TrainingHistory history = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 3 }).Train(train, TestData.Blobs(9, seed: 2));
        using var folder = new TempFolder();
        string path = folder.File("history.csv");
        File.WriteAllText(path, "old");
        history.WriteCsv(path);
        Assert.Equal(history.ToCsv(), File.ReadAllText(path));
        Assert.Equal(4, File.ReadAllLines(path).Length);
        Assert.Single(folder.Entries());
    }
}
