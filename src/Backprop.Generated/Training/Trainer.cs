using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Backprop.Generated;

/// <summary>
/// Trains a network by gradient descent: batch, mini-batch or stochastic, set by <see cref="TrainerOptions.BatchSize"/>.
/// </summary>
/// <remarks>
/// Each epoch sets the learning rate from the schedule, visits the samples in a shuffled order, and for every step:
/// gathers the batch's rows into a reusable buffer, calls <see cref="INetwork.ZeroGradients"/> and one
/// <see cref="INetwork.Backward"/> over the whole batch, adds the L1/L2 penalty gradients, checks that the loss and
/// gradients are finite, clips the gradient (norm, then value) and calls <see cref="IOptimizer.Step"/>. Steps
/// allocate nothing. After the epoch it checks the parameters, evaluates the validation set, applies early stopping
/// and reports progress.
/// <para>Each <c>Train</c> call counts epochs from 1 again (the schedule from epoch index 0) and continues from the
/// network's current parameters and the optimizer's current state, except after <see cref="LoadCheckpoint"/>: then it
/// resumes the saved run at the epoch after the checkpoint's and runs until <see cref="TrainerOptions.Epochs"/> epochs
/// in total, giving the same bits as a run that never stopped.</para>
/// <para>Training is reproducible: the same initial parameters, data, options and optimizer give bit-identical
/// parameters on every run.</para>
/// </remarks>
/// <example>
/// <code>
/// var net = new DigitsNet();
/// net.InitializeParameters(seed: 1);
/// var trainer = new Trainer(net, new Adam(0.001f), new TrainerOptions { Epochs = 30, BatchSize = 32 });
/// TrainingHistory history = trainer.Train(train, validation, r =&gt; Console.WriteLine(r));
/// history.WriteCsv("history.csv");
/// </code>
/// </example>
public sealed partial class Trainer
{
    /// <summary>Creates a trainer; the optimizer's current learning rate becomes <see cref="BaseLearningRate"/>.</summary>
    public Trainer(INetwork network, IOptimizer optimizer, TrainerOptions? options = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Options = options ?? new TrainerOptions();
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The network being trained.</summary>
    public INetwork Network { get; }

    /// <summary>The optimizer applying the updates.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>The training options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The rate passed to the schedule (the optimizer's learning rate when the trainer was created, or the
    /// one a loaded checkpoint holds).</summary>
    public float BaseLearningRate { get; private set; }

    /// <summary>Epochs completed in the current run, including those restored by <see cref="LoadCheckpoint"/>.</summary>
    public int CompletedEpochs => _completedEpochs;

    // The position of the run: what a checkpoint holds besides the parameters, the state and the optimizer's state.
    private int _completedEpochs;
    private bool _resumePending;
    private int _resumeTrainingCount;
    private double _bestLoss = double.PositiveInfinity;
    private int? _bestEpoch;
    private int _epochsWithoutImprovement;
    private float[]? _bestParameters, _bestState;
    private MemoryStream? _bestOptimizerState;
    private bool _hasBest;

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs or until early stopping.</summary>
    /// <param name="training">The training samples.</param>
    /// <param name="validation">Samples evaluated after each epoch (needed for early stopping); optional.</param>
    /// <param name="progress">Receives one <see cref="EpochReport"/> per epoch, called on the training thread in epoch
    /// order; optional. <see cref="Progress{T}"/> posts its callbacks to the thread pool (in a console program they run
    /// later and out of order): pass a method to <see cref="Train(Dataset, Dataset?, Action{EpochReport}, CancellationToken)"/> instead.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The epoch reports of this call and how training ended.</returns>
    /// <exception cref="ArgumentException">A data set does not fit the network, early stopping lacks a validation set,
    /// or the training set is not the size of the checkpoint's.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the network keeps the parameters of the last completed step.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter became NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The schedule returned an invalid learning rate.</exception>
    public TrainingHistory Train(
        Dataset training,
        Dataset? validation = null,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default) =>
        Run(training, validation, progress is null ? null : progress.Report, cancellationToken);

    /// <summary>
    /// Trains as <see cref="Train(Dataset, Dataset?, IProgress{EpochReport}?, CancellationToken)"/>, calling
    /// <paramref name="onEpoch"/> after every epoch on the training thread, in order, before the next epoch starts
    /// (so it may print, save a checkpoint with <see cref="SaveCheckpoint"/>, or read the parameters).
    /// </summary>
    /// <param name="training">The training samples.</param>
    /// <param name="validation">Samples evaluated after each epoch (needed for early stopping); may be null.</param>
    /// <param name="onEpoch">Receives one <see cref="EpochReport"/> per epoch.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The epoch reports of this call and how training ended.</returns>
    /// <example><c>trainer.Train(train, validation, r =&gt; Console.WriteLine(r));</c></example>
    public TrainingHistory Train(Dataset training, Dataset? validation, Action<EpochReport> onEpoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        return Run(training, validation, onEpoch, cancellationToken);
    }

    private TrainingHistory Run(Dataset training, Dataset? validation, Action<EpochReport>? onEpoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(training);
        Evaluation.CheckSizes(Network, training);
        if (validation is not null) Evaluation.CheckSizes(Network, validation);
        EarlyStopping? early = Options.EarlyStopping;
        if (early is not null && validation is null)
            throw new ArgumentException("Early stopping needs a validation set.", nameof(validation));
        if (_resumePending && _resumeTrainingCount != training.Count)
            throw new ArgumentException(
                $"The checkpoint was saved training on {_resumeTrainingCount} samples; this training set has {training.Count}, so the shuffled order would differ. Resume on the same training set.",
                nameof(training));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_resumePending) ResetRun();
        _resumePending = false;
        _resumeTrainingCount = training.Count;
        DataScale scale = DataScale.Of(training);

        INetwork net = Network;
        int n = training.Count, inputSize = training.InputSize, outputSize = training.OutputSize;
        int batchSize = Math.Min(Options.BatchSize, n);
        bool shuffle = Options.Shuffle && batchSize < n;
        int[] order = Shuffling.Identity(n);
        float[] batchInputs = shuffle ? new float[batchSize * inputSize] : [];
        float[] batchTargets = shuffle ? new float[batchSize * outputSize] : [];
        int stepsPerEpoch = (n + batchSize - 1) / batchSize;
        // Per-layer statistics (Options.LayerStatistics): the sum over the epoch's steps of each tensor's gradient norm.
        double[]? gradientNormSums = Options.LayerStatistics ? new double[net.Tensors.Count] : null;

        var reports = new List<EpochReport>(Math.Max(0, Options.Epochs - _completedEpochs));
        bool stoppedEarly = false, restoredBest = false;
        var clock = Stopwatch.StartNew();

        // A run restored from a checkpoint taken at the epoch that met the patience stops at once, as it would have.
        bool patienceMet = early is not null && _completedEpochs > 0 && _epochsWithoutImprovement >= early.Patience;
        if (patienceMet) stoppedEarly = _completedEpochs < Options.Epochs;
        for (int epochIndex = _completedEpochs; epochIndex < Options.Epochs && !patienceMet; epochIndex++)
        {
            int epoch = epochIndex + 1;
            float learningRate = Options.Schedule is null ? BaseLearningRate : Options.Schedule.GetLearningRate(epochIndex, BaseLearningRate);
            if (!(learningRate >= 0) || float.IsInfinity(learningRate))
                throw new InvalidOperationException($"The schedule gave the learning rate {learningRate} for epoch {epoch}; it must be a finite number >= 0.");
            Optimizer.LearningRate = learningRate;
            if (shuffle)
            {
                // The order of an epoch depends only on the seed and the epoch: resuming at any epoch needs no generator state.
                Shuffling.Reset(order);
                Shuffling.Shuffle(order, new DeterministicRandom(Options.Seed, epochIndex));
            }

            double lossSum = 0;
            float lastLoss = 0;
            if (gradientNormSums is not null) Array.Clear(gradientNormSums);
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batchSize;
                int k = Math.Min(batchSize, n - start);
                ReadOnlySpan<float> inputs, targets;
                if (shuffle)
                {
                    for (int s = 0; s < k; s++)
                    {
                        int row = order[start + s];
                        training.Inputs.Slice(row * inputSize, inputSize).CopyTo(batchInputs.AsSpan(s * inputSize));
                        training.Targets.Slice(row * outputSize, outputSize).CopyTo(batchTargets.AsSpan(s * outputSize));
                    }
                    inputs = batchInputs.AsSpan(0, k * inputSize);
                    targets = batchTargets.AsSpan(0, k * outputSize);
                }
                else
                {
                    inputs = training.Inputs.Slice(start * inputSize, k * inputSize);
                    targets = training.Targets.Slice(start * outputSize, k * outputSize);
                }

                net.ZeroGradients();
                float loss = net.Backward(inputs, targets);
                if (gradientNormSums is not null) NetworkStatistics.AddGradientNorms(net, gradientNormSums);
                if (Options.L1 > 0) Regularization.AddL1Gradient(net, Options.L1);
                if (Options.L2 > 0) Regularization.AddL2Gradient(net, Options.L2);
                ThrowIfNotFinite(net, net.Gradients, loss, epoch, step + 1, inParameters: false, scale);
                if (Options.MaxGradientNorm is float maxNorm) GradientClipping.ClipByNorm(net.Gradients, maxNorm);
                if (Options.MaxGradientValue is float maxValue) GradientClipping.ClipByValue(net.Gradients, maxValue);
                Optimizer.Step(net);
                lossSum += (double)loss * k;
                lastLoss = loss;
            }
            ThrowIfNotFinite(net, net.Parameters, lastLoss, epoch, stepsPerEpoch, inParameters: true, scale);

            EvaluationResult? result = null;
            if (validation is not null)
            {
                result = Evaluation.Evaluate(net, validation);
                if (result.Loss < _bestLoss - (early?.MinDelta ?? 0))
                {
                    _bestLoss = result.Loss;
                    _bestEpoch = epoch;
                    _epochsWithoutImprovement = 0;
                    if (early is { RestoreBest: true })
                    {
                        _bestParameters ??= new float[net.ParameterCount];
                        _bestState ??= new float[net.State.Length];
                        _bestOptimizerState ??= new MemoryStream();
                        net.Parameters.CopyTo(_bestParameters);
                        net.State.CopyTo(_bestState);
                        _bestOptimizerState.SetLength(0);
                        Optimizer.SaveState(_bestOptimizerState);
                        _hasBest = true;
                    }
                }
                else
                {
                    _epochsWithoutImprovement++;
                }
            }
            _completedEpochs = epoch;

            var report = new EpochReport(epoch, lossSum / n, result?.Loss, result?.Accuracy, learningRate, clock.Elapsed) { Validation = result };
            if (gradientNormSums is not null)
            {
                report = report with
                {
                    TensorNorms = NetworkStatistics.EpochNorms(net, gradientNormSums, stepsPerEpoch),
                    Activity = NetworkStatistics.Inspect(net, training.Inputs.Slice(0, Math.Min(NetworkStatistics.InspectedSamples, n) * inputSize)),
                };
            }
            reports.Add(report);
            onEpoch?.Invoke(report);

            if (early is not null && _epochsWithoutImprovement >= early.Patience)
            {
                stoppedEarly = epoch < Options.Epochs;
                break;
            }
        }

