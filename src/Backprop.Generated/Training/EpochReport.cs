using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Backprop.Generated;

/// <summary>What happened in one epoch of training.</summary>
/// <param name="Epoch">The epoch number, from 1.</param>
/// <param name="TrainLoss">
/// The mean of the training losses <see cref="INetwork.Backward"/> returned during the epoch, weighted by batch size
/// (so the mean over the samples, with the parameters changing along the way). Excludes the L1/L2 penalty.
/// </param>
/// <param name="ValidationLoss">The loss on the validation set after the epoch (<see cref="Evaluation.Evaluate(INetwork, Dataset)"/>); null without one.</param>
/// <param name="ValidationAccuracy">The accuracy on the validation set after the epoch, in [0, 1]; null without one, and
/// null for a regression (see <see cref="Validation"/> for its R², RMSE and MAE).</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <param name="Elapsed">Time since training started, at the end of the epoch.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationAccuracy, float LearningRate, TimeSpan Elapsed)
{
    /// <summary>
    /// Everything <see cref="Evaluation.Evaluate(INetwork, Dataset)"/> measured on the validation set after the epoch:
    /// the classification metrics of a classifier, the regression metrics (R², RMSE, MAE) of a regression; null
    /// without a validation set.
    /// </summary>
    public EvaluationResult? Validation { get; init; }

    /// <summary>
    /// With <see cref="TrainerOptions.LayerStatistics"/>: for each tensor, in <see cref="INetwork.Tensors"/> order, its
    /// gradient norm right after <see cref="INetwork.Backward"/> (before penalties, clipping and the optimizer step)
    /// averaged over the epoch's steps, and its parameter norm at the end of the epoch. Empty otherwise.
    /// </summary>
    public IReadOnlyList<TensorNorm> TensorNorms { get; init; } = [];

    /// <summary>
    /// With <see cref="TrainerOptions.LayerStatistics"/>: <see cref="IInspectableNetwork.Inspect"/> on the first
    /// min(256, n) training samples at the end of the epoch, one entry per declared layer. Empty otherwise, and for a
    /// network that is not an <see cref="IInspectableNetwork"/>.
    /// </summary>
    public IReadOnlyList<LayerActivity> Activity { get; init; } = [];

    /// <summary>
    /// One line with the numbers that fit the task, e.g.
    /// <c>epoch 3: train loss 0.2871, validation loss 0.3012, accuracy 91.25 %, lr 0.001 (0.41 s)</c>; a regression shows
    /// R², RMSE and MAE in place of the accuracy.
    /// </summary>
    public override string ToString()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"epoch {Epoch}: train loss {TrainLoss:G6}");
        if (ValidationLoss is double loss) text.Append(c, $", validation loss {loss:G6}");
        if (ValidationAccuracy is double accuracy) text.Append(c, $", accuracy {100 * accuracy:0.00} %");
        if (Validation?.Regression is { } r) text.Append(c, $", R² {r.RSquared:0.0000}, RMSE {r.RootMeanSquaredError:G5}, MAE {r.MeanAbsoluteError:G5}");
        text.Append(c, $", lr {LearningRate:G6} ({Elapsed.TotalSeconds:0.00} s)");
        return text.ToString();
    }
}

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
    /// Writes a header and one line per epoch, with invariant-culture round-trip numbers; lines end with <c>\n</c>.
    /// The columns fit the task: <c>epoch,train_loss,validation_loss,validation_accuracy,learning_rate,elapsed_seconds</c>
    /// for a classifier (and without a validation set, whose validation columns are empty);
    /// <c>epoch,train_loss,validation_loss,validation_r2,validation_rmse,validation_mae,learning_rate,elapsed_seconds</c>
    /// for a regression, which has no accuracy.
    /// <para>With <see cref="TrainerOptions.LayerStatistics"/> the columns go on with, for each tensor,
    /// <c>grad_norm:{name}</c> and <c>param_norm:{name}</c> (<see cref="EpochReport.TensorNorms"/>, e.g.
    /// <c>grad_norm:layers.0.weight</c>), then for each layer <c>mean:{position}</c>, <c>std:{position}</c>,
    /// <c>saturated:{position}</c> and <c>dead:{position}</c> (<see cref="EpochReport.Activity"/>, e.g.
    /// <c>saturated:3</c>). Without it the header is as above.</para>
    /// </summary>
    /// <param name="writer">Receives the text; it is neither flushed nor closed (see <see cref="WriteCsv(string)"/> for a file).</param>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        bool regression = false;
        foreach (EpochReport r in Epochs) regression |= r.Validation?.Regression is not null;
        IReadOnlyList<TensorNorm> tensorColumns = [];
        IReadOnlyList<LayerActivity> layerColumns = [];
        foreach (EpochReport r in Epochs)
        {
            if (r.TensorNorms.Count > tensorColumns.Count) tensorColumns = r.TensorNorms;
            if (r.Activity.Count > layerColumns.Count) layerColumns = r.Activity;
        }
        writer.Write(regression
            ? "epoch,train_loss,validation_loss,validation_r2,validation_rmse,validation_mae,learning_rate,elapsed_seconds"
            : "epoch,train_loss,validation_loss,validation_accuracy,learning_rate,elapsed_seconds");
        foreach (TensorNorm t in tensorColumns) writer.Write($",grad_norm:{t.Name},param_norm:{t.Name}");
        foreach (LayerActivity a in layerColumns)
        {
            string p = a.Position.ToString(CultureInfo.InvariantCulture);
            writer.Write($",mean:{p},std:{p},saturated:{p},dead:{p}");
        }
        writer.Write('\n');
        CultureInfo c = CultureInfo.InvariantCulture;
        foreach (EpochReport r in Epochs)
        {
            writer.Write(r.Epoch.ToString(c));
            writer.Write(',');
            writer.Write(r.TrainLoss.ToString("R", c));
            writer.Write(',');
            writer.Write(r.ValidationLoss?.ToString("R", c));
            writer.Write(',');
            if (regression)
            {
                RegressionMetrics? m = r.Validation?.Regression;
                writer.Write(m?.RSquared.ToString("R", c));
                writer.Write(',');
                writer.Write(m?.RootMeanSquaredError.ToString("R", c));
                writer.Write(',');
                writer.Write(m?.MeanAbsoluteError.ToString("R", c));
            }
            else
            {
                writer.Write(r.ValidationAccuracy?.ToString("R", c));
            }
            writer.Write(',');
            writer.Write(r.LearningRate.ToString("R", c));
            writer.Write(',');
            writer.Write(r.Elapsed.TotalSeconds.ToString("0.######", c));
            for (int t = 0; t < tensorColumns.Count; t++)
            {
                bool has = t < r.TensorNorms.Count;
                writer.Write(',');
                if (has) writer.Write(r.TensorNorms[t].GradientNorm.ToString("R", c));
                writer.Write(',');
                if (has) writer.Write(r.TensorNorms[t].ParameterNorm.ToString("R", c));
            }
            for (int l = 0; l < layerColumns.Count; l++)
            {
                bool has = l < r.Activity.Count;
                LayerActivity a = has ? r.Activity[l] : default;
                writer.Write(',');
                if (has) writer.Write(a.Mean.ToString("R", c));
                writer.Write(',');
                if (has) writer.Write(a.StandardDeviation.ToString("R", c));
                writer.Write(',');
                if (has) writer.Write(a.SaturatedFraction.ToString("R", c));
                writer.Write(',');
                if (has) writer.Write(a.DeadFraction.ToString("R", c));
            }
            writer.Write('\n');
        }
    }

    /// <summary>
    /// Writes the CSV of <see cref="WriteCsv(TextWriter)"/> to <paramref name="path"/> as UTF-8, atomically: a
    /// temporary file in the same folder is written, flushed to disk and renamed over <paramref name="path"/>.
    /// </summary>
    /// <exception cref="IOException">The file could not be written; the old file, if any, is unchanged.</exception>
    public void WriteCsv(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true);
            WriteCsv(writer);
        });
    }

    /// <summary>The CSV text of <see cref="WriteCsv(TextWriter)"/>.</summary>
    public string ToCsv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(writer);
        return writer.ToString();
    }
}
