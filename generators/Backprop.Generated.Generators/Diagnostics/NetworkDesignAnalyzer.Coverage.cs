using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;
using Microsoft.CodeAnalysis;

namespace Backprop.Generated.Generators.Diagnostics;

public sealed partial class NetworkDesignAnalyzer
{
    private sealed partial class Rules
    {
        /// <summary>Most input positions the fix search of BPG0007 may visit per layer (it is O(1) per candidate for touching windows).</summary>
        private const long SearchBudget = 4_000_000;

        /// <summary>
        /// BPG0007: a pooling window or a convolution's stride (or dilation) that leaves input rows or columns out of
        /// every output. On the pooling size, or the convolution's Stride (Dilation, kernel) argument.
        /// </summary>
        public void CheckUnreadInput()
        {
            foreach (LayerModel layer in _layers)
            {
                if (layer.Window is null || layer.Kind == LayerKind.GlobalAveragePool)
                {
                    continue;
                }
                _cancellationToken.ThrowIfCancellationRequested();
                WindowModel w = layer.Window;
                bool twoD = layer.Kind is LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D;
                AxisCoverage columns = AxisCoverage.Of(layer.In.Width, w.Kernel, w.Stride, w.Padding, w.Dilation, layer.Out.Width);
                AxisCoverage rows = twoD ? AxisCoverage.Of(layer.In.Height, w.Kernel, w.Stride, w.Padding, w.Dilation, layer.Out.Height) : default;
                if (columns.Unread == 0 && rows.Unread == 0)
                {
                    continue;
                }

                string what = Unread(twoD, rows, columns);
                string reason;
                string fix;
                var properties = ImmutableDictionary<string, string?>.Empty;
                Location location;
                if (layer.IsPooling)
                {
                    reason = PoolingReason(layer, twoD, rows, columns);
                    fix = PoolingFix(layer, twoD);
                    location = _declaration.ArgumentLocation(layer.Position, 0, null, _cancellationToken);
                }
                else
                {
                    reason = ConvolutionReason(layer, twoD, rows, columns);
                    (fix, int? padding) = ConvolutionFix(layer, twoD, rows, columns);
                    if (padding is int p)
                    {
                        properties = properties.Add(DiagnosticDescriptors.FittingPaddingProperty, p.ToString(CultureInfo.InvariantCulture));
                    }
                    location = w.Stride > 1 ? _declaration.ArgumentLocation(layer.Position, -1, "Stride", _cancellationToken)
                        : w.Dilation > 1 ? _declaration.ArgumentLocation(layer.Position, -1, "Dilation", _cancellationToken)
                        : _declaration.ArgumentLocation(layer.Position, 1, null, _cancellationToken);
                }
                _report(Diagnostic.Create(DiagnosticDescriptors.UnreadInput, location, properties,
                    layer.Position, DescribeWindow(layer), layer.In, what, reason, fix));
            }
        }

        private static string DescribeWindow(LayerModel layer)
        {
            WindowModel w = layer.Window!;
            if (layer.IsPooling)
            {
                return $"{layer.Kind}, window {w.Kernel}";
            }
            string kernel = layer.Kind == LayerKind.Conv2D ? $"{w.Kernel}×{w.Kernel}" : w.Kernel.ToString(CultureInfo.InvariantCulture);
            return $"{layer.Kind}, {(layer.Out.Channels == 1 ? "1 filter" : layer.Out.Channels + " filters")} of {kernel}"
                + (w.Stride > 1 ? $", stride {w.Stride}" : "")
                + (w.Padding > 0 ? $", padding {w.Padding}" : "")
                + (w.Dilation > 1 ? $", dilation {w.Dilation}" : "");
        }

        /// <summary>"the last row and column", "the last 2 columns", "14 of the 28 positions".</summary>
        private static string Unread(bool twoD, AxisCoverage rows, AxisCoverage columns)
        {
            if (!twoD)
            {
                return Part(columns, "position", "positions");
            }
            if (rows.Unread == columns.Unread && rows.Length == columns.Length && rows.AtEnd == columns.AtEnd)
            {
                return Part(columns, "row and column", "rows and columns");
            }
            var parts = new List<string>();
            if (rows.Unread > 0) parts.Add(Part(rows, "row", "rows"));
            if (columns.Unread > 0) parts.Add(Part(columns, "column", "columns"));
            return string.Join(" and ", parts);
        }

        private static string Part(AxisCoverage axis, string singular, string plural) =>
            axis.AtEnd
                ? axis.Unread == 1 ? $"the last {singular}" : $"the last {axis.Unread} {plural}"
                : $"{axis.Unread} of the {axis.Length} {plural}";

        /// <summary>The axes that lose positions, each with its length: "28 rows and columns", "7 rows", "30 positions".</summary>
        private static List<(AxisCoverage Axis, string Noun)> LosingAxes(bool twoD, AxisCoverage rows, AxisCoverage columns)
        {
            var axes = new List<(AxisCoverage, string)>();
            if (!twoD)
            {
                axes.Add((columns, "positions"));
            }
            else if (rows.Unread == columns.Unread && rows.Length == columns.Length)
            {
                axes.Add((columns, "rows and columns"));
            }
            else
            {
                if (rows.Unread > 0) axes.Add((rows, "rows"));
                if (columns.Unread > 0) axes.Add((columns, "columns"));
            }
            return axes;
        }

