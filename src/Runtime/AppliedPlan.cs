using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Units;

namespace AutoCkpt;

/// <summary>
/// What <see cref="Checkpointing.Apply{T}(T, Plan, string?, Action{string}?, CheckpointOptions?)"/> applied to a model
/// (<see cref="Checkpointing.Applied"/>): the plan, the units it addresses, its segments, and how often each hooked
/// unit ran in the model's current or last forward.
/// </summary>
public sealed class AppliedPlan
{
    private readonly HookedModel _hooked;

    internal AppliedPlan(HookedModel hooked) => _hooked = hooked;

    /// <summary>The plan that was applied.</summary>
    public Plan Plan => _hooked.Plan;

    /// <summary>The plan file it came from, or null for an in-memory plan.</summary>
    public string? PlanFile => _hooked.PlanFile;

    /// <summary>The model's units, in the plan's order, and how they were found.</summary>
    public ModelUnits Units => _hooked.Units;

    /// <summary>The applied segments, in unit order, covering every unit once.</summary>
    public IReadOnlyList<AppliedSegment> Segments => _hooked.Segments;

    /// <summary>The number of units recomputed in the backward.</summary>
    public int RecomputedUnits => Segments.Where(s => s.Strategy.Recomputes).Sum(s => s.Length);

    /// <summary>
    /// The paths of the units that run tidy: kept units the plan marks tidy and that no code opt-out
    /// (<see cref="NoTidyAttribute"/>, <see cref="CheckpointOptions.NoTidy"/>) excludes.
    /// </summary>
    public IReadOnlyList<string> TidyUnits => _hooked.TidyUnits;

    /// <summary>Per hooked unit (recomputed or tidy), by path: how many times it ran in the model's current or last forward.</summary>
    public IReadOnlyDictionary<string, int> Fires => _hooked.Fires;

    /// <summary>Forwards of the model (through <c>call</c>) in which every hooked unit ran exactly once.</summary>
    public long CheckedSteps => _hooked.CheckedSteps;

    /// <summary>
    /// The peak check's reading (<see cref="CheckpointOptions.CheckPeak"/>): the measured step's peak on the plan's scale
    /// (its fixed bytes plus the step's rise), in bytes; null while the check is off, unavailable or not yet done.
    /// </summary>
    public long? MeasuredPeakBytes => _hooked.PeakCheck?.MeasuredPeakBytes;
}
