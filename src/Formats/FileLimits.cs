namespace AutoCkpt.Formats;

/// <summary>
/// The bounds every profile and plan is read within, so that any input, hostile or broken, gets a coded error in
/// bounded time and memory, and so that the planner's sums of byte counts cannot overflow a <see cref="long"/>.
/// </summary>
/// <remarks>
/// The cost model's live-memory walk adds, per stage, at most three byte counts (retained, recomputed, a negative
/// freed count) to four fixed ones, so |sum| ≤ (3 × <see cref="MaxStages"/> + 8) × <see cref="MaxBytes"/> &lt; 2^63.
/// </remarks>
public static class FileLimits
{
    /// <summary>The largest file read, in bytes (8 MiB; a 10,000-stage profile is about 3 MiB). Larger files are refused before they are read.</summary>
    public const long MaxFileBytes = 8L * 1024 * 1024;

    /// <summary>The deepest nesting of YAML lists and mappings read (AutoCkpt's files use 3).</summary>
    public const int MaxDepth = 64;

    /// <summary>The most YAML nodes and events read from one file.</summary>
    public const int MaxEvents = 1_000_000;

    /// <summary>
    /// The most entries of a plan's <c>baselines</c> and <c>sweep</c> lists (the planner writes a few dozen), so that no
    /// list but the stages can make reading and showing a file slow.
    /// </summary>
    public const int MaxListEntries = 1_000;

    /// <summary>The most stages a profile or plan may have.</summary>
    public const int MaxStages = 10_000;

    /// <summary>
    /// The largest byte count a profile may hold, 2^40 (1 TiB), far above any device's memory; small enough that the
    /// planner's sums over every figure of <see cref="MaxStages"/> stages stay below its 2^62 bound (ACKPT045).
    /// </summary>
    public const long MaxBytes = 1L << 40;

    /// <summary>The longest time one stage's pass may take, in seconds (1e6, about 11.6 days).</summary>
    public const double MaxStageSeconds = 1e6;

    /// <summary>
    /// The longest time a file may hold, in seconds (1e12): a whole step or a plan's prediction, which sums at most
    /// 3 × <see cref="MaxStages"/> stage times.
    /// </summary>
    public const double MaxSeconds = 1e12;

    /// <summary>The shortest positive time a file may hold, in seconds (a picosecond): a time is 0 or at least this, never a denormal.</summary>
    public const double MinPositiveSeconds = 1e-12;
}
