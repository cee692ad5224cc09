using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Backprop.Generated;

namespace Digits;

/// <summary>The optimizers the sample offers.</summary>
public enum OptimizerKind
{
    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,

    /// <summary>SGD with Nesterov momentum 0.9.</summary>
    Momentum,

    /// <summary>Adam (beta1 0.9, beta2 0.999).</summary>
    Adam,

    /// <summary>RMSprop (alpha 0.99).</summary>
    RmsProp,
}

/// <summary>The learning-rate schedules the sample offers.</summary>
public enum ScheduleKind
{
    /// <summary>The same rate every epoch.</summary>
    Constant,

    /// <summary>Cosine annealing from the rate to 0 over all epochs.</summary>
    Cosine,
}

/// <summary>How the sample trains; the defaults are the tuned ones (see the README's Digits section).</summary>
public sealed record DigitsSettings
{
    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Momentum;

    /// <summary>The (initial) learning rate; null takes <see cref="DigitsTraining.DefaultLearningRate"/> for the optimizer.</summary>
    public float? LearningRate { get; init; }

    /// <summary>Samples per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 80;

    /// <summary>Seeds the initial parameters and the shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>L2 penalty on the weights (PyTorch's weight_decay convention).</summary>
    public float L2 { get; init; } = 1e-3f;

    /// <summary>
    /// The fraction of the epochs, at the end, whose end-of-epoch parameters are averaged into the final network
    /// (Polyak averaging, as in stochastic weight averaging); in [0, 1], 0 keeps the last parameters.
    /// </summary>
    public double AveragedFraction
    {
        get;
        init => field = value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(AveragedFraction), value, "The averaged fraction must be in [0, 1].");
    } = 0.5;

    /// <summary>
    /// Gather per-layer statistics every epoch (<see cref="TrainerOptions.LayerStatistics"/>): gradient norms per
    /// tensor, saturated and dead fractions per layer, written as charts and CSV columns. Off by default.
    /// </summary>
    public bool LayerStatistics { get; init; }

    /// <summary>The number of final epochs averaged: <see cref="AveragedFraction"/> of <see cref="Epochs"/>, rounded.</summary>
    public int AveragedEpochs => (int)Math.Round(AveragedFraction * Epochs, MidpointRounding.AwayFromZero);

    /// <summary>The learning rate used: <see cref="LearningRate"/> or the optimizer's default.</summary>
    public float EffectiveLearningRate => LearningRate ?? DigitsTraining.DefaultLearningRate(Optimizer);
}

/// <summary>What a training run produced.</summary>
/// <param name="Network">The trained network.</param>
/// <param name="History">One report per epoch; the validation columns hold the monitored set (the test set in the sample).</param>
/// <param name="Test">Loss and accuracy on the test set after training.</param>
/// <param name="Confusion"><c>Confusion[true, predicted]</c> counts over the test set.</param>
/// <param name="TrainingTime">Wall-clock time of training: every epoch, the weight averaging and the per-epoch evaluations of
/// the monitored set; not the data loading, not the JIT warm-up, not the final evaluation.</param>
/// <param name="TrainingCpuTime">The process's CPU time over the same span (all threads); on a busy machine a steadier
/// measure of the work than the wall-clock time.</param>
/// <param name="Averaged">The monitored set's loss and accuracy under the running mean of the weights, for each averaged
/// epoch (empty without averaging or without a monitored set).</param>
public sealed record DigitsRun(DigitsNet Network, TrainingHistory History, EvaluationResult Test, int[,] Confusion, TimeSpan TrainingTime,
    TimeSpan TrainingCpuTime, IReadOnlyList<(int Epoch, EvaluationResult Result)> Averaged)
{
    /// <summary>The test accuracy in [0, 1] (the network is a classifier: cross-entropy on one-hot targets).</summary>
    public double TestAccuracy => Test.Classification!.Accuracy;
}

