using System.Globalization;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Options;
using AutoCkpt.Planner.Drawing;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace AutoCkpt.Bench.Report;

/// <summary>
/// The bench's picture: per strategy, measured (solid) and predicted (dashed) memory over one step against the cap;
/// the plan's sweep over caps (predicted overhead of the optimal plan and of the best baseline), when there is one;
/// and a bar chart of measured and predicted step-time overhead against no checkpointing. Drawn with
/// <see cref="Figure"/>, in the byte unit that suits the run (B to GiB).
/// </summary>
public static class BenchSvg
{
    private const double PanelW = 360, PanelH = 240, Left = 16, Gap = 16, RowH = PanelH + 40;
    private static readonly string[] Colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"];

    /// <summary>The picture as SVG text.</summary>
    public static string Write(BenchReport report)
    {
        int n = report.Rows.Count, perRow = Math.Max(1, Math.Min(n, 3)), panelRows = (n + perRow - 1) / perRow;
        double width = Math.Max(2 * Left + perRow * PanelW + (perRow - 1) * Gap, 760);
        double sweepTop = 58 + panelRows * RowH, barTop = sweepTop + (report.Sweep.Count > 0 ? RowH + 20 : 0);
        var figure = new Figure(width, barTop + 300);
        figure.Text(Left, 24, string.Create(CultureInfo.InvariantCulture,
            $"{report.Target} on {report.Device.Type}, batch {report.BatchSize}, cap {MemoryCap.Format(report.CapBytes)}: memory over one step"), 15, bold: true);
        figure.Text(Left, 42, report.Device.Type == "cpu"
            ? "solid: measured; dashed: predicted by the cost model; dotted red: the cap"
            : "solid: measured, sampled from the host, which queues GPU work ahead of the GPU (the peak figures are exact); dashed: predicted; dotted red: the cap",
            11, color: "#555555");

        double top = new[] { report.CapBytes }.Concat(report.Traces.SelectMany(t => t.Measured.Concat(t.Predicted)).Select(s => s.Bytes))
            .Concat(report.Rows.SelectMany(r => new[] { r.MeasuredPeakBytes, r.PredictedPeakBytes })).Max() * 1.05;
        var unit = Unit.ForBytes(top);
        double yMax = NiceScale.NiceCeiling(unit.Of(top));
        for (int i = 0; i < n; i++)
        {
            var row = report.Rows[i];
            double x0 = Left + (i % perRow) * (PanelW + Gap), y0 = 58 + (i / perRow) * RowH;
            figure.Plot(MemoryPanel(row, report.Traces.FirstOrDefault(t => t.Strategy == row.Strategy), report.CapBytes, unit, yMax, Colors[i % Colors.Length]), x0, y0, PanelW, PanelH);
        }
        if (report.Sweep.Count > 0)
            figure.Plot(SweepPanel(report), Left, sweepTop, width - 2 * Left, RowH);
        figure.Plot(OverheadBars(report), Left, barTop, width - 2 * Left, 290);
        return figure.ToSvg();
    }

