using System.Globalization;
using AutoCkpt.Formats;

namespace AutoCkpt.Bench;

/// <summary>
/// The bench's picture: per strategy, measured (solid) and predicted (dashed) memory over one step against the cap;
/// the plan's sweep over caps (predicted overhead of the optimal plan and of the best baseline), when there is one;
/// and a bar chart of measured and predicted step-time overhead against no checkpointing.
/// </summary>
public static class BenchSvg
{
    private const double PanelW = 300, PanelH = 170, Left = 64, Gap = 64, RowH = PanelH + 66;
    private const double MiB = 1024 * 1024;
    private static readonly string[] Colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"];

    /// <summary>The picture as SVG text.</summary>
    public static string Write(BenchReport report)
    {
        int n = report.Rows.Count, perRow = Math.Min(n, 3), panelRows = (n + perRow - 1) / perRow;
        double width = Math.Max(2 * Left + perRow * PanelW + (perRow - 1) * Gap, 720);
        double sweepTop = 58 + panelRows * RowH, barTop = sweepTop + (report.Sweep.Count > 0 ? RowH : 0) + 24;
        var svg = new SvgCanvas(width, barTop + 210);
        svg.Text(16, 24, string.Create(CultureInfo.InvariantCulture,
            $"{report.Target} on {report.Device.Type}, batch {report.BatchSize}, cap {MemoryCap.Format(report.CapBytes)}: memory over one step"), 15, bold: true);
        svg.Text(16, 42, report.Device.Type == "cpu"
            ? "solid: measured; dashed: predicted by the cost model; dotted red: the cap"
            : "solid: measured, sampled from the host, which queues GPU work ahead of the GPU (the peak figures are exact); dashed: predicted; dotted red: the cap",
            11, fill: "#555555");

        long top = new[] { report.CapBytes }.Concat(report.Traces.SelectMany(t => t.Measured.Concat(t.Predicted)).Select(s => s.Bytes))
            .Concat(report.Rows.SelectMany(r => new[] { r.MeasuredPeakBytes, r.PredictedPeakBytes })).Max();
        double yMaxMiB = Axis.NiceCeiling(top / MiB * 1.05);
        for (int i = 0; i < n; i++)
        {
            var row = report.Rows[i];
            double x0 = Left + (i % perRow) * (PanelW + Gap), y0 = 58 + (i / perRow) * RowH + 30;
            MemoryPanel(svg, x0, y0, row, report.Traces.FirstOrDefault(t => t.Strategy == row.Strategy), report.CapBytes, yMaxMiB, Colors[i % Colors.Length]);
        }
        if (report.Sweep.Count > 0)
            SweepPanel(svg, Left, sweepTop + 30, width - 2 * Left, PanelH, report);
        OverheadBars(svg, Left, barTop + 20, width - 2 * Left, 150, report);
        return svg.ToString();
    }

    private static void MemoryPanel(SvgCanvas svg, double x0, double y0, BenchRow row, MemoryTrace? trace, long cap, double yMaxMiB, string color)
    {
        svg.Text(x0, y0 - 20, row.Strategy, 12, bold: true);
        svg.Text(x0, y0 - 6, string.Create(CultureInfo.InvariantCulture,
            $"peak {MemoryCap.Format(row.MeasuredPeakBytes)} measured, {MemoryCap.Format(row.PredictedPeakBytes)} predicted"), 10, fill: "#444444");
        svg.Rect(x0, y0, PanelW, PanelH, "#fafafa", "#cccccc");
        double Y(double bytes) => y0 + PanelH - PanelH * Math.Clamp(bytes / MiB / yMaxMiB, 0, 1);
        foreach (double tick in Axis.Ticks(yMaxMiB))
        {
            svg.Line(x0, Y(tick * MiB), x0 + PanelW, Y(tick * MiB), "#e4e4e4");
            svg.Text(x0 - 4, Y(tick * MiB) + 3, tick.ToString("0.##", CultureInfo.InvariantCulture) + " MiB", 9, "end", "#666666");
        }
        svg.Text(x0 + PanelW / 2, y0 + PanelH + 13, "time through the step (forward, then backward)", 9, "middle", "#666666");
        svg.Line(x0, Y(cap), x0 + PanelW, Y(cap), "#c00000", 1.2, "2,3");
        if (trace is null) return;
        svg.Polyline(Normalised(trace.Predicted).Select(p => (x0 + p.X * PanelW, Y(p.Bytes))), "#333333", 1.1, "5,3");
        svg.Polyline(Normalised(trace.Measured).Select(p => (x0 + p.X * PanelW, Y(p.Bytes))), color, 1.8);
    }

