namespace AutoCkpt.Bench.Report;

/// <summary>
/// How much slower one strategy's steps are than another's, round by round: the bench runs every strategy once per
/// round, so step i of each ran under the same load. The median of the per-round differences comes with a
/// distribution-free 95% interval: the sorted differences d(k) to d(n−k+1), with k the largest whose binomial
/// coverage is at least 95% (k = 2 for 10 rounds: 97.9%). An interval that holds 0 means the run cannot tell the two
/// apart.
/// </summary>
/// <param name="MedianSeconds">The median per-round difference, first minus second, in seconds.</param>
/// <param name="LowSeconds">The interval's lower end.</param>
/// <param name="HighSeconds">The interval's upper end.</param>
/// <param name="Rounds">Rounds compared.</param>
public sealed record PairedDifference(double MedianSeconds, double LowSeconds, double HighSeconds, int Rounds)
{
    /// <summary>The interval's least coverage.</summary>
    public const double Level = 0.95;

    /// <summary>The fewest rounds with an interval of at least <see cref="Level"/>: 6 (the extremes of 6 cover 96.9%).</summary>
    public static int MinRounds { get; } = Enumerable.Range(1, 64).First(n => 1 - 2 * BinomialCdf(n, 0) >= Level);

    /// <summary>True when the whole interval is above 0: the first is slower beyond the run's noise.</summary>
    public bool FirstSlower => LowSeconds > 0;

    /// <summary>
    /// The per-round differences <paramref name="first"/>[i] − <paramref name="second"/>[i]; null with fewer than
    /// <see cref="MinRounds"/> rounds, which no interval of 95% covers.
    /// </summary>
    public static PairedDifference? Of(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        int n = Math.Min(first.Count, second.Count);
        var d = Enumerable.Range(0, n).Select(i => first[i] - second[i]).Order().ToArray();
        int k = 0;
        for (int j = 1; 2 * j <= n && 1 - 2 * BinomialCdf(n, j - 1) >= Level; j++) k = j;
        if (k == 0) return null;
        double median = n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
        return new PairedDifference(median, d[k - 1], d[n - k], n);
    }

    /// <summary>P(X ≤ x) for X ~ Binomial(n, 1/2).</summary>
    private static double BinomialCdf(int n, int x)
    {
        double sum = 0, choose = 1;
        for (int i = 0; i <= x; i++)
        {
            sum += choose;
            choose = choose * (n - i) / (i + 1);
        }
        return sum / Math.Pow(2, n);
    }
}
