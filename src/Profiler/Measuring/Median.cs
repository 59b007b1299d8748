namespace AutoCkpt.Profiler.Measuring;

/// <summary>Medians of repeated measurements.</summary>
public static class Median
{
    /// <summary>The median; the mean of the two middle values for an even count. Throws on an empty list.</summary>
    public static double Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// The mean of the values left after the lowest and the highest <paramref name="share"/> of them are set aside (at
    /// most half each way); the median for fewer than three. Steadier than the median under symmetric noise, and as
    /// blind to a few outliers.
    /// </summary>
    public static double Trimmed(IReadOnlyCollection<double> values, double share)
    {
        if (values.Count < 3) return Of(values);
        var sorted = values.Order().ToArray();
        int drop = Math.Min((int)(sorted.Length * share), (sorted.Length - 1) / 2);
        return sorted.Skip(drop).Take(sorted.Length - 2 * drop).Average();
    }

    /// <summary>The median in whole bytes; the lower of the two middle values for an even count, so it is a value seen.</summary>
    public static long Of(IReadOnlyCollection<long> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        return sorted[(sorted.Length - 1) / 2];
    }
}
