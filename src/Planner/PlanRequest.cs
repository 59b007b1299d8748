using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;


namespace AutoCkpt.Planner;

/// <summary>Which exact method finds the plan.</summary>
public enum PlannerSolver
{
    /// <summary>The MIP on SCIP.</summary>
    Mip,
    /// <summary>The same MIP on CP-SAT.</summary>
    CpSat,
    /// <summary>The exact dynamic program (merges equal partial plans, prunes by bounds).</summary>
    Exact,
    /// <summary>
    /// The default: the dynamic program, then SCIP with the rest of the time if the dynamic program has not proved the
    /// answer (chains of up to 150 stages); the plan's solver section says which proved it (docs/planner.md).
    /// </summary>
    Auto,
}

/// <summary>What to plan: a profile, a cap and solver options.</summary>
public sealed record PlanRequest
{
    /// <summary>The default solver time limit, in seconds.</summary>
    public const double DefaultTimeLimitSeconds = 10;

    /// <summary>The longest time limit, in seconds: one week (a TimeSpan holds up to about 29,000 years).</summary>
    public const double MaxTimeLimitSeconds = PlannerOptionText.MaxTimeLimitSeconds;

    /// <summary>The validated profile.</summary>
    public required Profile Profile { get; init; }
    /// <summary>The memory cap: bytes, a percentage of the predicted no-checkpointing peak, or a share of the saveable range (<c>range:N%</c>).</summary>
    public required MemoryCap Cap { get; init; }
    /// <summary>
    /// The headroom by default: 2% of the cap. Measured peaks ran up to 1.1% above prediction on the CPU and 0.2% on an
    /// H100 (docs/benchmarks.md), so a plan solved right up to its cap could read over it.
    /// </summary>
    public const string DefaultHeadroom = "2%";

    /// <summary>
    /// The part of the cap the plan leaves unused, for what predictions and probes miss: bytes, or a percentage of the
    /// cap; <see cref="DefaultHeadroom"/> by default, 0 for none. The plan is solved under the cap less this.
    /// </summary>
    public MemoryCap Headroom { get; init; } = MemoryCap.ParseHeadroom(DefaultHeadroom);
    /// <summary>
    /// Bytes to plan below the cap less its headroom, after a plan measured over its cap (<c>autockpt plan --verify</c>
    /// sets it from the measured miss); 0 by default. Recorded in the plan (<see cref="Plan.CorrectionBytes"/>).
    /// </summary>
    public long CorrectionBytes { get; init; }
    /// <summary>A headroom of 0: the plan may use the whole cap.</summary>
    public static readonly MemoryCap NoHeadroom = new(0, null);
    /// <summary>The method; <see cref="PlannerSolver.Auto"/> by default.</summary>
    public PlannerSolver Solver { get; init; } = PlannerSolver.Auto;
    /// <summary>Wall-clock limit for each solve, in seconds; positive and at most <see cref="MaxTimeLimitSeconds"/>.</summary>
    public double TimeLimitSeconds { get; init; } = DefaultTimeLimitSeconds;
    /// <summary>The longest recompute segment considered, in stages; null for <see cref="DefaultMaxSegment(int, int?)"/>.</summary>
    public int? MaxSegment { get; init; }
    /// <summary>Also solve a range of caps and record the Pareto front in the plan.</summary>
    public bool Sweep { get; init; }
    /// <summary>How many caps a sweep solves (at least 2).</summary>
    public int SweepPoints { get; init; } = 9;
    /// <summary>
    /// Units the plan must not count on being tidy (<c>--no-tidy</c>, MSBuild <c>AutoCkptNoTidy</c>), on top of those the
    /// profile records as opted out in code. <c>*</c> turns tidy off for the whole plan.
    /// </summary>
    public NoTidyPatterns NoTidy { get; init; } = NoTidyPatterns.Empty;
    /// <summary>The profile's path, named in errors; may be null.</summary>
    public string? ProfileFile { get; init; }

    /// <summary>
    /// The longest recompute segment considered by default: all n stages up to 16, else max(16, ⌈2√n⌉), which
    /// keeps the MIP at n·(L+1) binaries (optimal segments grow like √n).
    /// </summary>
    public static int DefaultMaxSegment(int stages) =>
        Math.Min(stages, Math.Max(16, (int)Math.Ceiling(2 * Math.Sqrt(stages))));

    /// <summary>
    /// The longest recompute segment considered for a cap when none is given and the fastest <c>checkpoint_sequential(k)</c>
    /// plan that fits the cap has segments of <paramref name="uniformSegment"/> (⌊n/k⌋) stages and beats the greedy plan
    /// within <see cref="DefaultMaxSegment(int)"/>: raised to that length, so that the space searched holds it and the
    /// gap is measured against a bound that covers it, but at most to 4 × the default (still linear in stages × L: 256
    /// at 1000 stages).
    /// </summary>
    public static int DefaultMaxSegment(int stages, int? uniformSegment)
    {
        int basic = DefaultMaxSegment(stages);
        return uniformSegment is { } u && u > basic && u <= 4 * basic ? Math.Min(stages, u) : basic;
    }
}

/// <summary>A warning the caller should show, e.g. ACKPT043 when the time limit ran out with a plan.</summary>
public sealed record PlanWarning(string Code, string Message)
{
    /// <summary>"warning ACKPTnnn: message".</summary>
    public override string ToString() => $"warning {Code}: {Message}";
}

/// <summary>A baseline with its segments and whether it fits the cap less the headroom.</summary>
public sealed record BaselineResult(string Name, IReadOnlyList<Segment> Segments, Prediction Prediction, bool FitsCap);

/// <summary>The planner's answer: the plan to write and what the caller may print.</summary>
public sealed record PlanResult
{
    /// <summary>The plan (segments, prediction, solver info, baselines, sweep). Its ProfilePath is not set.</summary>
    public required Plan Plan { get; init; }
    /// <summary>The resolved memory cap, in bytes.</summary>
    public required long CapBytes { get; init; }
    /// <summary>The cap less the headroom: what the plan was solved under, in bytes.</summary>
    public required long BudgetBytes { get; init; }
    /// <summary>The predicted no-checkpointing peak of the plain model (<c>none</c>; what a percentage cap refers to), in bytes.</summary>
    public required long NoCheckpointingPeakBytes { get; init; }
    /// <summary>The predicted peak with no recompute and every allowed stage tidy (<c>tidy</c>), in bytes.</summary>
    public long TidyPeakBytes { get; init; }
    /// <summary>
    /// The smallest predicted peak any plan reaches, in bytes (the bottom of <c>range:N%</c> and of the sweep); null
    /// when the request needed neither, as the search costs time.
    /// </summary>
    public long? SmallestPeakBytes { get; init; }
    /// <summary>What the cap is and what a percentage of it is a share of (<see cref="MemoryCap.Describe"/>).</summary>
    public string CapDescription { get; init; } = "";
    /// <summary>The plain cost model (no stage tidy), which scores <c>none</c>.</summary>
    public StepCostModel? PlainModel { get; init; }
    /// <summary>The longest recompute segment the solver considered, in stages.</summary>
    public required int MaxSegment { get; init; }
    /// <summary>The baselines, with segments.</summary>
    public required IReadOnlyList<BaselineResult> Baselines { get; init; }
    /// <summary>Warnings (ACKPT043, ACKPT047).</summary>
    public IReadOnlyList<PlanWarning> Warnings { get; init; } = [];
    /// <summary>The cost model the plan was scored with: the tidy one (<see cref="TidyCosts.Model"/>).</summary>
    public required StepCostModel Model { get; init; }
}