        private static string PoolingReason(LayerModel layer, bool twoD, AxisCoverage rows, AxisCoverage columns)
        {
            int size = layer.Window!.Kernel;
            IEnumerable<string> axes = LosingAxes(twoD, rows, columns)
                .Select(a => $"{a.Axis.Length} {a.Noun} {(a.Axis.Length == 1 ? "is" : "are")} not a multiple of the window {size}");
            return $"{string.Join(" and ", axes)}, so the output is {layer.Out}";
        }

        private string PoolingFix(LayerModel layer, bool twoD)
        {
            int size = layer.Window!.Kernel;
            int height = twoD ? layer.In.Height : layer.In.Width;
            int width = layer.In.Width;
            var divisors = new List<int>();
            // Windows smaller than the plane (one as large as the plane is a [GlobalAveragePool]'s job).
            int smallest = System.Math.Min(height, width);
            for (int d = 2; d < System.Math.Min(smallest, Limits.MaxWindow + 1) && divisors.Count < 7; d++)
            {
                if (height % d == 0 && width % d == 0) divisors.Add(d);
            }
            string dims = height == width ? height.ToString(CultureInfo.InvariantCulture) : $"{height} and {width}";
            string windows = divisors.Count > 0
                ? $"use a window that divides {dims} ({List(divisors.Take(6).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToList(), divisors.Count > 6)}), or "
                : smallest > 3 ? $"no window from 2 to {smallest - 1} divides {dims}; "
                : "";
            bool convolutionBefore = false;
            for (int j = layer.Position - 1; j >= 0 && !convolutionBefore; j--) convolutionBefore = _layers[j].IsConvolution;
            return windows + $"make what reaches it a multiple of {size}" + (convolutionBefore ? " (e.g. with the Padding of the convolution before it)" : "");
        }

        private static string List(IReadOnlyList<string> items, bool more) =>
            more ? string.Join(", ", items) + ", ..."
            : items.Count == 1 ? items[0]
            : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[items.Count - 1];

        private static string ConvolutionReason(LayerModel layer, bool twoD, AxisCoverage rows, AxisCoverage columns)
        {
            WindowModel w = layer.Window!;
            var reasons = new List<string>();
            foreach ((AxisCoverage axis, string noun) in LosingAxes(twoD, rows, columns))
            {
                int outputs = noun == "rows" ? layer.Out.Height : layer.Out.Width;
                reasons.Add(axis.AtEnd
                    ? $"with padding {w.Padding} its {outputs} windows at stride {w.Stride} cover only the first {axis.Read} of the {axis.Length} {noun}"
                    : $"each window reads {w.Kernel} {(w.Kernel == 1 ? "tap" : "taps")}{(w.Dilation > 1 ? $" {w.Dilation} apart" : "")} at stride {w.Stride}, so {axis.Unread} of the {axis.Length} {noun} fall between windows");
            }
            return string.Join(" and ", reasons) + $" (output {layer.Out})";
        }

        /// <summary>The padding and stride that leave nothing out, each with the output it gives; the padding also for the code fix.</summary>
        private (string Fix, int? Padding) ConvolutionFix(LayerModel layer, bool twoD, AxisCoverage rows, AxisCoverage columns)
        {
            WindowModel w = layer.Window!;
            long budget = SearchBudget;
            var options = new List<string>();
            int? fittingPadding = null;
            // Padding only moves where the windows stop: it cannot fill gaps between windows.
            if (columns.AtEnd && (!twoD || rows.AtEnd))
            {
                long span = (long)w.Dilation * (w.Kernel - 1) + 1;
                long last = System.Math.Min(Limits.MaxWindow, w.Padding + w.Stride + span);
                for (int p = w.Padding + 1; p <= last && budget > 0; p++)
                {
                    if (ReadsAll(layer, twoD, w.Kernel, w.Stride, p, w.Dilation, ref budget, out string shape))
                    {
                        fittingPadding = p;
                        options.Add($"Padding = {p} (output {shape})");
                        break;
                    }
                }
            }
            for (int s = w.Stride - 1; s >= 1 && budget > 0; s--)
            {
                if (ReadsAll(layer, twoD, w.Kernel, s, w.Padding, w.Dilation, ref budget, out string shape))
                {
                    options.Add($"Stride = {s} (output {shape})");
                    break;
                }
            }
            string fix = options.Count > 0
                ? "use " + string.Join(" or ", options)
                : w.Dilation > 1 ? (w.Stride > 1 ? "use a smaller Stride or Dilation" : "use a smaller Dilation") : "use a smaller Stride";
            return (fix, fittingPadding);
        }

        private static bool ReadsAll(LayerModel layer, bool twoD, int kernel, int stride, int padding, int dilation, ref long budget, out string shape)
        {
            int width = ConvShape.OutputLength(layer.In.Width, kernel, stride, padding, dilation);
            int height = twoD ? ConvShape.OutputLength(layer.In.Height, kernel, stride, padding, dilation) : 1;
            shape = twoD ? $"{layer.Out.Channels}×{height}×{width}" : $"{layer.Out.Channels}×{width}";
            if (width <= 0 || height <= 0) return false;
            bool touching = dilation == 1 && stride <= kernel;
            budget -= touching ? 1 : layer.In.Width + (twoD ? layer.In.Height : 0);
            return AxisCoverage.Of(layer.In.Width, kernel, stride, padding, dilation, width).Unread == 0 &&
                (!twoD || AxisCoverage.Of(layer.In.Height, kernel, stride, padding, dilation, height).Unread == 0);
        }
    }
}
