using System;
using System.Globalization;

namespace Backprop.Generated;

/// <summary>
/// Thrown by <c>Trainer.Train</c> when a loss, gradient or parameter becomes NaN or infinite. Training stops;
/// the network holds the parameters of the failing step.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TrainingDivergedException()
        : base("Training diverged: a loss, gradient or parameter is not finite.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Describes a divergence; the message names every detail.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="step">The step within the epoch, from 1.</param>
    /// <param name="loss">The step's training loss (may itself be the non-finite value).</param>
    /// <param name="tensor">The tensor holding the first non-finite value, or null if only the loss is.</param>
    /// <param name="index">The flat index of that value within <paramref name="tensor"/>.</param>
    /// <param name="value">That value.</param>
    /// <param name="inParameters">True when the value is a parameter (checked after each epoch), false for a gradient.</param>
    public TrainingDivergedException(int epoch, int step, float loss, TensorInfo? tensor, int index, float value, bool inParameters)
        : this(epoch, step, loss, tensor, index, value, inParameters, dataCause: null)
    {
    }

    /// <summary>Describes a divergence whose likely cause is the data rather than the learning rate.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="step">The step within the epoch, from 1.</param>
    /// <param name="loss">The step's training loss (may itself be the non-finite value).</param>
    /// <param name="tensor">The tensor holding the first non-finite value, or null if only the loss is.</param>
    /// <param name="index">The flat index of that value within <paramref name="tensor"/>.</param>
    /// <param name="value">That value.</param>
    /// <param name="inParameters">True when the value is a parameter (checked after each epoch), false for a gradient.</param>
    /// <param name="dataCause">Why the data is the likely cause (ends the message in place of the learning-rate
    /// advice), or null when nothing points to the data.</param>
    public TrainingDivergedException(int epoch, int step, float loss, TensorInfo? tensor, int index, float value, bool inParameters, string? dataCause)
        : base(Describe(epoch, step, loss, tensor, index, value, inParameters, dataCause))
    {
        DataIsLikelyCause = dataCause is not null;
        Epoch = epoch;
        Step = step;
        Loss = loss;
        TensorName = tensor?.Name;
        Layer = tensor?.Layer;
        Index = tensor is null ? null : index;
        InParameters = inParameters;
    }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The step within the epoch, from 1.</summary>
    public int Step { get; }

    /// <summary>The training loss of that step.</summary>
    public float Loss { get; }

    /// <summary>The name of the tensor with the first non-finite value, e.g. <c>layers.1.weight</c>; null when only the loss is non-finite.</summary>
    public string? TensorName { get; }

    /// <summary>The layer of <see cref="TensorName"/>, from 0.</summary>
    public int? Layer { get; }

    /// <summary>The flat index within <see cref="TensorName"/>.</summary>
    public int? Index { get; }

    /// <summary>True when a parameter, not a gradient, was found non-finite.</summary>
    public bool InParameters { get; }

    /// <summary>
    /// True when the data rather than the learning rate is the likely cause: the very first step (before any update)
    /// was not finite, or the training inputs or targets reach magnitudes above 100 (not standardized).
    /// </summary>
    public bool DataIsLikelyCause { get; }

    private static string Describe(int epoch, int step, float loss, TensorInfo? tensor, int index, float value, bool inParameters, string? dataCause)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string where = $"Training diverged in epoch {epoch}, step {step}";
        string lossText = $"the loss is {loss.ToString("R", c)}";
        string advice = dataCause ?? "Try a lower learning rate, gradient clipping or normalized inputs.";
        if (tensor is null) return $"{where}: {lossText} (all gradients are finite). {advice}";
        string position = FormatIndex(tensor, index);
        string what = inParameters ? "parameter" : "gradient";
        string when = inParameters ? " after the optimizer steps" : "";
        return $"{where}: {lossText}; the first non-finite {what}{when} is {tensor.Name}{position} = {value.ToString("R", c)} (layer {tensor.Layer}, {tensor.Role}). {advice}";
    }

    private static string FormatIndex(TensorInfo tensor, int index)
    {
        var shape = tensor.Shape;
        var parts = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            parts[d] = index % shape[d];
            index /= shape[d];
        }
        return "[" + string.Join(", ", parts) + "]";
    }
}
