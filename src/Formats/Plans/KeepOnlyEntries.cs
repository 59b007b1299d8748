using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats.Plans;

/// <summary>
/// Keep-only entries: what runs between a model's units (an embedding, rotary tables, a final norm, a tied head, the
/// loss), which the in-place profiler measures and names "(before P)" or "(after P)" for the unit P beside it, with
/// <c>recompute_allowed: false</c> and <c>tidy_allowed: false</c>, so that the cost model's walk over the step is whole.
/// They are always kept and are no module: a plan made from such a profile carries them, and the runtime applies the
/// plan to the units alone (<see cref="Strip"/>).
/// </summary>
public static class KeepOnlyEntries
{
    /// <summary>Whether <paramref name="name"/> (a profile entry or a plan unit path) is a keep-only entry: it is in parentheses.</summary>
    public static bool Is(string name) => name.Length > 1 && name[0] == '(' && name[^1] == ')';

    /// <summary>
    /// <paramref name="plan"/> over its units alone: keep-only entries dropped, segments renumbered, kept runs split where
    /// an entry left. A plan without keep-only entries is returned as it is. Throws <see cref="AckptException"/>
    /// (ACKPT112) when the plan recomputes a keep-only entry or runs one tidy, naming <paramref name="planFile"/>.
    /// </summary>
    public static Plan Strip(Plan plan, string? planFile = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var paths = plan.UnitPaths;
        if (!paths.Any(Is)) return plan;
        var index = new int[paths.Count];
        int units = 0;
        for (int i = 0; i < paths.Count; i++)
            index[i] = Is(paths[i]) ? -1 : units++;
        var segments = new List<Segment>();
        foreach (var s in plan.Segments)
        {
            int? start = null;
            for (int i = s.First; i <= s.Last + 1; i++)
            {
                bool unit = i <= s.Last && index[i] >= 0;
                if (i <= s.Last && !unit && (s.Strategy != SegmentStrategy.Keep || plan.IsTidy(i)))
                    throw new AckptException(ErrorCodes.KeepOnlyPlanned,
                        $"the plan {(s.Strategy == SegmentStrategy.Keep ? "runs tidy" : s.Strategy.Recomputes ? "recomputes" : $"runs {s.Strategy.Name}")} '{paths[i]}', which is not a unit but work " +
                        "between units that the profile marks keep-only: make the plan again with 'autockpt plan' from that profile.", planFile);
                if (unit) start ??= index[i];
                else if (start is { } first)
                {
                    // A recompute segment holds units only (checked above), so a nested one moves as a whole.
                    segments.Add(s.IsNested ? NestedSegments.Shift(s, first - s.First) : s with { First = first, Last = index[i - 1] });
                    start = null;
                }
            }
        }
        var kept = Enumerable.Range(0, paths.Count).Where(i => index[i] >= 0).ToList();
        return plan with
        {
            Model = plan.Model with { Stages = units },
            Segments = segments,
            UnitPaths = [.. kept.Select(i => paths[i])],
            TidyUnits = [.. kept.Select(plan.IsTidy)],
            UsedLaterUnits = [.. kept.Select(plan.IsUsedLater)],
        };
    }
}