    private static void SweepPanel(SvgCanvas svg, double x0, double y0, double w, double h, BenchReport report)
    {
        svg.Text(x0, y0 - 20, "Predicted overhead over a sweep of caps: the optimal plan against the best baseline that fits", 12, bold: true);
        svg.Text(x0, y0 - 6, "baselines: no checkpointing, every stage, uniform_k for every k, sqrt_n; the dotted line marks this run's cap", 10, fill: "#444444");
        svg.Rect(x0, y0, w, h, "#fafafa", "#cccccc");
        var pts = report.Sweep.OrderBy(p => p.CapBytes).ToList();
        double lo = pts[0].CapBytes, hi = Math.Max(lo + 1, pts[^1].CapBytes);
        double yMax = Axis.NiceCeiling(Math.Max(0.01, pts.Max(p => Math.Max(p.PlanOverhead, p.BaselineOverhead ?? 0)) * 100 * 1.1));
        double X(double cap) => x0 + w * (cap - lo) / (hi - lo);
        double Y(double fraction) => y0 + h - h * Math.Clamp(fraction * 100 / yMax, 0, 1);
        foreach (double tick in Axis.Ticks(yMax))
        {
            svg.Line(x0, Y(tick / 100), x0 + w, Y(tick / 100), "#e4e4e4");
            svg.Text(x0 - 4, Y(tick / 100) + 3, tick.ToString("0.#", CultureInfo.InvariantCulture) + "%", 9, "end", "#666666");
        }
        foreach (var p in new[] { pts[0], pts[pts.Count / 2], pts[^1] })
            svg.Text(X(p.CapBytes), y0 + h + 13, MemoryCap.Format(p.CapBytes), 9, "middle", "#666666");
        svg.Line(X(report.CapBytes), y0, X(report.CapBytes), y0 + h, "#c00000", 1.2, "2,3");
        svg.Polyline(StepLine(pts.Where(p => p.BaselineOverhead is not null).Select(p => (X(p.CapBytes), Y(p.BaselineOverhead!.Value)))), "#888888", 1.8);
        svg.Polyline(StepLine(pts.Select(p => (X(p.CapBytes), Y(p.PlanOverhead)))), "#c44e52", 2.2);
        svg.Text(x0 + w - 6, y0 + 14, "grey: best baseline   red: AutoCkpt plan", 10, "end", "#444444");
    }

    private static void OverheadBars(SvgCanvas svg, double x0, double y0, double w, double h, BenchReport report)
    {
        svg.Text(x0, y0 - 12, "Step-time overhead against no checkpointing (solid: measured median; pale: predicted)", 12, bold: true);
        double hi = Axis.NiceCeiling(Math.Max(5, report.Rows.Max(r => Math.Max(r.Overhead, r.PredictedOverhead)) * 100 * 1.15));
        double lo = Math.Min(0, report.Rows.Min(r => Math.Min(r.Overhead, r.PredictedOverhead)) * 100);
        double Y(double fraction) => y0 + h * (hi - fraction * 100) / (hi - lo);
        foreach (double tick in Axis.Ticks(hi))
        {
            svg.Line(x0, Y(tick / 100), x0 + w, Y(tick / 100), "#e4e4e4");
            svg.Text(x0 - 4, Y(tick / 100) + 3, tick.ToString("0", CultureInfo.InvariantCulture) + "%", 9, "end", "#666666");
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

    private static IEnumerable<(double X, double Y)> StepLine(IEnumerable<(double X, double Y)> points)
    {
        (double X, double Y)? last = null;
        foreach (var p in points)
        {
            if (last is { } l) yield return (p.X, l.Y);
            yield return p;
            last = p;
        }
    }

    private static IEnumerable<(double X, long Bytes)> Normalised(IReadOnlyList<MemorySample> samples)
    {
        if (samples.Count == 0) yield break;
        double start = samples[0].Seconds, span = Math.Max(1e-12, samples[^1].Seconds - start);
        foreach (var s in samples) yield return ((s.Seconds - start) / span, s.Bytes);
    }
}
