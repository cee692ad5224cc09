using System;

namespace Backprop.Generated;

/// <summary>
/// How a <see cref="Trainer"/> trains. Immutable; every value is checked when set
/// (<see cref="ArgumentOutOfRangeException"/> names the value and the allowed range).
/// </summary>
/// <example>
/// <code>
/// var options = new TrainerOptions
/// {
///     Epochs = 50,
///     BatchSize = 32,
///     Schedule = new LinearWarmupSchedule(5, new CosineAnnealingSchedule(45)),
///     L2 = 1e-4f,
///     MaxGradientNorm = 5f,
///     EarlyStopping = new EarlyStopping { Patience = 5 },
/// };
/// </code>
/// </example>
public sealed record TrainerOptions
{
    /// <summary>
    /// <see cref="BatchSize"/> for batch gradient descent: every step uses the whole training set.
    /// </summary>
    public const int FullBatch = int.MaxValue;

    /// <summary>Passes over the training set, at least 1. Default 10.</summary>
    public int Epochs
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Epochs), value, "Epochs must be at least 1.");
    } = 10;

    /// <summary>
    /// Samples per step, at least 1: 1 is stochastic gradient descent, <see cref="FullBatch"/> (or any value of at
    /// least the training set's size) batch gradient descent, anything between mini-batch. The last step of an
    /// epoch takes the remaining samples when the size does not divide the set. Default 32.
    /// </summary>
    public int BatchSize
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be at least 1 (use TrainerOptions.FullBatch for the whole set).");
    } = 32;

    /// <summary>
    /// Whether the samples are visited in a new random order every epoch (Fisher-Yates with
    /// <see cref="DeterministicRandom"/> seeded by <see cref="Seed"/> and the epoch). Default true. Ignored when one
    /// batch holds the whole training set.
    /// </summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The shuffling seed: the same seed, data, initial parameters and options give bit-identical training.</summary>
    public int Seed { get; init; }

    /// <summary>Sets the learning rate at the start of each epoch; null keeps the optimizer's rate constant.</summary>
    public ILearningRateSchedule? Schedule { get; init; }

    /// <summary>
    /// L1 penalty strength on Dense and convolution weights (not biases), a finite number &gt;= 0: <c>L1 * sign(w)</c> is added to
    /// the gradient, the gradient of <c>L1 * sum |w|</c>. Default 0.
    /// </summary>
    public float L1
    {
        get;
        init => field = NonNegative(value, nameof(L1));
    }

    /// <summary>
    /// L2 penalty strength on Dense and convolution weights (not biases), a finite number &gt;= 0: <c>L2 * w</c> is added to the
    /// gradient, the gradient of <c>L2 / 2 * sum w^2</c> (PyTorch's <c>weight_decay</c> convention). Default 0.
    /// </summary>
    public float L2
    {
        get;
        init => field = NonNegative(value, nameof(L2));
    }

    /// <summary>
    /// When set, the whole gradient is rescaled by <c>max / (norm + 1e-6)</c> whenever that factor is below 1,
    /// <c>norm</c> being the L2 norm over all parameters, as <c>torch.nn.utils.clip_grad_norm_</c>. Positive and finite.
    /// </summary>
    public float? MaxGradientNorm
    {
        get;
        init => field = value is float v && !(v > 0 && float.IsFinite(v))
            ? throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), v, "MaxGradientNorm must be a positive finite number (or null for no clipping).")
            : value;
    }

    /// <summary>
    /// When set, every gradient element is clamped to <c>[-max, max]</c> (after norm clipping), as
    /// <c>torch.nn.utils.clip_grad_value_</c>. Positive and finite.
    /// </summary>
    public float? MaxGradientValue
    {
        get;
        init => field = value is float v && !(v > 0 && float.IsFinite(v))
            ? throw new ArgumentOutOfRangeException(nameof(MaxGradientValue), v, "MaxGradientValue must be a positive finite number (or null for no clipping).")
            : value;
    }

    /// <summary>
    /// When true, each <see cref="EpochReport"/> carries per-layer statistics: <see cref="EpochReport.TensorNorms"/>
    /// (each tensor's gradient norm right after <see cref="INetwork.Backward"/>, before penalties, clipping and the
    /// optimizer step, averaged over the epoch's steps; its parameter norm at the end of the epoch) and
    /// <see cref="EpochReport.Activity"/> (<see cref="IInspectableNetwork.Inspect"/> on the first min(256, n)
    /// training samples at the end of the epoch), and <see cref="TrainingHistory.WriteCsv(System.IO.TextWriter)"/>
    /// writes their columns. Measuring changes nothing in the training: the parameters end bit for bit as without it.
    /// Default false: nothing is computed and a step costs what it costs without it.
    /// </summary>
    public bool LayerStatistics { get; init; }

    /// <summary>Stops when the validation loss stops improving; needs a validation set. Null (default) trains all epochs.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    private static float NonNegative(float value, string name) => value >= 0 && float.IsFinite(value)
        ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0.");
}

/// <summary>
/// Early stopping on the validation loss: training stops once <see cref="Patience"/> epochs in a row did not improve
/// the best validation loss by more than <see cref="MinDelta"/>.
/// </summary>
public sealed record EarlyStopping
{
    /// <summary>Epochs without improvement before stopping, at least 1. Default 5.</summary>
    public int Patience
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Patience), value, "Patience must be at least 1 epoch.");
    } = 5;

    /// <summary>An epoch improves when its validation loss is below <c>best - MinDelta</c>; a finite number &gt;= 0. Default 0.</summary>
    public double MinDelta
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be a finite number >= 0.");
    }

    /// <summary>
    /// When training ends (early or not), put back the parameters, the network's <see cref="INetwork.State"/> and the
    /// optimizer's state from the end of the best epoch. Default true.
    /// </summary>
    public bool RestoreBest { get; init; } = true;
}