/// <summary>Trains <see cref="DigitsNet"/> on the fixed split; shared by the sample and its tests.</summary>
public static class DigitsTraining
{
    /// <summary>The default learning rate of each optimizer.</summary>
    public static float DefaultLearningRate(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => 0.3f,
        OptimizerKind.Momentum => 0.15f,
        OptimizerKind.Adam => 0.003f,
        OptimizerKind.RmsProp => 0.001f,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "Unknown optimizer."),
    };

    /// <summary>The optimizer's command-line name: sgd, momentum, adam or rmsprop.</summary>
    public static string OptimizerName(OptimizerKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A fresh optimizer of <paramref name="kind"/> with <paramref name="learningRate"/>.</summary>
    public static IOptimizer CreateOptimizer(OptimizerKind kind, float learningRate) => kind switch
    {
        OptimizerKind.Sgd => new Sgd(learningRate),
        OptimizerKind.Momentum => new Sgd(learningRate, momentum: 0.9f, nesterov: true),
        OptimizerKind.Adam => new Adam(learningRate),
        OptimizerKind.RmsProp => new RmsProp(learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer."),
    };

    /// <summary>The trainer options for <paramref name="settings"/>.</summary>
    public static TrainerOptions CreateOptions(DigitsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new TrainerOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Shuffle = true,
            Seed = settings.Seed,
            L2 = settings.L2,
            Schedule = settings.Schedule == ScheduleKind.Cosine ? new CosineAnnealingSchedule(settings.Epochs) : null,
            LayerStatistics = settings.LayerStatistics,
        };
    }

    /// <summary>
    /// Trains a network initialized from <see cref="DigitsSettings.Seed"/> on <paramref name="train"/>, evaluating
    /// <paramref name="monitor"/> (if any) after every epoch for the history, then evaluates <paramref name="test"/>.
    /// </summary>
    /// <param name="train">The training samples.</param>
    /// <param name="test">The samples of the final accuracy and confusion matrix.</param>
    /// <param name="settings">How to train.</param>
    /// <param name="monitor">Evaluated after each epoch for the curves only (no early stopping, no choices made on it).</param>
    /// <param name="progress">One report per epoch, on the training thread.</param>
    /// <param name="warmUp">First trains a throwaway network for one epoch so that the timed run measures compiled code, not the JIT.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    public static DigitsRun Train(
        Dataset train,
        Dataset test,
        DigitsSettings settings,
        Dataset? monitor = null,
        IProgress<EpochReport>? progress = null,
        bool warmUp = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        if (warmUp)
        {
            var scratch = new DigitsNet(settings.Seed);
            var warmOptions = CreateOptions(settings) with { Epochs = 1, Schedule = null };
            new Trainer(scratch, CreateOptimizer(settings.Optimizer, settings.EffectiveLearningRate), warmOptions).Train(train, monitor, cancellationToken: cancellationToken);
        }

        var network = new DigitsNet(settings.Seed);
        var trainer = new Trainer(network, CreateOptimizer(settings.Optimizer, settings.EffectiveLearningRate), CreateOptions(settings));
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        ParameterAverager? averager = settings.AveragedEpochs > 0 ? new ParameterAverager(network, settings.Epochs - settings.AveragedEpochs + 1, monitor, progress) : null;
        TrainingHistory history = trainer.Train(train, monitor, (IProgress<EpochReport>?)averager ?? progress, cancellationToken);
        averager?.Apply();
        clock.Stop();
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuStart;

        EvaluationResult result = Evaluation.Evaluate(network, test);
        return new DigitsRun(network, history, result, result.Classification!.ConfusionMatrix(), clock.Elapsed, cpu, averager?.Evaluations ?? []);
    }

    /// <summary>Trains on the fixed split of <paramref name="data"/>, monitoring the test set for the curves.</summary>
    public static DigitsRun Train(DigitsData data, DigitsSettings settings, IProgress<EpochReport>? progress = null, bool warmUp = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        Dataset test = data.ToDataset(data.TestRows);
        return Train(data.ToDataset(data.TrainRows), test, settings, test, progress, warmUp, cancellationToken);
    }

    /// <summary><c>result[true, predicted]</c>: how often each class was predicted as each class.</summary>
    public static int[,] ConfusionMatrix(IInferenceNetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        int classes = data.OutputSize;
        var matrix = new int[classes, classes];
        for (int i = 0; i < data.Count; i++)
        {
            int predicted = Evaluation.Predict(network, data.GetInput(i));
            matrix[ArgMax(data.GetTarget(i)), predicted]++;
        }
        return matrix;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }
        return best;
    }

    /// <summary>
    /// Sums the parameters at the end of every epoch from <c>firstEpoch</c> on and, with a monitored set, evaluates their
    /// running mean there; forwards the reports.
    /// </summary>
    private sealed class ParameterAverager(DigitsNet network, int firstEpoch, Dataset? monitor, IProgress<EpochReport>? inner) : IProgress<EpochReport>
    {
        private readonly double[] _sum = new double[DigitsNet.ParameterCount];
        private readonly DigitsNet _mean = new();
        private int _count;

        public List<(int Epoch, EvaluationResult Result)> Evaluations { get; } = [];

        public void Report(EpochReport value)
        {
            if (value.Epoch >= firstEpoch)
            {
                ReadOnlySpan<float> parameters = network.Parameters;
                for (int i = 0; i < _sum.Length; i++) _sum[i] += parameters[i];
                _count++;
                if (monitor is not null)
                {
                    CopyMean(_mean.Parameters);
                    Evaluations.Add((value.Epoch, Evaluation.Evaluate(_mean, monitor)));
                }
            }
            inner?.Report(value);
        }

        /// <summary>Puts the mean into the network.</summary>
        public void Apply()
        {
            if (_count > 0) CopyMean(network.Parameters);
        }

        private void CopyMean(Span<float> destination)
        {
            for (int i = 0; i < _sum.Length; i++) destination[i] = (float)(_sum[i] / _count);
        }
    }
}