        if (early is { RestoreBest: true } && _bestEpoch is int best && best != _completedEpochs && _hasBest)
        {
            _bestParameters!.CopyTo(net.Parameters);
            _bestState!.CopyTo(net.State);
            _bestOptimizerState!.Position = 0;
            Optimizer.LoadState(_bestOptimizerState);
            restoredBest = true;
        }
        return new TrainingHistory(reports.ToArray(), _bestEpoch, stoppedEarly, restoredBest);
    }

    private void ResetRun()
    {
        _completedEpochs = 0;
        _bestLoss = double.PositiveInfinity;
        _bestEpoch = null;
        _epochsWithoutImprovement = 0;
        _hasBest = false;
    }

    private static void ThrowIfNotFinite(INetwork network, ReadOnlySpan<float> values, float loss, int epoch, int step, bool inParameters, DataScale scale)
    {
        int index = GradientClipping.IndexOfNonFinite(values);
        if (index < 0 && (inParameters || float.IsFinite(loss))) return;
        TensorInfo? tensor = null;
        if (index >= 0)
        {
            var tensors = network.Tensors;
            for (int t = 0; t < tensors.Count; t++)
            {
                TensorInfo info = tensors[t];
                if (info.Storage == TensorStorage.Parameters && index >= info.Offset && index < info.Offset + info.Length)
                {
                    tensor = info;
                    break;
                }
            }
        }
        // Before the first update the learning rate has not acted yet: a non-finite first loss or gradient comes from
        // the data (or the initial parameters), never from the rate. Large unscaled inputs or targets are the other sign.
        string? dataCause = scale.Describe(firstStep: epoch == 1 && step == 1 && !inParameters);
        if (tensor is null && index >= 0)
            throw new TrainingDivergedException(
                $"Training diverged in epoch {epoch}, step {step}: {(inParameters ? "parameter" : "gradient")} {index} is {values[index]}, outside every listed tensor." +
                (dataCause is null ? "" : " " + dataCause));
        throw new TrainingDivergedException(epoch, step, loss, tensor, tensor is null ? 0 : index - tensor.Offset, index >= 0 ? values[index] : loss, inParameters, dataCause);
    }
}

