using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Backprop.Generated.Samples.Charts;

/// <summary>A vertical dashed line at <paramref name="X"/> with a label (e.g. where weight averaging starts).</summary>
public sealed record ChartMarker(double X, string Label);

/// <summary>
/// One panel of a line chart: a title, a y-axis label, the lines, the y range (null: from the data) and how the y
/// ticks are written; the x axis runs from <see cref="XMin"/> to the last x of the data (or <see cref="XMax"/>).
/// </summary>
/// <param name="Title">Over the panel.</param>
/// <param name="YLabel">Beside the y axis.</param>
/// <param name="Series">The lines, drawn in order (dashed ones first).</param>
/// <param name="YRange">The y range; null takes it from the data (from 0 on a linear axis).</param>
/// <param name="YFormat">The format of linear y tick labels.</param>
public sealed record ChartPanel(string Title, string YLabel, IReadOnlyList<ChartSeries> Series, (double Min, double Max)? YRange = null, string YFormat = "0.##")
{
    /// <summary>A log-10 y axis (ticks at powers of ten; values ≤ 0 are drawn at the bottom).</summary>
    public bool LogY { get; init; }

    /// <summary>The x-axis label.</summary>
    public string XLabel { get; init; } = "epoch";

    /// <summary>The first x value (1 for epochs).</summary>
    public double XMin { get; init; } = 1;

    /// <summary>The last x value; null takes the largest x of the data (at least <see cref="XMin"/> + 1).</summary>
    public double? XMax { get; init; }

    /// <summary>An optional vertical marker.</summary>
    public ChartMarker? Marker { get; init; }
}

/// <summary>
/// Line charts in SVG through <see cref="SvgWriter"/>: panels side by side (or in rows), each with axes, ticks, a grid
/// and a legend, on a linear or a log-10 y axis. <see cref="CurvesChart"/> draws its panels with it too.
/// </summary>
public static class LineChart
{
    private const double PlotLeft = 62, PlotRight = 16, PlotTop = 34, PlotBottom = 46;

