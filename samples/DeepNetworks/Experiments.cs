using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generated;
using Digits;

namespace DeepNetworks;

/// <summary>How long and how each network trains: fixed seeds, so every figure is reproducible bit for bit.</summary>
/// <param name="Epochs">Epochs of training per network.</param>
/// <param name="Seed">Seeds the initial weights and the shuffling.</param>
/// <param name="LearningRate">Plain SGD's learning rate.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="Momentum">SGD's momentum (0: plain SGD).</param>
public sealed record Budget(int Epochs = 30, int Seed = 0, float LearningRate = 0.1f, int BatchSize = 32, float Momentum = 0f);

/// <summary>One network trained on the digits: its gradients at the start, its per-epoch statistics and how it ended.</summary>
/// <param name="Name">The network's label in tables and charts.</param>
/// <param name="InitialGradientNorms">The gradient norm of each Dense layer's weights (layer 0 first) over the first
/// 256 training samples, before any update.</param>
/// <param name="InitialActivity">What each layer does on those samples before any update (<see cref="IInspectableNetwork.Inspect"/>).</param>
/// <param name="Epochs">The reports of the epochs completed (with <see cref="TrainerOptions.LayerStatistics"/>).</param>
/// <param name="TestAccuracy">Accuracy on the 360 test images at the end; NaN when training diverged.</param>
/// <param name="DivergedAtEpoch">The epoch in which training stopped with <see cref="TrainingDivergedException"/>; null when it did not.</param>
public sealed record TrainedNetwork(
    string Name, double[] InitialGradientNorms, LayerActivity[] InitialActivity, IReadOnlyList<EpochReport> Epochs, double TestAccuracy, int? DivergedAtEpoch)
{
    /// <summary>The first layer's weight gradient norm over the last layer's, at the start.</summary>
    public double FirstToLastGradientRatio => InitialGradientNorms[0] / InitialGradientNorms[^1];

    /// <summary>The training loss of the last completed epoch (NaN when none completed).</summary>
    public double FinalTrainLoss => Epochs.Count > 0 ? Epochs[^1].TrainLoss : double.NaN;

    /// <summary>The saturated fraction of layer <paramref name="position"/> at the end of epoch <paramref name="epoch"/> (0: before training).</summary>
    public double Saturated(int position, int epoch) => epoch == 0 ? InitialActivity[position].SaturatedFraction : Epochs[epoch - 1].Activity[position].SaturatedFraction;
}

/// <summary>The four experiments, each returning the networks it trained.</summary>
public static class Experiments
{
    /// <summary>Samples the initial gradients are measured on (and the trainer inspects).</summary>
    public const int ProbeSamples = 256;

    /// <summary>
    /// Experiment 1 (Glorot and Bengio 2010): sigmoid and tanh stacks, standard versus Xavier initialization; and the
    /// sigmoid stack with standard initialization once more with larger steps (<see cref="FastSteps"/>), which is
    /// where its top hidden layer saturates within the first epochs, as in the paper.
    /// </summary>
    public static TrainedNetwork[] GlorotBengio(DigitsData data, Budget budget) =>
    [
        Train("Sigmoid, standard", new SigmoidStandardNet(), data, budget),
        Train("Sigmoid, Xavier", new SigmoidXavierNet(), data, budget),
        Train("Tanh, standard", new TanhStandardNet(), data, budget),
        Train("Tanh, Xavier", new TanhXavierNet(), data, budget),
        Train("Tanh, He", new TanhHeNet(), data, budget),
        Train("Sigmoid, standard, momentum 0.9, lr ×3", new SigmoidStandardNet(), data, FastSteps(budget)),
    ];

    /// <summary>The budget with three times the learning rate and momentum 0.9: larger steps.</summary>
    public static Budget FastSteps(Budget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return budget with { LearningRate = 3 * budget.LearningRate, Momentum = 0.9f };
    }

    /// <summary>Experiment 2 (He et al. 2015): a 20-layer ReLU stack with Xavier, He and standard initialization.</summary>
    public static TrainedNetwork[] He(DigitsData data, Budget budget) =>
    [
        Train("ReLU ×20, Xavier normal", new ReluXavierNet(), data, budget),
        Train("ReLU ×20, He normal", new ReluHeNet(), data, budget),
        Train("ReLU ×20, standard", new ReluStandardNet(), data, budget),
    ];

