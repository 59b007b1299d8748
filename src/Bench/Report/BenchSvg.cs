using System.Globalization;
using AutoCkpt.Formats;

namespace AutoCkpt.Bench;

/// <summary>
/// The bench's picture: per strategy, measured (solid) and predicted (dashed) memory over one step against the cap;
/// below, a bar chart of measured and predicted step-time overhead against no checkpointing.
/// </summary>
public static class BenchSvg
{
    private const double PanelW = 300, PanelH = 190, Margin = 56, Gap = 24;
    private static readonly string[] Colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"];

    /// <summary>The picture as SVG text.</summary>
    public static string Write(BenchReport report)
    {
        int n = report.Rows.Count, perRow = Math.Min(n, 3), panelRows = (n + perRow - 1) / perRow;
        double width = Margin + perRow * (PanelW + Gap + Margin) - Margin;
        double barTop = 50 + panelRows * (PanelH + Gap + 30);
        var svg = new SvgCanvas(Math.Max(width, 640), barTop + 230);
        svg.Text(16, 24, string.Create(CultureInfo.InvariantCulture,
            $"{report.Target} on {report.Device.Type}, batch {report.BatchSize}: memory over one step (solid measured, dashed predicted) and the cap {MemoryCap.Format(report.CapBytes)}"), 14, bold: true);

        long top = new[] { report.CapBytes }.Concat(report.Traces.SelectMany(t => t.Measured.Concat(t.Predicted)).Select(s => s.Bytes))
            .Concat(report.Rows.SelectMany(r => new[] { r.MeasuredPeakBytes, r.PredictedPeakBytes })).Max();
        double yMax = NiceCeiling(top * 1.05);
        for (int i = 0; i < n; i++)
        {
            var row = report.Rows[i];
            double x0 = Margin + (i % perRow) * (PanelW + Gap + Margin), y0 = 50 + (i / perRow) * (PanelH + Gap + 30);
            MemoryPanel(svg, x0, y0, row, report.Traces.FirstOrDefault(t => t.Strategy == row.Strategy), report.CapBytes, yMax, Colors[i % Colors.Length]);
        }
        OverheadBars(svg, Margin, barTop, Math.Max(width, 640) - 2 * Margin, 170, report);
        return svg.ToString();
    }

    private static void MemoryPanel(SvgCanvas svg, double x0, double y0, BenchRow row, MemoryTrace? trace, long cap, double yMax, string color)
    {
        svg.Text(x0, y0 - 6, string.Create(CultureInfo.InvariantCulture,
            $"{row.Strategy}: {MemoryCap.Format(row.MeasuredPeakBytes)} measured, {MemoryCap.Format(row.PredictedPeakBytes)} predicted"), 11, bold: true);
        svg.Rect(x0, y0, PanelW, PanelH, "#fafafa", "#cccccc");
        for (int g = 0; g <= 4; g++)
        {
            double y = y0 + PanelH - g * PanelH / 4;
            svg.Line(x0, y, x0 + PanelW, y, "#e4e4e4");
            svg.Text(x0 - 4, y + 4, MemoryCap.Format((long)(yMax * g / 4)), 9, "end", "#666666");
        }
        svg.Text(x0 + PanelW / 2, y0 + PanelH + 14, "fraction of the step", 9, "middle", "#666666");
        double Y(long b) => y0 + PanelH - PanelH * Math.Clamp(b / yMax, 0, 1);
        svg.Line(x0, Y(cap), x0 + PanelW, Y(cap), "#c00000", 1.2, "2,3");
        if (trace is null) return;
        svg.Polyline(Normalised(trace.Predicted).Select(p => (x0 + p.X * PanelW, Y(p.Bytes))), "#333333", 1.2, "5,3");
        svg.Polyline(Normalised(trace.Measured).Select(p => (x0 + p.X * PanelW, Y(p.Bytes))), color, 1.8);
    }

    private static void OverheadBars(SvgCanvas svg, double x0, double y0, double w, double h, BenchReport report)
    {
        svg.Text(x0, y0 - 10, "Step-time overhead against no checkpointing (solid measured, pale predicted)", 12, bold: true);
        double hi = NiceCeiling(Math.Max(0.05, report.Rows.Max(r => Math.Max(r.Overhead, r.PredictedOverhead)) * 1.1));
        double lo = Math.Min(0, report.Rows.Min(r => Math.Min(r.Overhead, r.PredictedOverhead)));
        double Y(double v) => y0 + h * (hi - v) / (hi - lo);
        for (int g = 0; g <= 4; g++)
        {
            double v = lo + (hi - lo) * g / 4;
            svg.Line(x0, Y(v), x0 + w, Y(v), "#e4e4e4");
            svg.Text(x0 - 4, Y(v) + 4, (v * 100).ToString("0", CultureInfo.InvariantCulture) + "%", 9, "end", "#666666");
        }
        svg.Line(x0, Y(0), x0 + w, Y(0), "#888888");
        double slot = w / report.Rows.Count, bar = Math.Min(40, slot / 3);
        for (int i = 0; i < report.Rows.Count; i++)
        {
            var r = report.Rows[i];
            double cx = x0 + slot * (i + 0.5);
            string color = Colors[i % Colors.Length];
            Bar(svg, cx - bar, bar, Y(0), Y(r.Overhead), color);
            Bar(svg, cx, bar, Y(0), Y(r.PredictedOverhead), color + "66");
            svg.Text(cx, Math.Min(Y(r.Overhead), Y(0)) - 4, (r.Overhead * 100).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + "%", 10, "middle");
            svg.Text(cx, y0 + h + 16, r.Strategy, 11, "middle");
        }
    }

    private static void Bar(SvgCanvas svg, double x, double w, double yZero, double yValue, string fill) =>
        svg.Rect(x, Math.Min(yZero, yValue), w, Math.Abs(yZero - yValue), fill);

    private static IEnumerable<(double X, long Bytes)> Normalised(IReadOnlyList<MemorySample> samples)
    {
        if (samples.Count == 0) yield break;
        double start = samples[0].Seconds, span = Math.Max(1e-12, samples[^1].Seconds - start);
        foreach (var s in samples) yield return ((s.Seconds - start) / span, s.Bytes);
    }

    private static double NiceCeiling(double v)
    {
        if (v <= 0) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
            if (m * p >= v) return m * p;
        return 10 * p;
    }
}