/// <summary>The largest magnitudes in a training set, measured once per <c>Train</c> call for divergence messages.</summary>
internal readonly struct DataScale
{
    /// <summary>Above this magnitude inputs or targets count as unscaled: gradients grow with them.</summary>
    internal const float LargeValue = 100f;

    private readonly float _input, _target;
    private readonly int _inputSample, _inputFeature, _targetSample, _targetOutput;

    private DataScale(float input, int inputSample, int inputFeature, float target, int targetSample, int targetOutput)
    {
        _input = input;
        _inputSample = inputSample;
        _inputFeature = inputFeature;
        _target = target;
        _targetSample = targetSample;
        _targetOutput = targetOutput;
    }

    public static DataScale Of(Dataset data)
    {
        (float input, int inputAt) = MaxAbs(data.Inputs);
        (float target, int targetAt) = MaxAbs(data.Targets);
        return new DataScale(input, inputAt / data.InputSize, inputAt % data.InputSize, target, targetAt / data.OutputSize, targetAt % data.OutputSize);
    }

    /// <summary>Why the data, not the learning rate, is the likely cause of a divergence; null when nothing points to it.</summary>
    public string? Describe(bool firstStep)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string largest = string.Create(c,
            $"the largest input is |x| = {_input:G4} (sample {_inputSample}, feature {_inputFeature}) and the largest target |t| = {_target:G4} (sample {_targetSample}, output {_targetOutput})");
        if (firstStep)
            return $"The data, not the learning rate, is the likely cause: the loss or gradient was not finite at the first step, before any update; {largest}. " +
                "Check the targets fit the loss and standardize the inputs (Standardizer).";
        if (_input > LargeValue || _target > LargeValue)
            return $"The data, not the learning rate, is the likely cause: {largest}, so the gradients are large from the start. " +
                "Standardize the inputs (Standardizer, fitted on the training set) and, for a regression, the targets too.";
        return null;
    }

    private static (float Max, int At) MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0;
        int at = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float a = Math.Abs(values[i]);
            if (a > max)
            {
                max = a;
                at = i;
            }
        }
        return (max, at);
    }
}
