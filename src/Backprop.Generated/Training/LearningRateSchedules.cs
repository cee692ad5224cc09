using System;

namespace Backprop.Generated;

/// <summary>
/// Gives the learning rate for each epoch. The <see cref="Trainer"/> calls it once at the start of every epoch with
/// the zero-based epoch index, and sets the optimizer's <see cref="IOptimizer.LearningRate"/> to the result, as
/// calling a <c>torch.optim.lr_scheduler</c>'s <c>step()</c> once per epoch does.
/// </summary>
/// <remarks>Implementations should be pure functions of their arguments, so that training is reproducible.</remarks>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate for zero-based epoch <paramref name="epoch"/>, a finite number &gt;= 0.</summary>
    /// <param name="epoch">The epoch about to run, from 0.</param>
    /// <param name="baseLearningRate">The optimizer's learning rate when the trainer was created.</param>
    float GetLearningRate(int epoch, float baseLearningRate);
}

/// <summary>The base learning rate for every epoch.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <inheritdoc/>
    public float GetLearningRate(int epoch, float baseLearningRate) => baseLearningRate;
}

/// <summary>
/// Multiplies the rate by <see cref="Gamma"/> every <see cref="StepSize"/> epochs:
/// <c>base * gamma^floor(epoch / stepSize)</c>, as <c>torch.optim.lr_scheduler.StepLR</c>.
/// </summary>
public sealed class StepDecaySchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="stepSize">Epochs between decays, at least 1.</param>
    /// <param name="gamma">The decay factor, in (0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public StepDecaySchedule(int stepSize, float gamma = 0.1f)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be at least 1 epoch.");
        StepSize = stepSize;
        Gamma = ScheduleChecks.Factor(gamma, nameof(gamma));
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public float GetLearningRate(int epoch, float baseLearningRate) =>
        (float)(baseLearningRate * Math.Pow(Gamma, ScheduleChecks.Epoch(epoch) / StepSize));
}

/// <summary>
/// Multiplies the rate by <see cref="Gamma"/> every epoch: <c>base * gamma^epoch</c>, as
/// <c>torch.optim.lr_scheduler.ExponentialLR</c>.
/// </summary>
public sealed class ExponentialDecaySchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="gamma">The decay factor per epoch, in (0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is outside (0, 1].</exception>
    public ExponentialDecaySchedule(float gamma) => Gamma = ScheduleChecks.Factor(gamma, nameof(gamma));

    /// <summary>The decay factor per epoch.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public float GetLearningRate(int epoch, float baseLearningRate) =>
        (float)(baseLearningRate * Math.Pow(Gamma, ScheduleChecks.Epoch(epoch)));
}

/// <summary>
/// Cosine annealing from the base rate down to <see cref="MinLearningRate"/> over <see cref="Period"/> epochs:
/// <c>min + (base - min) (1 + cos(pi epoch / period)) / 2</c>, the closed form of
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> (<c>T_max = period</c>, <c>eta_min = min</c>). Past the period the
/// rate rises again along the same cosine, as PyTorch's does; choose <c>period = epochs</c> to end at the minimum.
/// </summary>
public sealed class CosineAnnealingSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="period">Epochs from the base rate to the minimum (<c>T_max</c>), at least 1.</param>
    /// <param name="minLearningRate">The minimum rate (<c>eta_min</c>), a finite number &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public CosineAnnealingSchedule(int period, float minLearningRate = 0f)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be at least 1 epoch.");
        if (!(minLearningRate >= 0) || float.IsInfinity(minLearningRate))
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "The minimum learning rate must be a finite number >= 0.");
        Period = period;
        MinLearningRate = minLearningRate;
    }

    /// <summary>Epochs from the base rate to the minimum.</summary>
    public int Period { get; }

    /// <summary>The rate reached after <see cref="Period"/> epochs.</summary>
    public float MinLearningRate { get; }

    /// <inheritdoc/>
    public float GetLearningRate(int epoch, float baseLearningRate)
    {
        double min = MinLearningRate;
        double rate = min + (baseLearningRate - min) * (1 + Math.Cos(Math.PI * ScheduleChecks.Epoch(epoch) / Period)) / 2;
        return (float)Math.Max(rate, 0.0);
    }
}

/// <summary>
/// A linear warm-up in front of another schedule: for the first <see cref="WarmupEpochs"/> epochs the rate is
/// <c>base * (startFactor + (1 - startFactor) epoch / warmupEpochs)</c>, as <c>torch.optim.lr_scheduler.LinearLR</c>
/// with <c>end_factor=1</c>; from then on it is <see cref="Then"/>'s rate for <c>epoch - warmupEpochs</c>, as
/// <c>SequentialLR([LinearLR, then], milestones=[warmupEpochs])</c>.
/// </summary>
public sealed class LinearWarmupSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupEpochs">Epochs of warm-up, at least 1.</param>
    /// <param name="then">The schedule after the warm-up; constant when null.</param>
    /// <param name="startFactor">The fraction of the base rate in epoch 0, in (0, 1]; PyTorch's default is 1/3.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public LinearWarmupSchedule(int warmupEpochs, ILearningRateSchedule? then = null, float startFactor = 1f / 3f)
    {
        if (warmupEpochs < 1) throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "The warm-up must last at least 1 epoch.");
        WarmupEpochs = warmupEpochs;
        Then = then ?? new ConstantSchedule();
        StartFactor = ScheduleChecks.Factor(startFactor, nameof(startFactor));
    }

    /// <summary>Epochs of warm-up.</summary>
    public int WarmupEpochs { get; }

    /// <summary>The schedule after the warm-up, started at its own epoch 0.</summary>
    public ILearningRateSchedule Then { get; }

    /// <summary>The fraction of the base rate in epoch 0.</summary>
    public float StartFactor { get; }

    /// <inheritdoc/>
    public float GetLearningRate(int epoch, float baseLearningRate)
    {
        if (ScheduleChecks.Epoch(epoch) >= WarmupEpochs) return Then.GetLearningRate(epoch - WarmupEpochs, baseLearningRate);
        double factor = StartFactor + (1.0 - StartFactor) * epoch / WarmupEpochs;
        return (float)(baseLearningRate * factor);
    }
}

internal static class ScheduleChecks
{
    public static float Factor(float value, string name)
    {
        if (!(value > 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, 1].");
        return value;
    }

    public static int Epoch(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch index must be >= 0.");
        return epoch;
    }
}
