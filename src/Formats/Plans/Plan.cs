using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Formats.Plans;

/// <summary>
/// A run of consecutive stages, 0-based and inclusive, with one strategy (<see cref="SegmentStrategy"/>, a key every
/// layer's registry reads), its option where the strategy takes one (<see cref="Option"/>), and for a multi-level
/// recompute its inner segments (<see cref="Inner"/>).
/// </summary>
public sealed record Segment(int First, int Last, SegmentStrategy Strategy)
{
    /// <summary>The number of stages in the segment.</summary>
    public int Length => Last - First + 1;

    /// <summary>
    /// For a multi-level (nested) recompute segment: how its recompute runs (docs/planner.md, "Multi-level recompute").
    /// The inner segments cover <see cref="First"/>..<see cref="Last"/> in order, at least two; every one but the last
    /// is a recompute segment (a checkpoint inside the recompute, itself flat or nested), the last is kept (run with
    /// autograd in the recompute). Null for a flat segment. Checked by <see cref="NestedSegments.Validate"/>.
    /// </summary>
    public IReadOnlyList<Segment>? Inner { get; init; }

    /// <summary>
    /// The strategy's option, for a strategy that takes one (<see cref="SegmentStrategy.TakesOption"/>): the text of its
    /// unit key in the plan file. Null otherwise.
    /// </summary>
    public string? Option { get; init; }

    /// <summary>Whether the segment's recompute checkpoints inside (<see cref="Inner"/>).</summary>
    public bool IsNested => Inner is not null;

    /// <summary>
    /// Shorthand for <see cref="Strategy"/> being <see cref="SegmentStrategy.SaveMatmuls"/>; setting it true on a
    /// recompute segment makes it one.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool SavesMatmuls
    {
        get => Strategy == SegmentStrategy.SaveMatmuls;
        init => Strategy = value ? SegmentStrategy.SaveMatmuls : Strategy == SegmentStrategy.SaveMatmuls ? SegmentStrategy.Recompute : Strategy;
    }

    /// <summary>Equal stages, strategy, option and inner segments (compared element by element).</summary>
    public bool Equals(Segment? other) =>
        other is not null && First == other.First && Last == other.Last && Strategy == other.Strategy && Option == other.Option
        && (Inner is null ? other.Inner is null : other.Inner is not null && Inner.SequenceEqual(other.Inner));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(First, Last, Strategy, Option, Inner?.Count ?? -1);

    /// <summary>
    /// "3-7:recompute", a save-matmuls one "5-5:save_matmuls", one with an option "5-5:name=option", a nested one
    /// "3-7:recompute[3-5:recompute[…],6-7:keep]": the bench's notation (<c>BenchMeasurementFile.FormatSegments</c>),
    /// no space inside a segment.
    /// </summary>
    public override string ToString() =>
        $"{First}-{Last}:{Strategy.Name}" + (Option is null ? "" : $"={Option}") + (Inner is null ? "" : $"[{string.Join(',', Inner)}]");
}

/// <summary>A cost-model prediction for one training step. Bytes and seconds.</summary>
public sealed record Prediction(long PeakBytes, double StepSeconds, double RecomputeSeconds)
{
    /// <summary>
    /// Optional key <c>fixed_bytes</c>: the profile's fixed memory F (parameters, buffers, gradients, optimizer state,
    /// batch) the peak counts, so that the runtime's peak check (<c>CheckpointOptions.CheckPeak</c>) puts a step's rise
    /// on the same scale; null in plans written before it.
    /// </summary>
    public long? FixedBytes { get; init; }
}

/// <summary>How the plan was found.</summary>
/// <param name="Method">"mip" or "exact".</param>
/// <param name="Backend">"SCIP", "CP-SAT" or "exhaustive".</param>
/// <param name="Status">"optimal" or "feasible".</param>
/// <param name="Gap">Relative optimality gap, 0 when proved optimal.</param>
/// <param name="SolveSeconds">Wall time of the solve.</param>
public sealed record SolverInfo(string Method, string Backend, string Status, double Gap, double SolveSeconds)
{
    /// <summary>
    /// Optional key <c>bound</c>: what the gap is measured against, e.g. "LP relaxation (GLOP)" or "dynamic program
    /// bounds (knapsacks, cost-to-go)"; null in plans written before it.
    /// </summary>
    public string? Bound { get; init; }

