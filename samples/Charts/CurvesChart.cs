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
    private const double PlotLeft = 62, PlotRight = 16, PlotTop = 34, PlotBottom = 46;

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
        Panel(svg, 10, Top, "Loss (cross-entropy)", "loss", (0, Math.Max(maxLoss, 1e-6)), lastEpoch, loss, averagingFrom, "0.##");

        if (accuracy.Count > 0)
        {
            double minAccuracy = accuracy.SelectMany(s => s.Points).Min(p => p.Y);
            double low = Math.Max(0, Math.Floor(Math.Min(minAccuracy, 99) / 5) * 5);
            Panel(svg, 10 + PanelWidth + Gap, Top, "Test accuracy", "accuracy (%)", (low, 100), lastEpoch, accuracy, averagingFrom, "0.#");
        }
        return svg.ToString();
    }

    private static void Panel(SvgWriter svg, double left, double top, string title, string yLabel, (double Min, double Max) yRange, double lastEpoch,
        IReadOnlyList<ChartSeries> series, int? averagingFrom, string yFormat)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        double x0 = left + PlotLeft, x1 = left + PanelWidth - PlotRight;
        double y0 = top + PanelHeight - PlotBottom, y1 = top + PlotTop;
        double[] xTicks = NiceTicks(1, Math.Max(lastEpoch, 2), 8, integers: true);
        double[] yTicks = NiceTicks(yRange.Min, yRange.Max, 6, integers: false);
        if (yTicks.Length >= 2 && yTicks[^1] < yRange.Max) yTicks = [.. yTicks, yTicks[^1] + (yTicks[1] - yTicks[0])];
        double xMin = 1, xMax = Math.Max(lastEpoch, 2);
        double yMin = yRange.Min, yMax = Math.Max(yTicks[^1], yRange.Max);
        double X(double v) => x0 + (v - xMin) / (xMax - xMin) * (x1 - x0);
        double Y(double v) => y0 - (Math.Clamp(v, yMin, yMax) - yMin) / (yMax - yMin) * (y0 - y1);

        svg.BeginGroup(("class", "panel"), ("data-panel", yLabel));
        svg.TextElement("text", title, ("x", (x0 + x1) / 2), ("y", top + 16), ("text-anchor", "middle"), ("font-size", 14), ("font-weight", "bold"));

        // Grid and ticks.
        svg.BeginGroup(("class", "grid"), ("stroke", "#e5e5e5"), ("stroke-width", 1));
        foreach (double t in yTicks) svg.Element("line", ("x1", x0), ("y1", Y(t)), ("x2", x1), ("y2", Y(t)));
        foreach (double t in xTicks) svg.Element("line", ("x1", X(t)), ("y1", y0), ("x2", X(t)), ("y2", y1));
        svg.EndGroup();
        svg.BeginGroup(("class", "axes"), ("stroke", "#333"), ("stroke-width", 1));
        svg.Element("line", ("x1", x0), ("y1", y0), ("x2", x1), ("y2", y0));
        svg.Element("line", ("x1", x0), ("y1", y0), ("x2", x0), ("y2", y1));
        foreach (double t in yTicks) svg.Element("line", ("x1", x0 - 5), ("y1", Y(t)), ("x2", x0), ("y2", Y(t)));
        foreach (double t in xTicks) svg.Element("line", ("x1", X(t)), ("y1", y0), ("x2", X(t)), ("y2", y0 + 5));
        svg.EndGroup();
        svg.BeginGroup(("class", "tick-labels"), ("font-size", 11), ("fill", "#333"));
        foreach (double t in yTicks) svg.TextElement("text", (t == 0 ? 0 : t).ToString(yFormat, c), ("x", x0 - 8), ("y", Y(t) + 4), ("text-anchor", "end"));
        foreach (double t in xTicks) svg.TextElement("text", t.ToString("0", c), ("x", X(t)), ("y", y0 + 18), ("text-anchor", "middle"));
        svg.EndGroup();
        svg.TextElement("text", "epoch", ("x", (x0 + x1) / 2), ("y", y0 + 36), ("text-anchor", "middle"), ("font-size", 12));
        svg.TextElement("text", yLabel, ("x", left + 16), ("y", (y0 + y1) / 2), ("text-anchor", "middle"), ("font-size", 12),
            ("transform", $"rotate(-90 {SvgWriter.Number(left + 16)} {SvgWriter.Number((y0 + y1) / 2)})"));

        if (averagingFrom is int from && from >= xMin && from <= xMax)
        {
            svg.Element("line", ("class", "marker"), ("x1", X(from)), ("y1", y0), ("x2", X(from)), ("y2", y1), ("stroke", "#999"), ("stroke-dasharray", "2 3"));
            svg.TextElement("text", "weights averaged from here", ("x", X(from) + 4), ("y", y0 - 6), ("font-size", 10), ("fill", "#777"));
        }

        // Lines: dashed reference lines first, so the data lines stay on top.
        foreach (ChartSeries s in series.OrderBy(s => s.Dashed ? 0 : 1))
        {
            var points = s.Points.Select(p => (X(p.X), Y(p.Y))).ToArray();
            var attributes = new List<(string, object)>
            {
                ("data-series", s.Id), ("fill", "none"), ("stroke", s.Color), ("stroke-width", s.Dashed ? 1.5 : 2), ("stroke-linejoin", "round"),
                ("points", SvgWriter.Points(points)),
            };
            if (s.Dashed) attributes.Add(("stroke-dasharray", "6 4"));
            svg.Element("polyline", attributes.ToArray());
        }

        // Legend in the top or bottom right corner, whichever covers fewer points.
        double legendWidth = series.Max(s => s.Name.Length) * 6.2 + 40, rowHeight = 17, legendHeight = series.Count * rowHeight + 8;
        double lx = x1 - legendWidth - 6;
        int Covered(double top) => series.Sum(s => s.Points.Count(p => X(p.X) >= lx && Y(p.Y) >= top && Y(p.Y) <= top + legendHeight));
        double ly = Covered(y1 + 8) <= Covered(y0 - legendHeight - 22) ? y1 + 8 : y0 - legendHeight - 22;
        svg.BeginGroup(("class", "legend"), ("font-size", 11));
        svg.Element("rect", ("x", lx), ("y", ly), ("width", legendWidth), ("height", legendHeight), ("fill", "white"), ("fill-opacity", 0.85), ("stroke", "#ccc"));
        for (int i = 0; i < series.Count; i++)
        {
            double ry = ly + 4 + rowHeight * i + rowHeight / 2;
            var line = new List<(string, object)> { ("x1", lx + 8), ("y1", ry), ("x2", lx + 30), ("y2", ry), ("stroke", series[i].Color), ("stroke-width", 2) };
            if (series[i].Dashed) line.Add(("stroke-dasharray", "6 4"));
            svg.Element("line", line.ToArray());
            svg.TextElement("text", series[i].Name, ("x", lx + 36), ("y", ry + 4));
        }
        svg.EndGroup();
        svg.EndGroup();
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
