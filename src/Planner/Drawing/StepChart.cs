using System.Globalization;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

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
/// Axes are in the units that suit the data (B to GiB; ns to s).
/// </summary>
public static class StepChart
{
    private static readonly string[] Colors = ["#1f5fbf", "#8c8c8c", "#e07b00", "#2a9d3a", "#8e44ad", "#c0392b", "#16a085"];
    private const double Left = 40, Width = 1200, PlotWidth = 850;

    /// <summary>Where the legend keys start, right of the plots.</summary>
    internal const double KeyLeft = 880;

    /// <summary>Returns the SVG text. <paramref name="capBytes"/> is drawn when not null; so is the sweep when not empty.</summary>
    public static string Render(StepCostModel model, IReadOnlyList<ChartSeries> series, long? capBytes, IReadOnlyList<SweepPoint> sweep, string title)
    {
        bool hasSweep = sweep.Count > 0;
        var figure = new Figure(Width, hasSweep ? 990 : 640);
        figure.Text(Left, 28, title, 17, bold: true);
        var p = model.Profile;
        figure.Text(Left, 48, $"{p.Target}: {p.Model.Stages} stages, batch {p.BatchSize}, {p.Device.Type} {p.Device.Name}; predicted by the AutoCkpt cost model (docs/cost-model.md)", 12, color: "#555555");

        var data = series.Select(s => (Series: s, Points: (s.Model ?? model).Series(s.Segments), Prediction: (s.Model ?? model).Predict(s.Segments))).ToList();
        figure.Plot(Memory(model, data, capBytes), Left - 30, 60, PlotWidth, 440);
        Keys(figure, model, data);
        var plan = data.FirstOrDefault(d => d.Series.IsPlan);
        if (plan.Series is not null) Strip(figure, model, plan.Series.Segments, Left + 20, 540, PlotWidth - 40);
        if (hasSweep) {
            figure.Plot(SweepChart.Plot(model, sweep, capBytes), Left - 30, 640, PlotWidth, 330);
            SweepChart.Keys(figure, KeyLeft, 690, capBytes is { } cap && cap >= sweep.Min(q => q.CapBytes) && cap <= sweep.Max(q => q.CapBytes));
        }
        return figure.ToSvg();
    }