    /// <summary>
    /// Optional key <c>lower_bound_seconds</c>: that bound on the optimum's recompute time, in seconds; the gap is
    /// (recompute − bound) / recompute. Null in plans written before it.
    /// </summary>
    public double? LowerBoundSeconds { get; init; }
}

/// <summary>What the same cost model predicts for a common strategy (none, every_stage, uniform_k, sqrt_n).</summary>
public sealed record Baseline(string Name, long PeakBytes, double StepSeconds)
{
    /// <summary>The baseline's segments, when known; not required in files.</summary>
    public IReadOnlyList<Segment>? Segments { get; init; }
}

/// <summary>One point of a memory-cap sweep: the optimal plan and the best uniform plan under the same cap.</summary>
/// <param name="CapBytes">The memory cap, in bytes.</param>
/// <param name="OptimalPeakBytes">Predicted peak of the optimal plan, in bytes.</param>
/// <param name="OptimalStepSeconds">Predicted step time of the optimal plan, in seconds.</param>
public sealed record SweepPoint(long CapBytes, long OptimalPeakBytes, double OptimalStepSeconds)
{
    /// <summary>The fastest <c>uniform_k</c> (or <c>none</c>) baseline that fits the cap, or null when none fits.</summary>
    public string? UniformName { get; init; }
    /// <summary>Predicted peak of <see cref="UniformName"/>, in bytes.</summary>
    public long? UniformPeakBytes { get; init; }
    /// <summary>Predicted step time of <see cref="UniformName"/>, in seconds.</summary>
    public double? UniformStepSeconds { get; init; }
}

/// <summary>
/// What <c>autockpt plan --verify</c> measured (the plan file's optional <c>verified</c> map): the plan's peak over real
/// training steps on the device.
/// </summary>
/// <param name="MeasuredPeakBytes">The largest step peak measured with the written plan, in bytes (on the prediction's scale).</param>
/// <param name="Rounds">Plans measured, the written one included: 1 when the first plan fit.</param>
/// <param name="Steps">Timed steps per round.</param>
/// <param name="DeviceType">The device measured on ("cpu", "cuda").</param>
public sealed record PlanVerification(long MeasuredPeakBytes, int Rounds, int Steps, string DeviceType);

/// <summary>
/// One unit of a plan (format 2's <c>units</c>): a stage addressed by its module path, the segment it belongs to and
/// how it runs.
/// </summary>
/// <param name="Path">The stage's module path, e.g. "blocks.0" (its name in <c>IStagedModel.Stages</c> or the Sequential).</param>
/// <param name="Segment">The 0-based segment number; units with the same number form one segment.</param>
/// <param name="Strategy">The segment's strategy, the same for every unit of a segment (<see cref="SegmentStrategy"/>).</param>
/// <param name="Tidy">For a kept unit: it frees every tensor handle it made except its output as soon as it returns.</param>
public sealed record PlanUnit(string Path, int Segment, SegmentStrategy Strategy, bool Tidy)
{
    /// <summary>
    /// In a multi-level recompute segment: the unit's inner segment numbers from the outer level down, e.g. "0.1"
    /// (<see cref="NestedSegments.InnerKeys"/>); null in a flat segment. Format 2's optional key <c>inner</c>.
    /// </summary>
    public string? Inner { get; init; }

    /// <summary>The segment's option (<see cref="Segment.Option"/>), for a strategy that takes one.</summary>
    public string? Option { get; init; }

    /// <summary>Shorthand for <see cref="Strategy"/> being <see cref="SegmentStrategy.SaveMatmuls"/> (docs/selective.md).</summary>
    public bool SavesMatmuls => Strategy == SegmentStrategy.SaveMatmuls;
}

