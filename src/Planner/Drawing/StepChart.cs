using System.Globalization;
using AutoCkpt.Formats;

namespace AutoCkpt.Planner.Drawing;

/// <summary>One plan to draw: a name, its segments and whether it is the plan (drawn bold, with its stage strip).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<Segment> Segments, bool IsPlan = false)
{
    /// <summary>The cost model this series is predicted with (e.g. the plain one for "none"); null for the chart's.</summary>
    public StepCostModel? Model { get; init; }
}

/// <summary>
/// Draws predicted memory over one training step (time across, live bytes up) for a plan and baselines, the cap
/// and the fixed memory, a strip of the plan's stages (kept or recomputed), and the Pareto front when swept.
/// </summary>
public static class StepChart
{
    private static readonly string[] Colors = ["#1f5fbf", "#8c8c8c", "#e07b00", "#2a9d3a", "#8e44ad", "#c0392b", "#16a085"];

    /// <summary>Returns the SVG text. <paramref name="capBytes"/> is drawn when not null; so is the sweep when not empty.</summary>
    public static string Render(StepCostModel model, IReadOnlyList<ChartSeries> series, long? capBytes, IReadOnlyList<SweepPoint> sweep, string title)
    {
        const double width = 1200, left = 90, chartWidth = 760;
        bool hasSweep = sweep.Count > 0;
        var c = new SvgCanvas(width, hasSweep ? 950 : 640);
        c.Text(left - 50, 28, title, 17, bold: true);
        var p = model.Profile;
        c.Text(left - 50, 48, $"{p.Target}: {p.Model.Stages} stages, batch {p.BatchSize}, {p.Device.Type} {p.Device.Name}; predicted by the AutoCkpt cost model (docs/cost-model.md)", 12, fill: "#555");

        var data = series.Select(s => (Series: s, Points: (s.Model ?? model).Series(s.Segments), Prediction: (s.Model ?? model).Predict(s.Segments))).ToList();
        double xMax = data.Max(d => d.Points[^1].Seconds) * 1.02;
        double yMax = Math.Max(data.Max(d => d.Prediction.PeakBytes), capBytes ?? 0) * 1.08 / Gib;
        var area = new ChartArea(left, 80, chartWidth, 380, xMax, 0, yMax);
        area.Axes(c, "time in the step (s): forward, then backward with recomputes", "memory (GiB)", Seconds, v => v.ToString("0.#", CultureInfo.InvariantCulture));

        double fixedGib = model.FixedBytes / Gib;
        c.Rect(area.Left, area.Y(fixedGib), area.Width, area.Y(0) - area.Y(fixedGib), "#d9d9d9", opacity: 0.6);
        c.Text(area.Left + 6, area.Y(fixedGib) + 14, $"fixed memory {MemoryCap.Format(model.FixedBytes)} (parameters, gradients, optimizer state, batch)", 11, fill: "#444");
        if (capBytes is { } cap)
        {
            c.Line(area.Left, area.Y(cap / Gib), area.Left + area.Width, area.Y(cap / Gib), "#c0392b", 1.5, "8 4");
            c.Text(area.Left + area.Width - 4, area.Y(cap / Gib) - 5, $"cap {MemoryCap.Format(cap)}", 12, "end", "#c0392b", bold: true);
        }

        int color = 1;
        var legendY = 96.0;
        foreach (var (s, points, prediction) in data.OrderBy(d => d.Series.IsPlan))
        {
            string stroke = s.IsPlan ? Colors[0] : Colors[color++ % Colors.Length];
            c.Polyline(points.Select(q => (area.X(q.Seconds), area.Y(q.Bytes / Gib))), stroke, s.IsPlan ? 2.6 : 1.3, s.IsPlan ? null : "5 3", s.IsPlan ? 1 : 0.9);
            var peak = points.MaxBy(q => q.Bytes);
            c.Circle(area.X(peak.Seconds), area.Y(peak.Bytes / Gib), s.IsPlan ? 4 : 2.5, stroke);
            double overhead = model.BaseStepSeconds > 0 ? prediction.RecomputeSeconds / model.BaseStepSeconds : 0;
            c.Line(880, legendY - 4, 905, legendY - 4, stroke, s.IsPlan ? 2.6 : 1.3, s.IsPlan ? null : "5 3");
            c.Text(910, legendY, s.Name, 12, fill: "#222", bold: s.IsPlan);
            c.Text(910, legendY + 14, $"peak {MemoryCap.Format(prediction.PeakBytes)}, time +{(overhead * 100).ToString("0.0", CultureInfo.InvariantCulture)}%", 11, fill: "#555");
            legendY += 36;
        }
        var plan = data.FirstOrDefault(d => d.Series.IsPlan);
        if (plan.Series is not null)
        {
            double backwardStart = plan.Points.First(q => q.Phase == StepPhase.LossGradient).Seconds;
            c.Line(area.X(backwardStart), area.Top, area.X(backwardStart), area.Top + area.Height, "#999", 1, "2 3");
            c.Text(area.X(backwardStart) + 4, area.Top + 12, "backward →", 11, fill: "#777");
            Strip(c, model, plan.Series.Segments, left, 510, chartWidth);
        }
        if (hasSweep) SweepChart.Draw(c, model, sweep, capBytes, new ChartArea(left, 660, chartWidth, 220, 1, 0, 1));
        return c.ToString();
    }

    private const double Gib = 1024.0 * 1024 * 1024;

    private static string Seconds(double v) => v.ToString(v < 1 ? "0.###" : "0.##", CultureInfo.InvariantCulture);

    /// <summary>The plan's stages as cells: grey kept, orange recomputed, a gap between segments.</summary>
    private static void Strip(SvgCanvas c, StepCostModel model, IReadOnlyList<Segment> segments, double left, double top, double width)
    {
        int n = model.Stages;
        c.Text(left, top - 8, "the plan, stage by stage:", 12, bold: true);
        double cell = width / n;
        foreach (var s in segments)
        {
            bool rec = s.Strategy == SegmentStrategy.Recompute;
            c.Rect(left + s.First * cell, top, s.Length * cell - (cell > 3 ? 1.5 : 0), 22, rec ? "#e07b00" : "#cfcfcf");
            string label = s.Length == 1 ? $"{s.First}" : $"{s.First}–{s.Last}";
            if (rec && s.Length * cell > 7 * label.Length) c.Text(left + (s.First + s.Length / 2.0) * cell, top + 15, label, 10, "middle", "white");
        }
        c.Text(left, top + 36, $"stage 0: {model.Profile.Stages[0].Name}", 10, fill: "#555");
        c.Text(left + width, top + 36, $"stage {n - 1}: {model.Profile.Stages[n - 1].Name}", 10, "end", "#555");
        c.Rect(left + 200, top + 46, 14, 10, "#cfcfcf");
        c.Text(left + 218, top + 55, "kept: autograd keeps its tensors", 11);
        c.Rect(left + 420, top + 46, 14, 10, "#e07b00");
        c.Text(left + 438, top + 55, "recomputed: keeps its output, re-runs before its backward", 11);
    }
}
