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
/// <para>Each <see cref="Train"/> call counts epochs from 1 again (the schedule from epoch index 0) and continues
/// from the network's current parameters and the optimizer's current state.</para>
/// <para>Training is reproducible: the same initial parameters, data, options and optimizer give bit-identical
/// parameters on every run.</para>
/// </remarks>
/// <example>
/// <code>
/// var net = new DigitsNet();
/// net.InitializeParameters(seed: 1);
/// var trainer = new Trainer(net, new Adam(0.001f), new TrainerOptions { Epochs = 30, BatchSize = 32 });
/// TrainingHistory history = trainer.Train(train, validation, new Progress&lt;EpochReport&gt;(Console.WriteLine));
/// File.WriteAllText("history.csv", history.ToCsv());
/// </code>
/// </example>
public sealed class Trainer
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

    /// <summary>The rate passed to the schedule (the optimizer's learning rate when the trainer was created).</summary>
    public float BaseLearningRate { get; }

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs or until early stopping.</summary>
    /// <param name="training">The training samples.</param>
    /// <param name="validation">Samples evaluated after each epoch (needed for early stopping); optional.</param>
    /// <param name="progress">Receives one <see cref="EpochReport"/> per epoch; optional.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The epoch reports and how training ended.</returns>
    /// <exception cref="ArgumentException">A data set does not fit the network, or early stopping lacks a validation set.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the network keeps the parameters of the last completed step.</exception>
    /// <exception cref="TrainingDivergedException">A loss, gradient or parameter became NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The schedule returned an invalid learning rate.</exception>
    public TrainingHistory Train(
        Dataset training,
        Dataset? validation = null,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        Evaluation.CheckSizes(Network, training);
        if (validation is not null) Evaluation.CheckSizes(Network, validation);
        EarlyStopping? early = Options.EarlyStopping;
        if (early is not null && validation is null)
            throw new ArgumentException("Early stopping needs a validation set.", nameof(validation));
        cancellationToken.ThrowIfCancellationRequested();

        INetwork net = Network;
        int n = training.Count, inputSize = training.InputSize, outputSize = training.OutputSize;
        int batchSize = Math.Min(Options.BatchSize, n);
        bool shuffle = Options.Shuffle && batchSize < n;
        int[] order = Shuffling.Identity(n);
        float[] batchInputs = shuffle ? new float[batchSize * inputSize] : [];
        float[] batchTargets = shuffle ? new float[batchSize * outputSize] : [];
        int stepsPerEpoch = (n + batchSize - 1) / batchSize;

        var reports = new List<EpochReport>(Options.Epochs);
        double bestLoss = double.PositiveInfinity;
        int? bestEpoch = null;
        int epochsWithoutImprovement = 0;
        bool stoppedEarly = false, restoredBest = false;
        float[]? bestParameters = null, bestState = null;
        MemoryStream? bestOptimizerState = null;
        var clock = Stopwatch.StartNew();

        for (int epochIndex = 0; epochIndex < Options.Epochs; epochIndex++)
        {
            int epoch = epochIndex + 1;
            float learningRate = Options.Schedule is null ? BaseLearningRate : Options.Schedule.GetLearningRate(epochIndex, BaseLearningRate);
            if (!(learningRate >= 0) || float.IsInfinity(learningRate))
                throw new InvalidOperationException($"The schedule gave the learning rate {learningRate} for epoch {epoch}; it must be a finite number >= 0.");
            Optimizer.LearningRate = learningRate;
            if (shuffle)
            {
                Shuffling.Reset(order);
                Shuffling.Shuffle(order, new DeterministicRandom(Options.Seed, epochIndex));
            }

            double lossSum = 0;
            float lastLoss = 0;
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
                if (Options.L1 > 0) Regularization.AddL1Gradient(net, Options.L1);
                if (Options.L2 > 0) Regularization.AddL2Gradient(net, Options.L2);
                ThrowIfNotFinite(net, net.Gradients, loss, epoch, step + 1, inParameters: false);
                if (Options.MaxGradientNorm is float maxNorm) GradientClipping.ClipByNorm(net.Gradients, maxNorm);
                if (Options.MaxGradientValue is float maxValue) GradientClipping.ClipByValue(net.Gradients, maxValue);
                Optimizer.Step(net);
                lossSum += (double)loss * k;
                lastLoss = loss;
            }
            ThrowIfNotFinite(net, net.Parameters, lastLoss, epoch, stepsPerEpoch, inParameters: true);

            double? validationLoss = null, validationAccuracy = null;
            if (validation is not null)
            {
                EvaluationResult result = Evaluation.Evaluate(net, validation);
                validationLoss = result.Loss;
                validationAccuracy = result.Accuracy;
                if (result.Loss < bestLoss - (early?.MinDelta ?? 0))
                {
                    bestLoss = result.Loss;
                    bestEpoch = epoch;
                    epochsWithoutImprovement = 0;
                    if (early is { RestoreBest: true })
                    {
                        bestParameters ??= new float[net.ParameterCount];
                        bestState ??= new float[net.State.Length];
                        bestOptimizerState ??= new MemoryStream();
                        net.Parameters.CopyTo(bestParameters);
                        net.State.CopyTo(bestState);
                        bestOptimizerState.SetLength(0);
                        Optimizer.SaveState(bestOptimizerState);
                    }
                }
                else
                {
                    epochsWithoutImprovement++;
                }
            }

            var report = new EpochReport(epoch, lossSum / n, validationLoss, validationAccuracy, learningRate, clock.Elapsed);
            reports.Add(report);
            progress?.Report(report);

            if (early is not null && epochsWithoutImprovement >= early.Patience)
            {
                stoppedEarly = epoch < Options.Epochs;
                break;
            }
        }

        if (early is { RestoreBest: true } && bestEpoch is int best && best != reports.Count && bestParameters is not null)
        {
            bestParameters.CopyTo(net.Parameters);
            bestState!.CopyTo(net.State);
            bestOptimizerState!.Position = 0;
            Optimizer.LoadState(bestOptimizerState);
            restoredBest = true;
        }
        return new TrainingHistory(reports.ToArray(), bestEpoch, stoppedEarly, restoredBest);
    }

    private static void ThrowIfNotFinite(INetwork network, ReadOnlySpan<float> values, float loss, int epoch, int step, bool inParameters)
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
        if (tensor is null && index >= 0)
            throw new TrainingDivergedException(
                $"Training diverged in epoch {epoch}, step {step}: {(inParameters ? "parameter" : "gradient")} {index} is {values[index]}, outside every listed tensor.");
        throw new TrainingDivergedException(epoch, step, loss, tensor, tensor is null ? 0 : index - tensor.Offset, index >= 0 ? values[index] : loss, inParameters);
    }
}