/// <summary>
/// A plan file, format <c>autockpt-plan/2</c> (per-unit entries by module path); <c>autockpt-plan/1</c> files are
/// read too, with their meaning: no unit is tidy. Segments are validated when read.
/// </summary>
public sealed record Plan
{
    /// <summary>The format tag this version writes.</summary>
    public const string FormatTag = "autockpt-plan/2";

    /// <summary>The earlier format, still read: segments by stage index, no unit paths, nothing tidy.</summary>
    public const string FormatTag1 = "autockpt-plan/1";

    /// <summary>
    /// The format the plan was read from; for a plan made in memory, the one it is written as:
    /// <see cref="FormatTag"/> when it has <see cref="UnitPaths"/>, else <see cref="FormatTag1"/>.
    /// </summary>
    public string Format { get => _format ?? (UnitPaths.Count > 0 ? FormatTag : FormatTag1); init => _format = value; }

    private readonly string? _format;
    /// <summary>The ICheckpointTarget's name.</summary>
    public required string Target { get; init; }
    /// <summary>The model the plan is for.</summary>
    public required ModelInfo Model { get; init; }
    /// <summary>The device the profile was measured on.</summary>
    public required DeviceInfo Device { get; init; }
    /// <summary>The batch size profiled.</summary>
    public required int BatchSize { get; init; }
    /// <summary>The memory cap the plan must fit, in bytes.</summary>
    public required long MemoryCapBytes { get; init; }
    /// <summary>
    /// Bytes of the cap the plan leaves unused for what predictions and probes miss (0 in plans written before it):
    /// the plan was solved under <see cref="BudgetBytes"/>.
    /// </summary>
    public long HeadroomBytes { get; init; }
    /// <summary>
    /// Bytes by which <c>--verify</c> tightened the budget below the cap less the headroom, after a plan measured over
    /// its cap (0 when none was needed or the plan was not verified): the plan was solved under <see cref="BudgetBytes"/>.
    /// </summary>
    public long CorrectionBytes { get; init; }
    /// <summary>What the plan's predicted peak must fit: the cap less the headroom and any verification's correction.</summary>
    public long BudgetBytes => MemoryCapBytes - HeadroomBytes - CorrectionBytes;
    /// <summary>What <c>--verify</c> measured, or null when the plan was not verified.</summary>
    public PlanVerification? Verified { get; init; }
    /// <summary>The cost model's prediction for this plan, or null.</summary>
    public Prediction? Predicted { get; init; }
    /// <summary>How the plan was found, or null.</summary>
    public SolverInfo? Solver { get; init; }
    /// <summary>Common strategies under the same cost model.</summary>
    public IReadOnlyList<Baseline> Baselines { get; init; } = [];
    /// <summary>The profile the plan was made from, relative to the plan file's folder, or null.</summary>
    public string? ProfilePath { get; init; }
    /// <summary>The Pareto front over memory caps (<c>autockpt plan --sweep</c>); empty when not swept.</summary>
    public IReadOnlyList<SweepPoint> Sweep { get; init; } = [];
    /// <summary>Segments in order, covering every stage exactly once.</summary>
    public required IReadOnlyList<Segment> Segments { get; init; }

    /// <summary>
    /// Per stage, in order: the unit's module path, checked against the model's stage names when applied. Empty for a
    /// format-1 plan and for in-memory plans made without them.
    /// </summary>
    public IReadOnlyList<string> UnitPaths { get; init; } = [];

    /// <summary>The input shape of the profile the plan was made from (<see cref="Profile.InputShape"/>); empty when unknown.</summary>
    public IReadOnlyList<long> InputShape { get; init; } = [];

    /// <summary>Per stage, in order: whether the kept unit is tidy. Empty (or shorter than the stages) means not tidy.</summary>
    public IReadOnlyList<bool> TidyUnits { get; init; } = [];

