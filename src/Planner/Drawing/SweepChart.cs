using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace AutoCkpt.Planner.Drawing;

/// <summary>The Pareto front of a sweep: cap across (in the unit that suits it), predicted time overhead up, optimal against best uniform.</summary>
internal static class SweepChart
{
    public static PlotModel Plot(StepCostModel model, IReadOnlyList<SweepPoint> sweep, long? capBytes)
    {
        double Overhead(double step) => model.BaseStepSeconds > 0 ? (step - model.BaseStepSeconds) / model.BaseStepSeconds * 100 : 0;
        double xLo = sweep.Min(s => s.CapBytes), xHi = sweep.Max(s => s.CapBytes);
        double yMax = Math.Max(1, sweep.Max(s => Math.Max(Overhead(s.OptimalStepSeconds), s.UniformStepSeconds is { } u ? Overhead(u) : 0)) * 1.15);
        var unit = Unit.ForBytes(xHi);
        var plot = Plots.Create("Pareto front: the least predicted time overhead at each memory cap");
        // Caps start at the every-stage peak, not 0: the axis shows the swept range.
        double pad = Math.Max((xHi - xLo) * 0.03, xHi * 1e-6);
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Bottom, unit.Of(xLo - pad), unit.Of(xHi + pad), $"memory cap ({unit.Name})"));
        plot.Axes.Add(NiceScale.Axis(AxisPosition.Left, 0, yMax, "time overhead (%)"));

        var uniform = new LineSeries { Color = OxyColor.Parse("#8e44ad"), StrokeThickness = 1.5, LineStyle = LineStyle.Dash, MarkerType = MarkerType.Circle, MarkerSize = 3, MarkerFill = OxyColor.Parse("#8e44ad") };
        uniform.Points.AddRange(sweep.Where(s => s.UniformStepSeconds is not null).Select(s => new DataPoint(unit.Of(s.CapBytes), Overhead(s.UniformStepSeconds!.Value))));
        var optimal = new LineSeries { Color = OxyColor.Parse("#1f5fbf"), StrokeThickness = 2.4, MarkerType = MarkerType.Circle, MarkerSize = 3.5, MarkerFill = OxyColor.Parse("#1f5fbf") };
        optimal.Points.AddRange(sweep.Select(s => new DataPoint(unit.Of(s.CapBytes), Overhead(s.OptimalStepSeconds))));
        plot.Series.Add(uniform);
        plot.Series.Add(optimal);
        if (capBytes is { } cap && cap >= xLo && cap <= xHi)
            plot.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical, X = unit.Of(cap), Color = OxyColor.Parse("#c0392b"), StrokeThickness = 1.2, LineStyle = LineStyle.Dash,
            });
        return plot;
    }

    /// <summary>The sweep's legend: the optimal plan, the best uniform baseline and, when drawn, the plan's cap.</summary>
    public static void Keys(Figure f, double x, double y, bool capShown)
    {
        f.Key(x, y, "#1f5fbf", 2.4, null, "optimal plan (this planner)", bold: true);
        f.Key(x, y + 24, "#8e44ad", 1.5, [5, 3], "best checkpoint_sequential(k)");
        if (capShown) f.Key(x, y + 48, "#c0392b", 1.2, [8, 4], "this plan's cap");
    }
}
