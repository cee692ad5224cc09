using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Backprop.Generated;

namespace FashionMnist;

/// <summary>
/// How the sample trains. The defaults are the recipe chosen on a validation split of the 60,000 training images
/// (validation.tsv, docs/fashion-mnist.md; the test images made no choice): Adam, learning rate 0.001 annealed along a
/// cosine towards 0 over 12 epochs, batch 64, no weight decay.
/// </summary>
public sealed record FashionSettings
{
    /// <summary>Adam's base learning rate (beta1 0.9, beta2 0.999, epsilon 1e-8: PyTorch's defaults).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>How the rate changes from epoch to epoch.</summary>
    public FashionSchedule Schedule { get; init; } = FashionSchedule.Cosine;

    /// <summary>Decoupled (AdamW) weight decay of the weight tensors, not the biases; 0 is plain Adam.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; init; } = 12;

    /// <summary>Seeds the initial parameters and the shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>Threads a mini-batch backward pass may use (when the generated network can deal a batch to several); PyTorch gets the same count.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>A one-line description such as <c>Adam lr 0.001 cosine to 0, batch 64, 12 epochs, seed 0, 1 thread</c>.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{(WeightDecay > 0 ? $"AdamW (weight decay {WeightDecay})" : "Adam")} lr {LearningRate}{(Schedule == FashionSchedule.Cosine ? " cosine to 0" : "")}, batch {BatchSize}, {Epochs} epochs, seed {Seed}, {Threads} thread{(Threads == 1 ? "" : "s")}");

    /// <summary>The optimizer: Adam with <see cref="LearningRate"/>, AdamW when <see cref="WeightDecay"/> &gt; 0.</summary>
    public Adam CreateOptimizer() => new(LearningRate, weightDecay: WeightDecay);

    /// <summary>The trainer's schedule: null (constant) or cosine annealing over all <see cref="Epochs"/>.</summary>
    public ILearningRateSchedule? CreateSchedule() => Schedule switch
    {
        FashionSchedule.Constant => null,
        FashionSchedule.Cosine => new CosineAnnealingSchedule(period: Epochs),
        _ => throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "Expected Constant or Cosine."),
    };
}

/// <summary>The learning-rate schedules the sample offers.</summary>
public enum FashionSchedule
{
    /// <summary>The base rate every epoch.</summary>
    Constant,

    /// <summary>
    /// <see cref="CosineAnnealingSchedule"/> with period = epochs: epoch e (from 0) of E uses
    /// <c>base (1 + cos(pi e / E)) / 2</c>, set once at the start of the epoch (PyTorch's CosineAnnealingLR with
    /// T_max = E, stepped per epoch).
    /// </summary>
    Cosine,
}

/// <summary>What a training run produced.</summary>
/// <param name="Network">The trained network.</param>
/// <param name="Epochs">One report per epoch; the validation columns hold the monitored set (the test set unless the
/// sample holds out a validation split), evaluated by the sample after the epoch, outside the timed training.</param>
/// <param name="EpochTrainTimes">Wall-clock time of each epoch's training steps (shuffling, forward, backward,
/// optimizer), without the evaluation of the monitored set: the figure compared with PyTorch's time per epoch.</param>
/// <param name="Test">Loss, accuracy and per-class metrics on the test set after training.</param>
/// <param name="Confusion"><c>Confusion[true, predicted]</c> counts over the test set.</param>
/// <param name="EpochCpuTimes">The process's CPU time (all threads) over each epoch's training steps, without the
/// evaluation: on a shared machine a steadier measure of the work than the wall clock.</param>
public sealed record FashionRun(FashionCnn Network, IReadOnlyList<EpochReport> Epochs, IReadOnlyList<TimeSpan> EpochTrainTimes,
    EvaluationResult Test, int[,] Confusion, IReadOnlyList<TimeSpan> EpochCpuTimes)
{
    /// <summary>The test accuracy in [0, 1].</summary>
    public double TestAccuracy => Test.Classification!.Accuracy;

    /// <summary>The training steps' time over all epochs.</summary>
    public TimeSpan TrainingTime
    {
        get
        {
            TimeSpan sum = TimeSpan.Zero;
            foreach (TimeSpan t in EpochTrainTimes) sum += t;
            return sum;
        }
    }

    /// <summary>The mean of <see cref="EpochTrainTimes"/>.</summary>
    public TimeSpan TimePerEpoch => TrainingTime / Math.Max(1, EpochTrainTimes.Count);

    /// <summary>The mean of <see cref="EpochCpuTimes"/>.</summary>
    public TimeSpan CpuTimePerEpoch
    {
        get
        {
            TimeSpan sum = TimeSpan.Zero;
            foreach (TimeSpan t in EpochCpuTimes) sum += t;
            return sum / Math.Max(1, EpochCpuTimes.Count);
        }
    }
}

