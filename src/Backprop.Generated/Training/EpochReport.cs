using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Backprop.Generated;

/// <summary>What happened in one epoch of training.</summary>
/// <param name="Epoch">The epoch number, from 1.</param>
/// <param name="TrainLoss">
/// The mean of the training losses <see cref="INetwork.Backward"/> returned during the epoch, weighted by batch size
/// (so the mean over the samples, with the parameters changing along the way). Excludes the L1/L2 penalty.
/// </param>
/// <param name="ValidationLoss">The loss on the validation set after the epoch (<see cref="Evaluation.Evaluate(INetwork, Dataset)"/>); null without one.</param>
/// <param name="ValidationAccuracy">The accuracy on the validation set after the epoch, in [0, 1]; null without one.</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <param name="Elapsed">Time since training started, at the end of the epoch.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationAccuracy, float LearningRate, TimeSpan Elapsed);

/// <summary>The reports of a training run and how it ended.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochReport> epochs, int? bestEpoch, bool stoppedEarly, bool restoredBest)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
        RestoredBest = restoredBest;
    }

    /// <summary>One report per completed epoch, in order.</summary>
    public IReadOnlyList<EpochReport> Epochs { get; }

    /// <summary>The epoch (from 1) with the lowest validation loss (improving by more than the early-stopping
    /// <see cref="EarlyStopping.MinDelta"/>); null without a validation set.</summary>
    public int? BestEpoch { get; }

    /// <summary>Whether early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Whether the parameters of <see cref="BestEpoch"/> were put back at the end.</summary>
    public bool RestoredBest { get; }

    /// <summary>
    /// Writes a header <c>epoch,train_loss,validation_loss,validation_accuracy,learning_rate,elapsed_seconds</c> and
    /// one line per epoch, with invariant-culture round-trip numbers; validation columns are empty without a
    /// validation set. Lines end with <c>\n</c>.
    /// </summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("epoch,train_loss,validation_loss,validation_accuracy,learning_rate,elapsed_seconds\n");
        CultureInfo c = CultureInfo.InvariantCulture;
        foreach (EpochReport r in Epochs)
        {
            writer.Write(r.Epoch.ToString(c));
            writer.Write(',');
            writer.Write(r.TrainLoss.ToString("R", c));
            writer.Write(',');
            writer.Write(r.ValidationLoss?.ToString("R", c));
            writer.Write(',');
            writer.Write(r.ValidationAccuracy?.ToString("R", c));
            writer.Write(',');
            writer.Write(r.LearningRate.ToString("R", c));
            writer.Write(',');
            writer.Write(r.Elapsed.TotalSeconds.ToString("0.######", c));
            writer.Write('\n');
        }
    }

    /// <summary>The CSV text of <see cref="WriteCsv"/>.</summary>
    public string ToCsv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(writer);
        return writer.ToString();
    }
}
