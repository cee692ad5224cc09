using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Backprop.Generated;

namespace Backprop.Generated.Samples.Charts;

/// <summary>One line of a chart: a name for the legend, a colour and a value per epoch.</summary>
/// <param name="Id">A stable identifier, written as the polyline's <c>data-series</c> attribute.</param>
/// <param name="Name">The legend text.</param>
/// <param name="Color">An SVG colour.</param>
/// <param name="Points">(epoch, value) pairs in epoch order.</param>
/// <param name="Dashed">Draw dashed.</param>
public sealed record ChartSeries(string Id, string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>
/// The training curves as an SVG: a loss panel (training and test loss per epoch) beside an accuracy panel (test
/// accuracy per epoch, with the final accuracy of the returned network), each with axes, ticks, a grid and a legend.
/// </summary>
public static class CurvesChart
{
    private const double PanelWidth = 460, PanelHeight = 340, Gap = 30, Top = 50;

    /// <summary>Series identifiers (the <c>data-series</c> attributes).</summary>
    public const string TrainLossId = "train-loss", TestLossId = "test-loss", TestAccuracyId = "test-accuracy",
        AveragedLossId = "averaged-test-loss", AveragedAccuracyId = "averaged-test-accuracy", FinalAccuracyId = "final-accuracy";

    /// <summary>The SVG text for <paramref name="history"/>.</summary>
    /// <param name="history">The per-epoch reports; the validation columns are labelled as the test set.</param>
    /// <param name="title">The title over both panels.</param>
    /// <param name="finalAccuracy">The accuracy of the network returned (e.g. after weight averaging), drawn as a dashed line; optional.</param>
    /// <param name="averaged">Test loss and accuracy of the running mean of the weights per epoch; drawn when not empty,
    /// with the first epoch marked on both panels.</param>
    public static string ToSvg(TrainingHistory history, string title, double? finalAccuracy = null, IReadOnlyList<(int Epoch, EvaluationResult Result)>? averaged = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        return ToSvg(history.Epochs, title, finalAccuracy, averaged);
    }

    /// <summary>
    /// The SVG text for per-epoch reports collected by the caller (for example with a test evaluation the caller
    /// timed itself), as <see cref="ToSvg(TrainingHistory, string, double?, IReadOnlyList{ValueTuple{int, EvaluationResult}})"/>.
    /// </summary>
    public static string ToSvg(IReadOnlyList<EpochReport> epochs, string title, double? finalAccuracy = null, IReadOnlyList<(int Epoch, EvaluationResult Result)>? averaged = null)
    {
        averaged ??= [];
        int? averagingFrom = averaged.Count > 0 ? averaged[0].Epoch : null;
        ArgumentNullException.ThrowIfNull(epochs);
        ArgumentNullException.ThrowIfNull(title);
        if (epochs.Count == 0) throw new ArgumentException("There are no epochs to draw.", nameof(epochs));

        var loss = new List<ChartSeries>
        {
            new(TrainLossId, "training loss (mean over the epoch)", "#1f77b4", epochs.Select(e => ((double)e.Epoch, e.TrainLoss)).ToArray()),
        };
        if (epochs.All(e => e.ValidationLoss is not null))
            loss.Add(new(TestLossId, "test loss (after the epoch)", "#d62728", epochs.Select(e => ((double)e.Epoch, e.ValidationLoss!.Value)).ToArray()));
        if (averaged.Count > 0)
            loss.Add(new(AveragedLossId, "test loss, mean weights so far", "#ff7f0e", averaged.Select(a => ((double)a.Epoch, a.Result.Loss)).ToArray()));

        var accuracy = new List<ChartSeries>();
        if (epochs.All(e => e.ValidationAccuracy is not null))
            accuracy.Add(new(TestAccuracyId, "test accuracy (after the epoch)", "#2ca02c", epochs.Select(e => ((double)e.Epoch, 100 * e.ValidationAccuracy!.Value)).ToArray()));
        if (averaged.Count > 0)
            accuracy.Add(new(AveragedAccuracyId, "test accuracy, mean weights so far", "#ff7f0e", averaged.Select(a => ((double)a.Epoch, 100 * a.Result.Classification!.Accuracy)).ToArray()));
        if (finalAccuracy is double final)
        {
            string label = $"final network: {(100 * final).ToString("0.00", CultureInfo.InvariantCulture)} %";
            accuracy.Add(new(FinalAccuracyId, label, "#9467bd", new[] { (1.0, 100 * final), ((double)epochs[^1].Epoch, 100 * final) }, Dashed: true));
        }

        double width = 2 * PanelWidth + Gap + 20, height = Top + PanelHeight + 10;
        var svg = new SvgWriter(width, height);
        svg.Element("rect", ("width", "100%"), ("height", "100%"), ("fill", "white"));
        svg.TextElement("text", title, ("x", width / 2), ("y", 28.0), ("text-anchor", "middle"), ("font-size", 18), ("font-weight", "bold"));

        double lastEpoch = epochs[^1].Epoch;
        double maxLoss = loss.SelectMany(s => s.Points).Max(p => p.Y);
        var marker = averagingFrom is int from ? new ChartMarker(from, "weights averaged from here") : null;
        LineChart.DrawPanel(svg, 10, Top, PanelWidth, PanelHeight,
            new ChartPanel("Loss (cross-entropy)", "loss", loss, (0, Math.Max(maxLoss, 1e-6)), "0.##") { XMax = lastEpoch, Marker = marker });

        if (accuracy.Count > 0)
        {
            double minAccuracy = accuracy.SelectMany(s => s.Points).Min(p => p.Y);
            double low = Math.Max(0, Math.Floor(Math.Min(minAccuracy, 99) / 5) * 5);
            LineChart.DrawPanel(svg, 10 + PanelWidth + Gap, Top, PanelWidth, PanelHeight,
                new ChartPanel("Test accuracy", "accuracy (%)", accuracy, (low, 100), "0.#") { XMax = lastEpoch, Marker = marker });
        }
        return svg.ToString();
    }

    /// <summary>Round tick values (1, 2 or 5 times a power of ten apart) covering [min, max], about <paramref name="count"/> of them.</summary>
    public static double[] NiceTicks(double min, double max, int count, bool integers)
    {
        if (!(max > min)) max = min + 1;
        double raw = (max - min) / Math.Max(count - 1, 1);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(f => f * magnitude).First(s => s >= raw * 0.999);
        if (integers) step = Math.Max(1, Math.Round(step));
        double first = Math.Ceiling(min / step - 1e-9) * step;
        var ticks = new List<double>();
        int decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(step)), 0, 15);
        for (int i = 0; first + i * step <= max + step * 1e-9; i++)
        {
            double t = Math.Round(first + i * step, decimals); // 0.6, not 0.6000000000000001
            ticks.Add(t == 0 ? 0 : t);
        }
        if (ticks.Count == 0) ticks.Add(min);
        return ticks.ToArray();
    }
}
