using System.Globalization;
using OxyPlot.Axes;

namespace AutoCkpt.Planner.Drawing;

/// <summary>
/// Round axis ends and ticks, safe on any input: a zero, denormal, huge or non-finite range gives a bounded number of
/// ticks (or none) and never an endless loop or a NaN on the page.
/// </summary>
public static class NiceScale
{
    /// <summary>The most ticks any axis gets, whatever the range.</summary>
    public const int MaxTicks = 12;

    private static readonly double[] Steps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

    /// <summary>The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) ≥ <paramref name="v"/>.</summary>
    /// <remarks>Not positive or not finite: 1. Denormal (10^⌊log10⌋ underflows to 0): the smallest normal double.</remarks>
    public static double NiceCeiling(double v)
    {
        if (!(v > 0) || !double.IsFinite(v)) return 1;
        if (!double.IsNormal(v)) return double.Epsilon * (1L << 52);
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        if (!(p > 0) || !double.IsFinite(p)) return v;
        foreach (double m in Steps)
            if (m * p >= v - 1e-9 * p) return m * p;
        return 10 * p;
    }

    /// <summary>About five round ticks from 0 to <paramref name="max"/> inclusive; at most <see cref="MaxTicks"/>.</summary>
    public static IEnumerable<double> Ticks(double max)
    {
        double step = NiceCeiling(max / 5);
        int count = 0;
        for (double t = 0; t <= max + step * 1e-9 && count < MaxTicks; t += step, count++) yield return t;
    }

    /// <summary>
    /// About six round tick values between lo and hi; just lo and hi when the range is too small or too large for round
    /// steps (a denormal span, where 10^⌊log10⌋ underflows to 0), none when it is empty or not finite.
    /// </summary>
    public static IEnumerable<double> Ticks(double lo, double hi)
    {
        double span = hi - lo;
        if (!(span > 0) || !double.IsFinite(span)) yield break;
        double raw = span / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).FirstOrDefault(s => s >= raw);
        if (!(step > 0) || !double.IsFinite(step) || !double.IsNormal(raw))
        {
            yield return lo;
            yield return hi;
            yield break;
        }
        int count = 0;
        for (double v = Math.Ceiling(lo / step) * step; v <= hi + step * 1e-9 && count < MaxTicks; v += step, count++) yield return v;
    }

    /// <summary>A tick label: plain up to four decimals, scientific beyond a million or below 1e-4.</summary>
    public static string Label(double v)
    {
        if (Math.Abs(v) < 1e-12 * Math.Max(1, Math.Abs(v)) || v == 0) return "0";
        double a = Math.Abs(v);
        return (a >= 1e6 || a < 1e-4 ? v.ToString("0.##E+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture)).Replace("-", "−", StringComparison.Ordinal);
    }

    /// <summary>
    /// A linear axis from <paramref name="lo"/> to <paramref name="hi"/> (in the unit it is labelled in) with round ticks
    /// and gridlines. A range that is empty, not finite, denormal or below a 10^-12 share of its ends becomes 0 to 1,
    /// which puts every point at the axis instead of at NaN.
    /// </summary>
    public static TickedAxis Axis(AxisPosition position, double lo, double hi, string title, Func<double, string>? label = null)
    {
        double span = hi - lo;
        bool usable = double.IsNormal(span) && span > 0 && double.IsFinite(lo) && double.IsFinite(hi) && span >= 1e-12 * Math.Max(Math.Abs(lo), Math.Abs(hi));
        if (!usable) (lo, hi) = (0, 1);
        var ticks = Ticks(lo, hi).ToList();
        return new TickedAxis(ticks)
        {
            Position = position,
            Minimum = lo,
            Maximum = hi,
            Title = title,
            LabelFormatter = label ?? Label,
        };
    }
}
