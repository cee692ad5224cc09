using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Backprop.Generated;
using Backprop.Generated.Samples.Charts;

namespace DeepNetworks;

/// <summary>The tables and charts of the experiments.</summary>
public static class Report
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Each experiment's heading and chart file name.</summary>
    public static readonly (string Title, string File)[] Titles =
    [
        ("1. Glorot & Bengio (2010): 5 hidden sigmoid or tanh layers, standard U(±1/√n) versus Xavier initialization", "glorot-bengio.svg"),
        ("2. He et al. (2015): 20 ReLU layers, Xavier versus He (and standard) initialization", "he.svg"),
        ("3. Batch norm: experiment 1's sigmoid stack (standard initialization) with [BatchNorm] before each sigmoid", "batchnorm.svg"),
        ($"4. Exploding gradients: 10 tanh (weights ×{Experiments.TanhScale:0}) or linear (weights ×{Experiments.LinearScale:0}) layers after Xavier initialization, without and with MaxGradientNorm = {Experiments.ClipNorm:0}", "exploding.svg"),
    ];

    /// <summary>The table of an experiment: per network the gradients at the start, the activity and how training ended.</summary>
    public static string Table(int experiment, IReadOnlyList<TrainedNetwork> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder();
        int nameWidth = runs.Max(r => r.Name.Length) + 2;
        int layers = runs.Max(r => r.InitialGradientNorms.Length);
        text.Append("network".PadRight(nameWidth));
        int normsWidth = layers <= 6 ? Math.Max(44, layers * 9 + 2) : 44;
        text.Append("‖∂L/∂W‖ at the start, Dense layer 0 → last".PadRight(normsWidth));
        text.Append("first/last  ");
        if (experiment is 1 or 3) text.Append("saturated % of hidden layers 0..4 (before → epoch 1 → end)".PadRight(64));
        if (experiment == 2) text.Append("output std, layer 0 / last hidden (start)  dead % (start)  ");
        text.Append("train loss".PadRight(22)).Append("test accuracy\n");
        foreach (TrainedNetwork r in runs)
        {
            text.Append(r.Name.PadRight(nameWidth));
            string norms = layers <= 6
                ? string.Join(" ", r.InitialGradientNorms.Select(g => g.ToString("0.0e+0", C).PadLeft(8)))
                : $"{r.InitialGradientNorms[0].ToString("0.0e+0", C)} … {r.InitialGradientNorms[^1].ToString("0.0e+0", C)}";
            text.Append(norms.PadRight(normsWidth));
            text.Append(r.FirstToLastGradientRatio.ToString("0.0e+0", C).PadRight(12));
            if (experiment is 1 or 3)
            {
                int[] hidden = r.InitialActivity.Where(a => a.Activation is Activation.Sigmoid or Activation.Tanh && a.Position < r.InitialActivity.Length - 1)
                    .Select(a => a.Position).ToArray();
                string Sat(int epoch) => string.Join("/", hidden.Select(p => (100 * r.Saturated(p, epoch)).ToString("0", C)));
                string cell = r.Epochs.Count == 0 ? Sat(0) : $"{Sat(0)} → {Sat(1)} → {Sat(r.Epochs.Count)}";
                text.Append(cell.PadRight(64));
            }
            if (experiment == 2)
            {
                LayerActivity first = r.InitialActivity[0], last = r.InitialActivity[^2];
                text.Append($"{first.StandardDeviation.ToString("0.0e+0", C)} / {last.StandardDeviation.ToString("0.0e+0", C)}".PadRight(43));
                text.Append($"{(100 * first.DeadFraction).ToString("0", C)} / {(100 * last.DeadFraction).ToString("0", C)}".PadRight(16));
            }
            string loss = r.DivergedAtEpoch is int e ? $"diverged in epoch {e}" : r.FinalTrainLoss.ToString("0.0000", C);
            text.Append(loss.PadRight(22));
            text.Append(double.IsNaN(r.TestAccuracy) ? "-" : (100 * r.TestAccuracy).ToString("0.00", C) + " %");
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The budget in words.</summary>
    public static string Describe(Budget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        string sgd = budget.Momentum == 0 ? "plain SGD" : $"SGD with momentum {budget.Momentum.ToString(C)}";
        return $"{sgd}, learning rate {budget.LearningRate.ToString(C)}, batch {budget.BatchSize}, {budget.Epochs} epochs, seed {budget.Seed}";
    }

    /// <summary>Every layer's statistics before training and after the last epoch, per network.</summary>
    public static string Layers(IReadOnlyList<TrainedNetwork> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder();
        foreach (TrainedNetwork r in runs)
        {
            text.Append(r.Name).Append(": layer, kind, activation: mean ± std, saturated %, dead % (before training | after the last epoch)\n");
            IReadOnlyList<LayerActivity>? end = r.Epochs.Count > 0 ? r.Epochs[^1].Activity : null;
            for (int p = 0; p < r.InitialActivity.Length; p++)
            {
                static string Cell(LayerActivity a) => string.Create(C, $"{a.Mean,8:0.0000} ± {a.StandardDeviation:0.0e+0}, {100 * a.SaturatedFraction,5:0.0}, {100 * a.DeadFraction,5:0.0}");
                LayerActivity a0 = r.InitialActivity[p];
                text.Append(C, $"  {p,2} {a0.Kind,-10} {a0.Activation,-8} {Cell(a0)} | {(end is null ? "-" : Cell(end[p]))}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>The chart of an experiment as SVG text.</summary>
    public static string Chart(int experiment, IReadOnlyList<TrainedNetwork> runs, Budget budget)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(budget);
        var panels = new List<ChartPanel> { InitialGradients(runs) };
        if (experiment is 1 or 3)
        {
            panels.AddRange(runs.Select(r => Saturation(r)));
        }
        else
        {
            if (runs.Any(r => r.Epochs.Count > 0)) panels.Add(TrainLoss(runs));
        }
        string title = Titles[experiment - 1].Title.Split(':')[0] + $" (digits; {Describe(budget)})";
        return LineChart.ToSvg(title, panels, columns: experiment == 1 ? 4 : 2);
    }

    private static ChartPanel InitialGradients(IReadOnlyList<TrainedNetwork> runs) => new(
        "Weight gradient norm per layer at the start",
        "‖∂L/∂W‖ (first 256 images)",
        runs.Select((r, i) => new ChartSeries("initial-grad:" + r.Name, r.Name, LineChart.Color(i, runs.Count),
            r.InitialGradientNorms.Select((g, l) => ((double)l, g)).ToArray())).ToArray())
    { LogY = true, XMin = 0, XLabel = "Dense layer (0 = next to the input)" };

    private static ChartPanel Saturation(TrainedNetwork r)
    {
        int[] hidden = r.InitialActivity.Where(a => a.Activation is Activation.Sigmoid or Activation.Tanh && a.Position < r.InitialActivity.Length - 1)
            .Select(a => a.Position).ToArray();
        var series = hidden.Select((p, i) => new ChartSeries($"saturated:{r.Name}:{p}", $"layer {p}", LineChart.Color(i, hidden.Length),
            Enumerable.Range(0, r.Epochs.Count + 1).Select(e => ((double)e, 100 * r.Saturated(p, e))).ToArray())).ToArray();
        return new ChartPanel(r.Name + ": saturated outputs", "saturated (%)", series, (0, 100), "0") { XMin = 0 };
    }

    private static ChartPanel TrainLoss(IReadOnlyList<TrainedNetwork> runs) => new(
        "Training loss per epoch",
        "training loss (log scale)",
        runs.Where(r => r.Epochs.Count > 0).Select((r, i) => new ChartSeries("train-loss:" + r.Name, r.Name + (r.DivergedAtEpoch is int e ? $" (diverged in epoch {e})" : ""),
            LineChart.Color(i, runs.Count), r.Epochs.Select(x => ((double)x.Epoch, x.TrainLoss)).ToArray())).ToArray())
    { LogY = true };

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically: a temporary file beside it, then a rename.</summary>
    public static void WriteAtomically(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