    /// <summary>
    /// Per stage, in order: whether the model's forward uses the unit's output again after the next unit (the profile's
    /// <c>output_used_later</c>, copied into the plan's <c>units[].output_used_later</c>), so that no recompute segment may
    /// continue past it (<see cref="CheckUsedLater"/>, ACKPT017). Empty (or shorter) means none.
    /// </summary>
    public IReadOnlyList<bool> UsedLaterUnits { get; init; } = [];

    /// <summary>Whether stage <paramref name="stage"/>'s output is used after the next unit (<see cref="UsedLaterUnits"/>).</summary>
    public bool IsUsedLater(int stage) => stage >= 0 && stage < UsedLaterUnits.Count && UsedLaterUnits[stage];

    /// <summary>
    /// ACKPT017 when a recompute segment of <paramref name="segments"/> continues past a unit whose output is used later
    /// (<paramref name="usedLater"/>): inside the segment that output is made without autograd and freed when the segment
    /// ends, so the later use would read a freed tensor or train with no gradient through it. Names the unit and
    /// <paramref name="file"/>. <paramref name="paths"/> name the units (may be empty).
    /// </summary>
    public static void CheckUsedLater(IReadOnlyList<Segment> segments, IReadOnlyList<bool> usedLater, IReadOnlyList<string> paths, string? file)
    {
        foreach (var s in segments)
        {
            if (!s.Strategy.Recomputes) continue;
            for (int i = s.First; i < s.Last && i < usedLater.Count; i++)
                if (usedLater[i])
                {
                    string name = i < paths.Count ? $"'{paths[i]}'" : $"#{i}";
                    throw new AckptException(ErrorCodes.SegmentPastUsedOutput,
                        $"the recompute segment of units {s.First}-{s.Last} continues past unit {name}, whose output the model's forward uses again " +
                        "after the next unit (the profile's output_used_later: a skip): inside the segment that output is made without autograd and freed " +
                        $"when the segment ends. End the segment at {name} (a segment may end there, or recompute it alone), or make the plan again with 'autockpt plan'.", file);
                }
        }
    }

    /// <summary>Whether stage <paramref name="stage"/> is a tidy kept unit.</summary>
    public bool IsTidy(int stage) => stage >= 0 && stage < TidyUnits.Count && TidyUnits[stage];

    /// <summary>
    /// Per stage, in order: whether the unit is a save-matmuls unit (<see cref="SegmentStrategy.SaveMatmuls"/>, the plan
    /// file's <c>units[].save_matmuls</c>), read from <see cref="Segments"/>.
    /// </summary>
    public IReadOnlyList<bool> SavedMatmulUnits => [.. Enumerable.Range(0, Segments.Count == 0 ? 0 : Segments[^1].Last + 1).Select(SavesMatmuls)];

    /// <summary>Whether stage <paramref name="stage"/> is a save-matmuls unit.</summary>
    public bool SavesMatmuls(int stage) => StrategyOf(stage) == SegmentStrategy.SaveMatmuls;

    /// <summary>The strategy of the segment that holds stage <paramref name="stage"/>, or null when none does.</summary>
    public SegmentStrategy? StrategyOf(int stage) => Segments.FirstOrDefault(s => s.First <= stage && stage <= s.Last)?.Strategy;

    /// <summary>The number of tidy units.</summary>
    public int TidyCount => TidyUnits.Count(t => t);

    /// <summary>The plan as units (format 2), one per stage in order; paths are "#i" where <see cref="UnitPaths"/> is empty.</summary>
    public IReadOnlyList<PlanUnit> Units =>
        [.. Segments.SelectMany((s, k) =>
        {
            var inner = NestedSegments.InnerKeys(s);
            return Enumerable.Range(s.First, s.Length).Select(i =>
                new PlanUnit(i < UnitPaths.Count ? UnitPaths[i] : $"#{i}", k, s.Strategy, s.Strategy.Base == SegmentStrategy.Keep && IsTidy(i)) { Inner = inner[i - s.First], Option = s.Option });
        })];

    /// <summary>Whether some segment recomputes with checkpoints inside (<see cref="Segment.Inner"/>).</summary>
    public bool IsNested => Segments.Any(s => s.IsNested);
}