    /// <summary>Experiment 3: experiment 1's sigmoid stack with standard initialization, without and with batch norm.</summary>
    public static TrainedNetwork[] BatchNorm(DigitsData data, Budget budget) =>
    [
        Train("Sigmoid, standard", new SigmoidStandardNet(), data, budget),
        Train("Sigmoid + BatchNorm, standard", new SigmoidBatchNormNet(), data, budget),
    ];

    /// <summary>The factor experiment 4 multiplies the tanh stack's initial weights by.</summary>
    public const float TanhScale = 3f;

    /// <summary>The factor experiment 4 multiplies the linear stack's initial weights by.</summary>
    public const float LinearScale = 2f;

    /// <summary>The gradient-norm limit of experiment 4's clipped run.</summary>
    public const float ClipNorm = 1f;

    /// <summary>
    /// Experiment 4: a deep Tanh stack and a deep Linear stack with their weights scaled up, each trained without and
    /// with gradient clipping.
    /// </summary>
    public static TrainedNetwork[] Exploding(DigitsData data, Budget budget) =>
    [
        Train($"Tanh ×10, weights ×{TanhScale:0}", new DeepTanhNet(), data, budget, weightScale: TanhScale),
        Train($"Tanh ×10, weights ×{TanhScale:0}, clipped", new DeepTanhNet(), data, budget, weightScale: TanhScale, maxGradientNorm: ClipNorm),
        Train($"Linear ×10, weights ×{LinearScale:0}", new DeepLinearNet(), data, budget, weightScale: LinearScale),
        Train($"Linear ×10, weights ×{LinearScale:0}, clipped", new DeepLinearNet(), data, budget, weightScale: LinearScale, maxGradientNorm: ClipNorm),
    ];

    /// <summary>
    /// The budget of each experiment (1 to 4): plain SGD, batch 32, 30 epochs, seed 0; learning rate 0.1, except
    /// 0.01 for the 20-layer ReLU stacks of experiment 2 (at 0.1 the He-initialized stack, whose gradients are the
    /// largest, overshoots).
    /// </summary>
    public static Budget DefaultBudget(int experiment) => experiment == 2 ? new Budget(LearningRate: 0.01f) : new Budget();

    /// <summary>
    /// Initializes <paramref name="network"/> from the budget's seed (then multiplies its weight matrices by
    /// <paramref name="weightScale"/>), measures its gradients and layers on the first 256 training images, and trains
    /// it with plain SGD on the 1437 training images for the budget's epochs, gathering layer statistics.
    /// </summary>
    public static TrainedNetwork Train(string name, IInspectableNetwork network, DigitsData data, Budget budget, float weightScale = 1, float? maxGradientNorm = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(budget);
        Dataset train = data.ToDataset(data.TrainRows), test = data.ToDataset(data.TestRows);
        network.InitializeParameters(budget.Seed);
        if (weightScale != 1)
        {
            foreach (TensorInfo tensor in network.Tensors.Where(t => t.Role == TensorRole.Weight))
            {
                Span<float> w = tensor.Slice(network.Parameters);
                for (int i = 0; i < w.Length; i++) w[i] *= weightScale;
            }
        }

        int probe = Math.Min(ProbeSamples, train.Count);
        float[] state = network.State.ToArray(); // batch norm's running statistics: the probe must not move them
        network.ZeroGradients();
        network.Backward(train.Inputs[..(probe * train.InputSize)], train.Targets[..(probe * train.OutputSize)]);
        double[] gradients = NetworkStatistics.TensorNorms(network).Where(t => t.Role == TensorRole.Weight).Select(t => t.GradientNorm).ToArray();
        network.ZeroGradients();
        network.TrainingStep = 0;
        var initial = new LayerActivity[network.LayerCount];
        network.Inspect(train.Inputs[..(probe * train.InputSize)], initial);
        state.CopyTo(network.State);

        var options = new TrainerOptions
        {
            Epochs = budget.Epochs,
            BatchSize = budget.BatchSize,
            Seed = budget.Seed,
            LayerStatistics = true,
            MaxGradientNorm = maxGradientNorm,
        };
        var trainer = new Trainer(network, new Sgd(budget.LearningRate, budget.Momentum), options);
        var epochs = new List<EpochReport>();
        int? diverged = null;
        try
        {
            trainer.Train(train, null, r => epochs.Add(r));
        }
        catch (TrainingDivergedException e)
        {
            diverged = e.Epoch;
        }
        double accuracy = diverged is null ? Evaluation.Evaluate(network, test).Accuracy ?? double.NaN : double.NaN;
        return new TrainedNetwork(name, gradients, initial, epochs, accuracy, diverged);
    }
}
