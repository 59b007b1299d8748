using System.Diagnostics;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The moment a plan call's time limit runs out, for the work that has no time limit of its own: building the chain
/// graph and the bounds' tables (docs/planner.md, "The time limit"). That work checks it between rows and stops with
/// <see cref="PassedException"/>; whoever started it falls back to a plan it already has. The default value never
/// passes.
/// </summary>
internal readonly struct Deadline
{
    private readonly long _timestamp;

    private Deadline(long timestamp) => _timestamp = timestamp;

    /// <summary>The deadline <paramref name="span"/> from now (at least one tick).</summary>
    public static Deadline After(TimeSpan span) =>
        new(Stopwatch.GetTimestamp() + Math.Max(1, (long)(Math.Max(0, span.TotalSeconds) * Stopwatch.Frequency)));

    /// <summary>Whether the deadline has passed (never for the default value).</summary>
    public bool Passed => _timestamp != 0 && Stopwatch.GetTimestamp() > _timestamp;

    /// <summary>The time left until the deadline (zero once passed; <see cref="TimeSpan.MaxValue"/> for the default value).</summary>
    public TimeSpan Left => _timestamp == 0 ? TimeSpan.MaxValue
        : TimeSpan.FromSeconds(Math.Max(0, _timestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    /// <summary>Throws <see cref="PassedException"/> once the deadline has passed.</summary>
    public void ThrowIfPassed()
    {
        if (Passed) throw new PassedException();
    }

    /// <summary>The time limit ran out while a table was built.</summary>
    public sealed class PassedException() : Exception("the plan call's time limit ran out while the solver's tables were built.");
}