/// <summary>Trains <see cref="FashionCnn"/> with the <see cref="Trainer"/>; shared by the sample and its tests.</summary>
public static class FashionTraining
{
    /// <summary>The trainer options for <paramref name="settings"/>: mini-batches, shuffled every epoch, no penalty, the settings' schedule.</summary>
    public static TrainerOptions CreateOptions(FashionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new TrainerOptions { Epochs = settings.Epochs, BatchSize = settings.BatchSize, Shuffle = true, Seed = settings.Seed, Schedule = settings.CreateSchedule() };
    }

    /// <summary>A network initialized from <paramref name="seed"/> (He uniform for the ReLU convolutions, Xavier uniform for the output, biases 0) using <paramref name="threads"/>.</summary>
    public static FashionCnn CreateNetwork(int seed, int threads)
    {
        var network = new FashionCnn(seed);
        if (network is IParallelBackward parallel) parallel.MaxDegreeOfParallelism = threads;
        return network;
    }

    /// <summary>
    /// Trains a network initialized from <see cref="FashionSettings.Seed"/> on <paramref name="train"/>, evaluating
    /// <paramref name="monitor"/> (if any) after every epoch for the curves, then evaluates <paramref name="test"/>.
    /// </summary>
    /// <param name="train">The training images.</param>
    /// <param name="test">The images of the final accuracy and confusion matrix.</param>
    /// <param name="settings">How to train.</param>
    /// <param name="monitor">Evaluated after each epoch for the curves only (no early stopping, no choice made on it).</param>
    /// <param name="onEpoch">Called after every epoch (and its evaluation) on the training thread.</param>
    /// <param name="warmUp">First trains a throwaway network for one epoch on a few batches, so that the timed run measures compiled code.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    public static FashionRun Train(Dataset train, Dataset test, FashionSettings settings, Dataset? monitor = null,
        Action<EpochReport>? onEpoch = null, bool warmUp = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        if (warmUp)
        {
            int n = Math.Min(train.Count, 4 * settings.BatchSize);
            var few = new Dataset(train.Inputs[..(n * train.InputSize)], train.Targets[..(n * train.OutputSize)], train.InputSize, train.OutputSize);
            new Trainer(CreateNetwork(settings.Seed, settings.Threads), settings.CreateOptimizer(), CreateOptions(settings) with { Epochs = 1 })
                .Train(few, few, _ => { }, cancellationToken);
        }

        FashionCnn network = CreateNetwork(settings.Seed, settings.Threads);
        var trainer = new Trainer(network, settings.CreateOptimizer(), CreateOptions(settings));
        var reports = new List<EpochReport>(settings.Epochs);
        var trainTimes = new List<TimeSpan>(settings.Epochs);
        var cpuTimes = new List<TimeSpan>(settings.Epochs);
        using var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        TimeSpan mark = TimeSpan.Zero, cpuMark = process.TotalProcessorTime;
        trainer.Train(train, validation: null, report =>
        {
            trainTimes.Add(clock.Elapsed - mark);
            process.Refresh();
            cpuTimes.Add(process.TotalProcessorTime - cpuMark);
            EvaluationResult? result = monitor is null ? null : Evaluation.Evaluate(network, monitor);
            var full = new EpochReport(report.Epoch, report.TrainLoss, result?.Loss, result?.Accuracy, report.LearningRate, clock.Elapsed) { Validation = result };
            reports.Add(full);
            onEpoch?.Invoke(full);
            mark = clock.Elapsed;
            process.Refresh();
            cpuMark = process.TotalProcessorTime;
        }, cancellationToken);
        clock.Stop();

        EvaluationResult test1 = Evaluation.Evaluate(network, test);
        return new FashionRun(network, reports, trainTimes, test1, test1.Classification!.ConfusionMatrix(), cpuTimes);
    }
}