    /// <summary>The SVG text of <paramref name="panels"/> under <paramref name="title"/>, <paramref name="columns"/> panels per row.</summary>
    public static string ToSvg(string title, IReadOnlyList<ChartPanel> panels, int columns = 2, double panelWidth = 460, double panelHeight = 340)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("A chart needs at least one panel.", nameof(panels));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be at least 1.");
        const double gap = 30, top = 50;
        int cols = Math.Min(columns, panels.Count), rows = (panels.Count + cols - 1) / cols;
        double width = cols * panelWidth + (cols - 1) * gap + 20, height = top + rows * (panelHeight + 10);
        var svg = new SvgWriter(width, height);
        svg.Element("rect", ("width", "100%"), ("height", "100%"), ("fill", "white"));
        svg.TextElement("text", title, ("x", width / 2), ("y", 28.0), ("text-anchor", "middle"), ("font-size", 18), ("font-weight", "bold"));
        for (int i = 0; i < panels.Count; i++)
        {
            DrawPanel(svg, 10 + (i % cols) * (panelWidth + gap), top + (i / cols) * (panelHeight + 10), panelWidth, panelHeight, panels[i]);
        }
        return svg.ToString();
    }

    /// <summary>Draws one panel with its top-left corner at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public static void DrawPanel(SvgWriter svg, double left, double top, double panelWidth, double panelHeight, ChartPanel panel)
    {
        ArgumentNullException.ThrowIfNull(svg);
        ArgumentNullException.ThrowIfNull(panel);
        IReadOnlyList<ChartSeries> series = panel.Series;
        if (series.Count == 0 || series.All(s => s.Points.Count == 0)) throw new ArgumentException($"The panel '{panel.Title}' has no points.", nameof(panel));
        CultureInfo c = CultureInfo.InvariantCulture;
        double x0 = left + PlotLeft, x1 = left + panelWidth - PlotRight;
        double y0 = top + panelHeight - PlotBottom, y1 = top + PlotTop;
        double xMin = panel.XMin;
        double xMax = Math.Max(panel.XMax ?? series.SelectMany(s => s.Points).Max(p => p.X), xMin + 1);
        double[] xTicks = CurvesChart.NiceTicks(xMin, xMax, 8, integers: true);

        double[] yTicks;
        string[] yLabels;
        Func<double, double> Y;
        if (panel.LogY)
        {
            double[] positive = series.SelectMany(s => s.Points).Select(p => p.Y).Where(v => v > 0 && double.IsFinite(v)).ToArray();
            (double lo, double hi) = panel.YRange ?? (positive.Length > 0 ? (positive.Min(), positive.Max()) : (0.1, 1));
            int e0 = (int)Math.Floor(Math.Log10(lo) + 1e-9), e1 = (int)Math.Ceiling(Math.Log10(hi) - 1e-9);
            if (e1 <= e0) e1 = e0 + 1;
            int step = Math.Max(1, (e1 - e0 + 7) / 8);
            yTicks = Enumerable.Range(0, (e1 - e0) / step + 1).Select(i => Math.Pow(10, e0 + i * step)).ToArray();
            e1 = e0 + (yTicks.Length - 1) * step;
            if (e1 < Math.Log10(hi) - 1e-9) { yTicks = [.. yTicks, Math.Pow(10, e1 + step)]; e1 += step; }
            yLabels = yTicks.Select(t => LogLabel(Math.Log10(t))).ToArray();
            double l0 = e0, l1 = e1;
            Y = v => y0 - (Math.Clamp(v > 0 && double.IsFinite(v) ? Math.Log10(v) : l0, l0, l1) - l0) / (l1 - l0) * (y0 - y1);
        }
        else
        {
            (double Min, double Max) range = panel.YRange ?? (0, Math.Max(series.SelectMany(s => s.Points).Max(p => p.Y), 1e-6));
            yTicks = CurvesChart.NiceTicks(range.Min, range.Max, 6, integers: false);
            if (yTicks.Length >= 2 && yTicks[^1] < range.Max) yTicks = [.. yTicks, yTicks[^1] + (yTicks[1] - yTicks[0])];
            double yMin = range.Min, yMax = Math.Max(yTicks[^1], range.Max);
            yLabels = yTicks.Select(t => (t == 0 ? 0 : t).ToString(panel.YFormat, c)).ToArray();
            Y = v => y0 - (Math.Clamp(v, yMin, yMax) - yMin) / (yMax - yMin) * (y0 - y1);
        }
        double X(double v) => x0 + (v - xMin) / (xMax - xMin) * (x1 - x0);

        svg.BeginGroup(("class", "panel"), ("data-panel", panel.YLabel));
        svg.TextElement("text", panel.Title, ("x", (x0 + x1) / 2), ("y", top + 16), ("text-anchor", "middle"), ("font-size", 14), ("font-weight", "bold"));

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
        for (int i = 0; i < yTicks.Length; i++) svg.TextElement("text", yLabels[i], ("x", x0 - 8), ("y", Y(yTicks[i]) + 4), ("text-anchor", "end"));
        foreach (double t in xTicks) svg.TextElement("text", t.ToString("0", c), ("x", X(t)), ("y", y0 + 18), ("text-anchor", "middle"));
        svg.EndGroup();
        svg.TextElement("text", panel.XLabel, ("x", (x0 + x1) / 2), ("y", y0 + 36), ("text-anchor", "middle"), ("font-size", 12));
        svg.TextElement("text", panel.YLabel, ("x", left + 16), ("y", (y0 + y1) / 2), ("text-anchor", "middle"), ("font-size", 12),
            ("transform", $"rotate(-90 {SvgWriter.Number(left + 16)} {SvgWriter.Number((y0 + y1) / 2)})"));

        if (panel.Marker is { } marker && marker.X >= xMin && marker.X <= xMax)
        {
            svg.Element("line", ("class", "marker"), ("x1", X(marker.X)), ("y1", y0), ("x2", X(marker.X)), ("y2", y1), ("stroke", "#999"), ("stroke-dasharray", "2 3"));
            svg.TextElement("text", marker.Label, ("x", X(marker.X) + 4), ("y", y0 - 6), ("font-size", 10), ("fill", "#777"));
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

    /// <summary>A power of ten as a tick label: 1, 10, 100, 0.1, 0.01, else 1e-5, 1e6.</summary>
    public static string LogLabel(double exponent)
    {
        int e = (int)Math.Round(exponent);
        return e is >= -2 and <= 3 ? Math.Pow(10, e).ToString("0.##", CultureInfo.InvariantCulture) : "1e" + e.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A distinct colour for line <paramref name="index"/> of <paramref name="count"/> (a sequential blue-to-red ramp for many lines).</summary>
    public static string Color(int index, int count)
    {
        string[] palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
        if (count <= palette.Length) return palette[index % palette.Length];
        double t = count == 1 ? 0 : (double)index / (count - 1);
        int r = (int)Math.Round(30 + t * (214 - 30)), g = (int)Math.Round(119 - t * (119 - 39)), b = (int)Math.Round(180 - t * (180 - 40));
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