    private static PlotModel MemoryPanel(BenchRow row, MemoryTrace? trace, long cap, Unit unit, double yMax, string color)
    {
        var plot = Plots.Create(row.Strategy);
        plot.Subtitle = string.Create(CultureInfo.InvariantCulture, $"peak {MemoryCap.Format(row.MeasuredPeakBytes)} measured, {MemoryCap.Format(row.PredictedPeakBytes)} predicted");
        plot.TitleFontSize = 12;
        plot.SubtitleFontSize = 10;
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Bottom, 0, 100, "time through the step (%): forward, then backward"));
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Left, 0, yMax, $"memory ({unit.Name})"));
        plot.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Horizontal, Y = unit.Of(cap), Color = OxyColor.Parse("#c00000"), StrokeThickness = 1.2, LineStyle = LineStyle.Dot });
        if (trace is null) return plot;
        plot.Series.Add(Line(trace.Predicted, unit, OxyColor.Parse("#333333"), 1.1, LineStyle.Dash));
        plot.Series.Add(Line(trace.Measured, unit, OxyColor.Parse(color), 1.8, LineStyle.Solid));
        return plot;
    }

    private static LineSeries Line(IReadOnlyList<MemorySample> samples, Unit unit, OxyColor color, double thickness, LineStyle style)
    {
        var line = new LineSeries { Color = color, StrokeThickness = thickness, LineStyle = style };
        line.Points.AddRange(Normalised(samples).Select(p => new DataPoint(p.X * 100, unit.Of(p.Bytes))));
        return line;
    }

    private static PlotModel SweepPanel(BenchReport report)
    {
        var plot = Plots.Create("Predicted overhead over a sweep of caps: the optimal plan against the best baseline that fits");
        plot.Subtitle = "baselines: no checkpointing, every stage, uniform_k for every k, sqrt_n; the dotted line marks this run's cap; grey: best baseline, red: AutoCkpt plan";
        plot.TitleFontSize = 12;
        plot.SubtitleFontSize = 10;
        var pts = report.Sweep.OrderBy(p => p.CapBytes).ToList();
        double lo = pts[0].CapBytes, hi = Math.Max(lo + 1, pts[^1].CapBytes);
        var unit = Unit.ForBytes(hi);
        double yMax = NiceScale.NiceCeiling(Math.Max(0.01, pts.Max(p => Math.Max(Finite(p.PlanOverhead), Finite(p.BaselineOverhead ?? 0))) * 100 * 1.1));
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Bottom, unit.Of(lo), unit.Of(hi), $"memory cap ({unit.Name})"));
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Left, 0, yMax, "predicted overhead (%)"));
        plot.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = unit.Of(report.CapBytes), Color = OxyColor.Parse("#c00000"), StrokeThickness = 1.2, LineStyle = LineStyle.Dot });
        var baseline = new StairStepSeries { Color = OxyColor.Parse("#888888"), StrokeThickness = 1.8 };
        baseline.Points.AddRange(pts.Where(p => p.BaselineOverhead is not null).Select(p => new DataPoint(unit.Of(p.CapBytes), Finite(p.BaselineOverhead!.Value) * 100)));
        var planned = new StairStepSeries { Color = OxyColor.Parse("#c44e52"), StrokeThickness = 2.2 };
        planned.Points.AddRange(pts.Select(p => new DataPoint(unit.Of(p.CapBytes), Finite(p.PlanOverhead) * 100)));
        plot.Series.Add(baseline);
        plot.Series.Add(planned);
        return plot;
    }

    private static PlotModel OverheadBars(BenchReport report)
    {
        var plot = Plots.Create("Step-time overhead against no checkpointing (solid: measured median; pale: predicted)");
        plot.TitleFontSize = 12;
        var rows = report.Rows;
        double hi = NiceScale.NiceCeiling(Math.Max(5, rows.Max(r => Math.Max(Finite(r.Overhead), Finite(r.PredictedOverhead))) * 100 * 1.15));
        double lo = Math.Min(0, rows.Min(r => Math.Min(Finite(r.Overhead), Finite(r.PredictedOverhead))) * 100);
        lo = lo < 0 ? -NiceScale.NiceCeiling(-lo * 1.15) : 0;
        var names = rows.Select(r => r.Strategy).ToList();
        var x = new TickedAxis(Enumerable.Range(0, rows.Count).Select(i => i + 0.5))
        {
            Position = AxisPosition.Bottom, Minimum = 0, Maximum = Math.Max(1, rows.Count), MajorGridlineStyle = LineStyle.None,
            LabelFormatter = v => (int)Math.Floor(v) is var i && i >= 0 && i < names.Count ? names[i] : "",
        };
        plot.Axes.Add(x);
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Left, lo, hi, "overhead (%)"));
        plot.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Horizontal, Y = 0, Color = OxyColor.Parse("#888888") });
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var color = OxyColor.Parse(Colors[i % Colors.Length]);
            double measured = Finite(r.Overhead) * 100, predicted = Finite(r.PredictedOverhead) * 100;
            var bars = new RectangleBarSeries { FillColor = color, StrokeThickness = 0 };
            bars.Items.Add(new RectangleBarItem(i + 0.5 - 0.3, Math.Min(0, measured), i + 0.5, Math.Max(0, measured)));
            var pale = new RectangleBarSeries { FillColor = OxyColor.FromAColor(102, color), StrokeThickness = 0 };
            pale.Items.Add(new RectangleBarItem(i + 0.5, Math.Min(0, predicted), i + 0.5 + 0.3, Math.Max(0, predicted)));
            plot.Series.Add(bars);
            plot.Series.Add(pale);
            plot.Annotations.Add(new TextAnnotation
            {
                TextPosition = new DataPoint(i + 0.35, Math.Max(0, measured)), Text = measured.ToString("+0.0;−0.0", CultureInfo.InvariantCulture) + "%",
                TextVerticalAlignment = VerticalAlignment.Bottom, Stroke = OxyColors.Transparent, FontSize = 10,
            });
        }
        return plot;
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    private static IEnumerable<(double X, long Bytes)> Normalised(IReadOnlyList<MemorySample> samples)
    {
        if (samples.Count == 0) yield break;
        double start = samples[0].Seconds, span = Math.Max(1e-12, samples[^1].Seconds - start);
        foreach (var s in samples) yield return ((s.Seconds - start) / span, s.Bytes);
    }
}
