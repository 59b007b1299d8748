using System.Globalization;
using AutoCkpt.Formats;

namespace AutoCkpt.Planner.Drawing;

/// <summary>The Pareto front of a sweep: cap across, predicted time overhead up, optimal against best uniform.</summary>
internal static class SweepChart
{
    private const double Gib = 1024.0 * 1024 * 1024;

    public static void Draw(SvgCanvas c, StepCostModel model, IReadOnlyList<SweepPoint> sweep, long? capBytes, ChartArea frame)
    {
        double Overhead(double step) => model.BaseStepSeconds > 0 ? (step - model.BaseStepSeconds) / model.BaseStepSeconds * 100 : 0;
        double xLo = sweep.Min(s => s.CapBytes) / Gib, xHi = sweep.Max(s => s.CapBytes) / Gib;
        double yMax = Math.Max(1, sweep.Max(s => Math.Max(Overhead(s.OptimalStepSeconds), s.UniformStepSeconds is { } u ? Overhead(u) : 0)) * 1.15);
        // Caps start at the every-stage peak, not 0: shift x so the axis shows the swept range.
        var area = frame with { XMax = Math.Max(1e-9, xHi - xLo), YMin = 0, YMax = yMax };
        c.Text(frame.Left - 50, frame.Top - 28, "Pareto front: the least predicted time overhead at each memory cap", 14, bold: true);
        area.Axes(c, "memory cap (GiB)", "time overhead (%)", v => (v + xLo).ToString("0.#", CultureInfo.InvariantCulture), v => v.ToString("0.#", CultureInfo.InvariantCulture));
        var uniform = sweep.Where(s => s.UniformStepSeconds is not null).Select(s => (area.X(s.CapBytes / Gib - xLo), area.Y(Overhead(s.UniformStepSeconds!.Value)))).ToList();
        if (uniform.Count > 0)
        {
            c.Polyline(uniform, "#8e44ad", 1.5, "5 3");
            foreach (var (x, y) in uniform) c.Circle(x, y, 3, "#8e44ad");
        }
        var optimal = sweep.Select(s => (area.X(s.CapBytes / Gib - xLo), area.Y(Overhead(s.OptimalStepSeconds)))).ToList();
        c.Polyline(optimal, "#1f5fbf", 2.4);
        foreach (var (x, y) in optimal) c.Circle(x, y, 3.5, "#1f5fbf");
        bool capShown = capBytes is { } cap && cap / Gib >= xLo && cap / Gib <= xHi;
        if (capShown)
            c.Line(area.X(capBytes!.Value / Gib - xLo), area.Top, area.X(capBytes.Value / Gib - xLo), area.Top + area.Height, "#c0392b", 1.2, "8 4");
        c.Line(880, frame.Top + 16, 905, frame.Top + 16, "#1f5fbf", 2.4);
        c.Text(910, frame.Top + 20, "optimal plan (this planner)", 12, bold: true);
        c.Line(880, frame.Top + 40, 905, frame.Top + 40, "#8e44ad", 1.5, "5 3");
        c.Text(910, frame.Top + 44, "best checkpoint_sequential(k)", 12);
        if (capShown)
        {
            c.Line(880, frame.Top + 64, 905, frame.Top + 64, "#c0392b", 1.2, "8 4");
            c.Text(910, frame.Top + 68, "this plan's cap", 12);
        }
    }
}
