namespace AutoCkpt.Bench;

/// <summary>Round axis ends and ticks for the bench's charts.</summary>
internal static class Axis
{
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

    /// <summary>About five round ticks from 0 to <paramref name="max"/> inclusive.</summary>
    /// <remarks>At most a dozen, whatever <paramref name="max"/> (a step too small to advance ends the ticks).</remarks>
    public static IEnumerable<double> Ticks(double max)
    {
        double step = NiceCeiling(max / 5);
        int count = 0;
        for (double t = 0; t <= max + step * 1e-9 && count < 12; t += step, count++) yield return t;
    }
}