    private static PlotModel Memory(StepCostModel model, List<(ChartSeries Series, IReadOnlyList<MemoryPoint> Points, Prediction Prediction)> data, long? capBytes)
    {
        double xMax = data.Max(d => d.Points[^1].Seconds) * 1.02;
        double yMax = Math.Max(data.Max(d => (double)d.Prediction.PeakBytes), capBytes ?? 0) * 1.08;
        Unit time = Unit.ForSeconds(xMax), bytes = Unit.ForBytes(yMax);
        var plot = Plots.Create();
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Bottom, 0, time.Of(xMax), $"time in the step ({time.Name}): forward, then backward with recomputes"));
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Left, 0, bytes.Of(yMax), $"memory ({bytes.Name})"));

        plot.Annotations.Add(new RectangleAnnotation
        {
            MinimumY = 0, MaximumY = bytes.Of(model.FixedBytes), Fill = OxyColor.FromArgb(150, 0xd9, 0xd9, 0xd9), Layer = AnnotationLayer.BelowSeries,
            Text = $"fixed memory {MemoryCap.Format(model.FixedBytes)} (parameters, gradients, optimizer state, batch)",
            TextHorizontalAlignment = HorizontalAlignment.Left, TextPosition = new DataPoint(time.Of(xMax) * 0.01, bytes.Of(model.FixedBytes) * 0.5),
            FontSize = 11, TextColor = OxyColor.FromRgb(0x44, 0x44, 0x44),
        });
        if (capBytes is { } cap)
            plot.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Horizontal, Y = bytes.Of(cap), Color = OxyColor.Parse("#c0392b"), StrokeThickness = 1.5, LineStyle = LineStyle.Dash,
                Text = $"cap {MemoryCap.Format(cap)}", TextColor = OxyColor.Parse("#c0392b"), FontWeight = FontWeights.Bold, FontSize = 12,
            });

        int color = 1;
        foreach (var (s, points, prediction) in data.OrderBy(d => d.Series.IsPlan))
        {
            var stroke = OxyColor.Parse(s.IsPlan ? Colors[0] : Colors[color++ % Colors.Length]);
            var line = new LineSeries
            {
                Color = s.IsPlan ? stroke : OxyColor.FromAColor(230, stroke), StrokeThickness = s.IsPlan ? 2.6 : 1.3, LineStyle = s.IsPlan ? LineStyle.Solid : LineStyle.Dash,
            };
            line.Points.AddRange(points.Select(q => new DataPoint(time.Of(q.Seconds), bytes.Of(q.Bytes))));
            plot.Series.Add(line);
            var peak = points.MaxBy(q => q.Bytes);
            var dot = new ScatterSeries { MarkerType = MarkerType.Circle, MarkerSize = s.IsPlan ? 4 : 2.5, MarkerFill = stroke };
            dot.Points.Add(new ScatterPoint(time.Of(peak.Seconds), bytes.Of(peak.Bytes)));
            plot.Series.Add(dot);
        }
        var plan = data.FirstOrDefault(d => d.Series.IsPlan);
        if (plan.Series is not null && plan.Points.Where(q => q.Phase == StepPhase.LossGradient).Take(1).ToList() is [var backward])
            plot.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical, X = time.Of(backward.Seconds), Color = OxyColor.FromRgb(0x99, 0x99, 0x99), LineStyle = LineStyle.Dot,
                Text = "backward →", TextColor = OxyColor.FromRgb(0x77, 0x77, 0x77), FontSize = 11, TextOrientation = AnnotationTextOrientation.Horizontal,
                TextHorizontalAlignment = HorizontalAlignment.Left, TextVerticalAlignment = VerticalAlignment.Top,
            });
        return plot;
    }

    /// <summary>One key per series, in the order drawn (the plan last), with its peak and predicted time overhead.</summary>
    private static void Keys(Figure f, StepCostModel model, List<(ChartSeries Series, IReadOnlyList<MemoryPoint> Points, Prediction Prediction)> data)
    {
        int color = 1;
        double y = 96;
        foreach (var (s, _, prediction) in data.OrderBy(d => d.Series.IsPlan))
        {
            string stroke = s.IsPlan ? Colors[0] : Colors[color++ % Colors.Length];
            double overhead = model.BaseStepSeconds > 0 ? prediction.RecomputeSeconds / model.BaseStepSeconds : 0;
            f.Key(KeyLeft, y, stroke, s.IsPlan ? 2.6 : 1.3, s.IsPlan ? null : [5, 3], s.Name,
                $"peak {MemoryCap.Format(prediction.PeakBytes)}, time +{(overhead * 100).ToString("0.0", CultureInfo.InvariantCulture)}%", s.IsPlan);
            y += 36;
        }
    }

    /// <summary>The plan's stages as cells: grey kept, orange recomputed, a gap between segments.</summary>
    private static void Strip(Figure f, StepCostModel model, IReadOnlyList<Segment> segments, double left, double top, double width)
    {
        int n = model.Stages;
        f.Text(left, top - 8, "the plan, stage by stage:", 12, bold: true);
        double cell = width / n;
        foreach (var s in segments)
        {
            bool rec = s.Strategy.Recomputes;
            f.Rect(left + s.First * cell, top, s.Length * cell - (cell > 3 ? 1.5 : 0), 22, rec ? "#e07b00" : "#cfcfcf");
            string label = s.Length == 1 ? $"{s.First}" : $"{s.First}–{s.Last}";
            if (rec && s.Length * cell > 7 * label.Length) f.Text(left + (s.First + s.Length / 2.0) * cell, top + 15, label, 10, color: "#ffffff", align: HorizontalAlignment.Center);
        }
        f.Text(left, top + 36, $"stage 0: {model.Profile.Stages[0].Name}", 10, color: "#555555");
        f.Text(left + width, top + 36, $"stage {n - 1}: {model.Profile.Stages[n - 1].Name}", 10, color: "#555555", align: HorizontalAlignment.Right);
        f.Rect(left + 200, top + 46, 14, 10, "#cfcfcf");
        f.Text(left + 218, top + 55, "kept: autograd keeps its tensors", 11);
        f.Rect(left + 420, top + 46, 14, 10, "#e07b00");
        f.Text(left + 438, top + 55, "recomputed: keeps its output, re-runs before its backward", 11);
    }
}
