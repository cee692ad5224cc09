using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Backprop.Generated;

namespace Backprop.Generated.Samples.Charts;

/// <summary>
/// Charts of the per-layer statistics a <see cref="Trainer"/> gathers with <see cref="TrainerOptions.LayerStatistics"/>:
/// each weight tensor's gradient norm over the epochs (log scale), and the saturated (Sigmoid, Tanh) and dead (ReLU,
/// LeakyReLU) fractions of each layer over the epochs.
/// </summary>
public static class LayerStatisticsCharts
{
    /// <summary>One line per weight tensor: its mean gradient norm per epoch, on a log scale.</summary>
    public static ChartPanel GradientNormPanel(IReadOnlyList<EpochReport> epochs, string title)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        EpochReport first = epochs.FirstOrDefault(e => e.TensorNorms.Count > 0)
            ?? throw new ArgumentException("No epoch has tensor norms: train with TrainerOptions.LayerStatistics = true.", nameof(epochs));
        var weights = Enumerable.Range(0, first.TensorNorms.Count).Where(t => first.TensorNorms[t].Role == TensorRole.Weight).ToArray();
        var series = weights.Select((t, i) => new ChartSeries(
            "grad-norm:" + first.TensorNorms[t].Name, first.TensorNorms[t].Name, LineChart.Color(i, weights.Length),
            epochs.Where(e => e.TensorNorms.Count > t).Select(e => ((double)e.Epoch, e.TensorNorms[t].GradientNorm)).ToArray())).ToArray();
        return new ChartPanel(title, "gradient norm (mean over the epoch's steps)", series) { LogY = true };
    }

    /// <summary>
    /// One line per layer with a saturating activation (<paramref name="dead"/> false: Sigmoid, Tanh) or a ReLU-family
    /// one (<paramref name="dead"/> true), its saturated or dead fraction per epoch in percent; null when there is none.
    /// </summary>
    public static ChartPanel? ActivityPanel(IReadOnlyList<EpochReport> epochs, string title, bool dead)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        EpochReport? first = epochs.FirstOrDefault(e => e.Activity.Count > 0);
        if (first is null) return null;
        var layers = first.Activity.Where(a => dead ? a.Activation is Activation.ReLU or Activation.LeakyReLU : a.Activation is Activation.Sigmoid or Activation.Tanh)
            .Select(a => a.Position).ToArray();
        if (layers.Length == 0) return null;
        var series = layers.Select((p, i) => new ChartSeries(
            (dead ? "dead:" : "saturated:") + p.ToString(CultureInfo.InvariantCulture),
            $"layer {p.ToString(CultureInfo.InvariantCulture)} ({first.Activity[p].Kind}, {first.Activity[p].Activation})", LineChart.Color(i, layers.Length),
            epochs.Where(e => e.Activity.Count > p).Select(e => ((double)e.Epoch, 100 * (dead ? e.Activity[p].DeadFraction : e.Activity[p].SaturatedFraction))).ToArray())).ToArray();
        return new ChartPanel(title, dead ? "dead units (%)" : "saturated outputs (%)", series, (0, 100), "0");
    }

    /// <summary>The gradient-norm chart of a run as SVG text.</summary>
    public static string GradientNormsSvg(IReadOnlyList<EpochReport> epochs, string title) =>
        LineChart.ToSvg(title, [GradientNormPanel(epochs, "Gradient norm per weight tensor")], columns: 1, panelWidth: 760);

    /// <summary>The saturated and dead fractions of a run as SVG text (the panels that apply; a note when none does).</summary>
    public static string ActivitySvg(IReadOnlyList<EpochReport> epochs, string title)
    {
        var panels = new[]
        {
            ActivityPanel(epochs, "Saturated outputs of Sigmoid and Tanh layers", dead: false),
            ActivityPanel(epochs, "Dead units of ReLU and LeakyReLU layers", dead: true),
        }.OfType<ChartPanel>().ToArray();
        if (panels.Length == 0)
            throw new ArgumentException("No epoch has the activity of a Sigmoid, Tanh, ReLU or LeakyReLU layer: train with TrainerOptions.LayerStatistics = true.", nameof(epochs));
        return LineChart.ToSvg(title, panels, columns: 2);
    }
}
