using Backprop.Generated.Samples.Charts;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Backprop.Generated;

namespace Digits;

/// <summary>The files a run leaves behind.</summary>
/// <param name="Weights">The trained weights, safetensors.</param>
/// <param name="Curves">Loss and accuracy per epoch, SVG.</param>
/// <param name="History">The per-epoch reports, CSV.</param>
/// <param name="GradientNorms">With <see cref="DigitsSettings.LayerStatistics"/>: each weight tensor's gradient norm per epoch, SVG; else null.</param>
/// <param name="Activity">With <see cref="DigitsSettings.LayerStatistics"/>: the dead (and saturated) fractions of each layer per epoch, SVG; else null.</param>
public sealed record DigitsOutputFiles(string Weights, string Curves, string History, string? GradientNorms = null, string? Activity = null);

/// <summary>Writes a run's weights, curves and history into a folder.</summary>
public static class DigitsOutputs
{
    /// <summary>The weights file name.</summary>
    public const string WeightsFileName = "digits.safetensors";

    /// <summary>The curves file name.</summary>
    public const string CurvesFileName = "curves.svg";

    /// <summary>The history file name.</summary>
    public const string HistoryFileName = "history.csv";

    /// <summary>The gradient-norm chart's file name (with --layer-statistics).</summary>
    public const string GradientNormsFileName = "gradient-norms.svg";

    /// <summary>The saturated and dead fractions chart's file name (with --layer-statistics).</summary>
    public const string ActivityFileName = "layer-activity.svg";

    /// <summary>
    /// The default output folder: <c>out/</c> beside <c>Digits.csproj</c> when the program runs from its build
    /// folder (<c>samples/Digits/out/</c>, git-ignored), else <c>digits-out/</c> in the current folder.
    /// </summary>
    public static string DefaultFolder
    {
        get
        {
            for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Digits.csproj"))) return Path.Combine(folder.FullName, "out");
            }
            return Path.GetFullPath("digits-out");
        }
    }

    /// <summary>Creates <paramref name="folder"/> if needed and writes the three files into it.</summary>
    public static DigitsOutputFiles Write(DigitsRun run, DigitsSettings settings, string folder)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(folder);
        Directory.CreateDirectory(folder);
        bool statistics = run.History.Epochs.Count > 0 && run.History.Epochs[0].TensorNorms.Count > 0;
        var files = new DigitsOutputFiles(
            Path.Combine(folder, WeightsFileName), Path.Combine(folder, CurvesFileName), Path.Combine(folder, HistoryFileName),
            statistics ? Path.Combine(folder, GradientNormsFileName) : null, statistics ? Path.Combine(folder, ActivityFileName) : null);

        CultureInfo c = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            ["network"] = "64-32(relu)-10(softmax), cross-entropy",
            ["data"] = "UCI optical recognition of handwritten digits (Alpaydin and Kaynak 1998), pixels / 16",
            ["settings"] = Describe(settings),
            ["test_accuracy"] = run.TestAccuracy.ToString("R", c),
        };
        run.Network.SaveWeights(files.Weights, metadata);

        string title = $"Digits 64-32-10: {Describe(settings)}";
        File.WriteAllText(files.Curves, CurvesChart.ToSvg(run.History, title, run.TestAccuracy, run.Averaged));
        File.WriteAllText(files.History, run.History.ToCsv());
        if (files.GradientNorms is not null && files.Activity is not null)
        {
            File.WriteAllText(files.GradientNorms, LayerStatisticsCharts.GradientNormsSvg(run.History.Epochs, $"Digits 64-32-10, gradient norms: {Describe(settings)}"));
            File.WriteAllText(files.Activity, LayerStatisticsCharts.ActivitySvg(run.History.Epochs, $"Digits 64-32-10, layer activity: {Describe(settings)}"));
        }
        return files;
    }

    /// <summary>A one-line description such as <c>momentum lr 0.15, batch 16, 80 epochs, ...</c>.</summary>
    public static string Describe(DigitsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CultureInfo c = CultureInfo.InvariantCulture;
        string text = $"{DigitsTraining.OptimizerName(settings.Optimizer)} lr {settings.EffectiveLearningRate.ToString(c)}, batch {settings.BatchSize}, {settings.Epochs} epochs";
        if (settings.Schedule != ScheduleKind.Constant) text += $", {settings.Schedule.ToString().ToLowerInvariant()} schedule";
        if (settings.L2 > 0) text += $", L2 {settings.L2.ToString(c)}";
        if (settings.AveragedEpochs > 0) text += $", mean of last {settings.AveragedEpochs}";
        return text + $", seed {settings.Seed}";
    }
}
