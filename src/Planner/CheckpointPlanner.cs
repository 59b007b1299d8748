using System.Diagnostics;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Solvers;

namespace AutoCkpt.Planner;

/// <summary>
/// Finds the checkpoint plan with the least predicted recompute time whose predicted peak fits a memory cap less its headroom
/// (ties go to the lower peak), and scores the baselines under the same cost model.
/// </summary>
public static class CheckpointPlanner
{
    /// <summary>
    /// Plans under the cap less its headroom. Throws <see cref="AckptException"/>: ACKPT040 no plan fits (the message
    /// gives the smallest reachable peak and its fixed part), ACKPT041 the cap resolves to no bytes or the headroom
    /// takes all of it, ACKPT042 the time limit ran out
    /// with no plan, ACKPT044 a bad option, ACKPT045 the profile's figures are too large to sum exactly. A time limit that ran out with a plan gives warning ACKPT043.
    /// </summary>
    public static PlanResult Plan(PlanRequest request)
    {
        // The time limit covers the whole call, from here to the plan: the cost model, the default max segment and the
        // solve share it (docs/planner.md, "The time limit").
        var clock = Stopwatch.StartNew();
        var profile = request.Profile;
        int n = profile.Stages.Count;
        CheckOptions(request);
        var deadline = Deadline.After(TimeSpan.FromSeconds(request.TimeLimitSeconds) - clock.Elapsed);
        StepCostModel plainModel, model;
        try
        {
            plainModel = new StepCostModel(profile);
            model = TidyCosts.Model(profile, request.NoTidy);
        }
        catch (AckptException e) when (e.File is null && e.Code == ErrorCodes.ProfileOutOfRange)
        {
            throw new AckptException(e.Code, e.Message, request.ProfileFile, e);
        }
        long nonePeak = plainModel.PeakBytes(Baselines.None(n)), tidyPeak = model.PeakBytes(Baselines.None(n));
        var limit = TimeSpan.FromSeconds(request.TimeLimitSeconds);
        // The smallest reachable peak is a search of its own: made only for a range cap or a sweep.
        long? smallest = request.Cap.IsRange || request.Sweep
            ? SmallestPeak(model, request.MaxSegment ?? PlanRequest.DefaultMaxSegment(n), limit, deadline)
            : null;
        var peaks = new CapReferences(nonePeak, tidyPeak, smallest ?? tidyPeak);
        long cap = request.Cap.Resolve(peaks);
        if (cap <= 0)
            throw new AckptException(ErrorCodes.BadCap, $"memory cap {request.Cap.Describe(peaks)} is less than one byte.", request.ProfileFile);
        long headroom = request.Headroom.Resolve(cap), budget = cap - headroom;
        if (budget <= 0)
            throw new AckptException(ErrorCodes.BadCap, $"the headroom {MemoryCap.Format(headroom)} leaves nothing of the memory cap {MemoryCap.Format(cap)}.", request.ProfileFile);
        ArgumentOutOfRangeException.ThrowIfNegative(request.CorrectionBytes);
        if (request.CorrectionBytes >= budget)
            throw new AckptException(ErrorCodes.InfeasibleCap, $"the correction {MemoryCap.Format(request.CorrectionBytes)} a measured plan asked for leaves nothing of the memory cap {Budget(cap, headroom)}.", request.ProfileFile);
        budget -= request.CorrectionBytes;
        // The baselines the plan lists, scored before the solve (O(n) each), so that the time limit counts them and the
        // fallback plan reads them instead of scoring them again after the time ran out.
        var scoring = Stopwatch.StartNew();
        var baselines = Baselines.Standard(n)
            .Select(b => { var segs = model.Runnable(b.Segments); var p = (Baselines.IsPlain(b.Name) ? plainModel : model).Predict(segs); return new BaselineResult(b.Name, segs, p, p.PeakBytes <= budget); })
            .ToList();
        // What is left after the solve (the plan's prediction, the check against checkpoint_sequential, the tidy units)
        // is a few such passes: the solver's share ends that much before the limit (at most a quarter of it).
        var afterSolve = Min(scoring.Elapsed / baselines.Count * 4, limit / 4);
        deadline = Deadline.After(limit - afterSolve - clock.Elapsed);
        // checkpoint_sequential's best at this budget, scored once (O(n) per peak): the default max segment, the
        // fallback plan and the check of an unproved plan all read it.
        var bestUniform = Baselines.BestUniform(model, budget);
        int maxSegment = Math.Min(n, request.MaxSegment ?? (deadline.Passed ? PlanRequest.DefaultMaxSegment(n) : DefaultMaxSegment(model, budget, Min(limit / 10, deadline.Left), bestUniform)));
        // Building the solver's tables has no time limit of its own: it stops at the deadline, and so does a solve that
        // has found nothing by then; the fastest baseline that fits is then the plan (BaselineSolver), gap unknown.
        IPlanSolver solver;
        SolveOutcome outcome;
        bool fellBack = false;
        try
        {
            deadline.ThrowIfPassed();
            solver = CreateSolver(request.Solver, SpaceFor(model, budget), maxSegment, deadline);
            outcome = solver.Solve(budget, Max(limit - afterSolve - clock.Elapsed, TimeSpan.FromMilliseconds(1)));
        }
        catch (Deadline.PassedException)
        {
            solver = new BaselineSolver(model, MethodName(request.Solver), baselines, bestUniform);
            outcome = new SolveOutcome(SolveStatus.NoSolution, null, 1);
        }
        if (outcome.Status == SolveStatus.NoSolution && solver is not BaselineSolver)
            solver = new BaselineSolver(model, solver.Method, baselines, bestUniform);
        if (outcome.Status == SolveStatus.NoSolution)
        {
            outcome = solver.Solve(budget, TimeSpan.Zero);
            fellBack = outcome.Status == SolveStatus.Feasible;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var warnings = new List<PlanWarning>();
        foreach (var unused in request.NoTidy.Unused(profile.Stages.Select(s => s.Name)))
            warnings.Add(new PlanWarning(ErrorCodes.NoTidyPatternUnused, $"no-tidy pattern '{unused}' matches no unit of the profile (units: {string.Join(", ", profile.Stages.Take(6).Select(s => s.Name))}{(n > 6 ? ", …" : "")})."));
        switch (outcome.Status)
        {
            case SolveStatus.Infeasible:
                throw Infeasible(model, CreateSolver(request.Solver, model, maxSegment, default), cap, headroom, maxSegment, Max(limit - clock.Elapsed, limit * 0.1), request.ProfileFile);
            case SolveStatus.NoSolution:
                throw new AckptException(ErrorCodes.SolverNoSolution, $"the time limit ({request.TimeLimitSeconds:0.###} s) ran out before the {solver.Method} solver found any plan under the cap {Budget(cap, headroom)}, and no baseline (none, tidy, every_stage, sqrt_n, uniform_k) fits it: raise --time-limit, or lower --max-segment (now {maxSegment}).", request.ProfileFile);
            case SolveStatus.Feasible when fellBack:
                warnings.Add(new PlanWarning(ErrorCodes.SolverTimeLimit, $"the time limit ({request.TimeLimitSeconds:0.###} s) ran out before the {solver.Method} solver had a plan (it builds tables of n·L arcs and bounds first): the plan is the fastest baseline that fits, not proved optimal, its gap unknown. Raise --time-limit to search."));
                break;
            case SolveStatus.Feasible:
                warnings.Add(new PlanWarning(ErrorCodes.SolverTimeLimit, $"the {solver.Backend} solver's time limit ({request.TimeLimitSeconds:0.###} s) ran out: the plan is the best found, not proved optimal; its recompute time is within {outcome.Gap:P2} of the optimum. Raise --time-limit to prove it."));
                break;
        }
        var segments = outcome.Segments!;
        // The backend names what proved the status or bounds the gap (e.g. dp, SCIP, dp+GLOP, dp+SCIP).
        string provedBy = outcome.Source ?? solver.Backend;
        // Unproved plans are never slower than checkpoint_sequential(k). Its segments may be longer than the default
        // --max-segment, outside the space searched: the gap is then unknown (1); inside, the bound still holds.
        if (outcome.Status == SolveStatus.Feasible && request.MaxSegment is null && bestUniform is { } uniform
            && uniform.Prediction.StepSeconds < model.Predict(segments).StepSeconds)
        {
            var ticks = TimeTicks.Of(profile);
            var uniformSegments = model.Runnable(Baselines.ByName(uniform.Name, n)!);
            long found = TimeTicks.OfPlan(ticks, segments), better = TimeTicks.OfPlan(ticks, uniformSegments);
            bool inside = uniformSegments.All(s => !s.Strategy.Recomputes || s.Length <= maxSegment);
            double gap = inside && better > 0 ? Math.Clamp((better - found * (1 - outcome.Gap)) / better, 0, 1) : 1;
            segments = uniformSegments;
            outcome = outcome with { Segments = segments, Gap = gap };
            provedBy = $"{provedBy}, plan {uniform.Name}";
            warnings.Add(new PlanWarning(ErrorCodes.SolverTimeLimit, $"{uniform.Name} (checkpoint_sequential) beat the best plan found within --max-segment {maxSegment} and the time limit; it is the plan. Raise --time-limit or --max-segment to search further."));
        }
        var plan = new Plan
        {
            Target = profile.Target,
            Model = profile.Model,
            Device = profile.Device,
            BatchSize = profile.BatchSize,
            InputShape = profile.InputShape,
            MemoryCapBytes = cap,
            HeadroomBytes = headroom,
            CorrectionBytes = request.CorrectionBytes,
            Predicted = model.Predict(segments),
            Solver = new SolverInfo(solver.Method, provedBy, outcome.Status == SolveStatus.Optimal ? "optimal" : "feasible", outcome.Gap, seconds)
            {
                Bound = outcome.Status == SolveStatus.Optimal ? null : BoundName(provedBy, outcome.Gap),
                LowerBoundSeconds = outcome.Status == SolveStatus.Optimal ? null : model.RecomputeSeconds(segments) * (1 - outcome.Gap),
            },
            Baselines = [.. baselines.Select(b => new Baseline(b.Name, b.Prediction.PeakBytes, b.Prediction.StepSeconds) { Segments = b.Segments })],
            Sweep = request.Sweep ? ParetoSweep.Run(model, c => CreateSolver(request.Solver, SpaceFor(model, c), maxSegment, default), limit, request.SweepPoints, peaks.Smallest) : [],
            Segments = segments,
            UnitPaths = [.. profile.Stages.Select(s => s.Name)],
            TidyUnits = model.TidyUnits(segments),
            UsedLaterUnits = request.Profile.Stages.Any(st => st.OutputUsedLater) ? [.. request.Profile.Stages.Select(st => st.OutputUsedLater)] : [],
        };
        return new PlanResult
        {
            Plan = plan,
            CapBytes = cap,
            BudgetBytes = budget,
            NoCheckpointingPeakBytes = nonePeak,
            TidyPeakBytes = tidyPeak,
            SmallestPeakBytes = smallest,
            CapDescription = request.Cap.Describe(peaks),
            PlainModel = plainModel,
            MaxSegment = maxSegment,
            Baselines = baselines,
            Warnings = warnings,
            Model = model,
        };
    }

    /// <summary>
    /// The peaks a cap may be a share of, for <paramref name="profile"/> planned with <paramref name="noTidy"/>: none,
    /// tidy and the smallest any plan reaches (searched within <paramref name="timeLimitSeconds"/>; the least of the
    /// baselines' peaks when the search runs out of time). What <c>range:N%</c> resolves against; the examples' midpoint
    /// cap uses it too. Throws <see cref="AckptException"/> (ACKPT045) on figures too large to plan with.
    /// </summary>
    public static CapReferences Peaks(Profile profile, NoTidyPatterns noTidy, double timeLimitSeconds = PlanRequest.DefaultTimeLimitSeconds)
    {
        int n = profile.Stages.Count;
        var model = TidyCosts.Model(profile, noTidy);
        long none = new StepCostModel(profile).PeakBytes(Baselines.None(n)), tidy = model.PeakBytes(Baselines.None(n));
        return new CapReferences(none, tidy, SmallestPeak(model, PlanRequest.DefaultMaxSegment(n), TimeSpan.FromSeconds(timeLimitSeconds)));
    }

    /// <summary>
    /// The plan space searched under <paramref name="budget"/>: multi-level recompute segments (docs/planner.md,
    /// "Multi-level recompute") only where the every-stage plan does not fit, below which flat plans run out; at and above
    /// it, flat segments only, which keeps the search as fast as without them (they rarely pay there: a nested segment
    /// costs more recompute than the flat one over the same units). The smallest reachable peak is always searched with
    /// them.
    /// </summary>
    public static StepCostModel SpaceFor(StepCostModel model, long budget) =>
        budget < model.PeakBytes(model.Runnable(Baselines.EveryStage(model.Stages))) ? model : model.SingleLevel();

    /// <summary>
    /// The smallest predicted peak of any plan within <paramref name="maxSegment"/>: the dynamic program's least-peak
    /// search (whatever solver plans: it is the fastest at this), never above the least peak of the baselines
    /// (every_stage, tidy, uniform_k, sqrt_n), which need not be every_stage's: on chains of single-op units whose
    /// inputs outweigh what they keep, recomputing every unit peaks above no recompute.
    /// </summary>
    internal static long SmallestPeak(StepCostModel model, int maxSegment, TimeSpan limit, Deadline deadline = default)
    {
        int n = model.Stages;
        long least = Baselines.Standard(n).Where(b => !Baselines.IsPlain(b.Name)).Min(b => model.PeakBytes(model.Runnable(b.Segments)));
        try
        {
            var found = new DynamicProgramSolver(model, Math.Min(n, maxSegment), deadline).MinimumPeak(limit);
            return found.Segments is { } s ? Math.Min(least, model.PeakBytes(s)) : least;
        }
        catch (Deadline.PassedException)
        {
            return least; // out of time building the search's tables: the baselines' least peak
        }
    }

    /// <summary>
    /// The default max segment for this cap: <see cref="PlanRequest.DefaultMaxSegment(int)"/>, raised to ⌊n/k⌋ (at most
    /// 4 ×) when the fastest checkpoint_sequential(k) that fits has longer segments and the greedy plan within the
    /// default does not beat it: then longer segments matter at this cap (a tight cap on a long chain).
    /// </summary>
    private static int DefaultMaxSegment(StepCostModel model, long cap, TimeSpan limit, (string Name, Prediction Prediction)? bestUniform)
    {
        int n = model.Stages, basic = PlanRequest.DefaultMaxSegment(n);
        if (bestUniform is not { Name: var name } || !name.StartsWith("uniform_", StringComparison.Ordinal)) return basic;
        var uniform = model.Runnable(Baselines.ByName(name, n)!);
        int segment = Baselines.ByName(name, n)![0].Length;
        if (segment <= basic) return basic;
        var ticks = TimeTicks.Of(model.Profile);
        if (GreedyPlanner.Plan(model, basic, cap, TimeSpan.FromSeconds(Math.Min(1, limit.TotalSeconds / 10))) is { } greedy && TimeTicks.OfPlan(ticks, greedy) <= TimeTicks.OfPlan(ticks, uniform)) return basic;
        return PlanRequest.DefaultMaxSegment(n, segment);
    }

    private static void CheckOptions(PlanRequest r)
    {
        string? file = r.ProfileFile;
        if (!(r.TimeLimitSeconds > 0 && r.TimeLimitSeconds <= PlanRequest.MaxTimeLimitSeconds))
            throw new AckptException(ErrorCodes.BadPlannerOption, $"--time-limit must be a positive number of seconds, at most {PlanRequest.MaxTimeLimitSeconds} (a week), not {r.TimeLimitSeconds}.", file);
        if (r.MaxSegment is < 1)
            throw new AckptException(ErrorCodes.BadPlannerOption, $"--max-segment must be at least 1 stage, not {r.MaxSegment}.", file);
        if (r.SweepPoints < 2)
            throw new AckptException(ErrorCodes.BadPlannerOption, $"a sweep needs at least 2 points, not {r.SweepPoints}.", file);
    }

    private static IPlanSolver CreateSolver(PlannerSolver kind, StepCostModel model, int maxSegment, Deadline deadline) => kind switch
    {
        PlannerSolver.Mip => new MipSolver(model, maxSegment, "SCIP", deadline),
        PlannerSolver.CpSat => new MipSolver(model, maxSegment, "CP-SAT", deadline),
        PlannerSolver.Exact => new DynamicProgramSolver(model, maxSegment, deadline),
        PlannerSolver.Auto => new AutoSolver(model, maxSegment, deadline),
        _ => throw new AckptException(ErrorCodes.BadPlannerOption, $"unknown solver '{kind}'."),
    };

    /// <summary>The method a plan records for <paramref name="kind"/> (as the solvers name themselves).</summary>
    private static string MethodName(PlannerSolver kind) => kind switch
    {
        PlannerSolver.Mip or PlannerSolver.CpSat => "mip",
        PlannerSolver.Exact => "exact",
        _ => "auto",
    };

    /// <summary>What an unproved plan's gap is measured against, from the backend that bounds it.</summary>
    private static string BoundName(string backend, double gap) =>
        gap >= 1 ? "none known (0 recompute)"
        : backend.Contains("GLOP", StringComparison.Ordinal) ? "LP relaxation (GLOP)"
        : backend.Contains("Lagrange", StringComparison.Ordinal) ? "Lagrangian relaxation of the memory rows (subgradient)"
        : backend.Contains("SCIP", StringComparison.Ordinal) ? "SCIP's dual bound or the dynamic program's bounds, the higher"
        : backend.Contains("CP-SAT", StringComparison.Ordinal) ? "CP-SAT's bound"
        : "the dynamic program's bounds (knapsacks, cost-to-go table)";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>"53.94 MiB" or, with headroom, "53.94 MiB less its headroom 1.08 MiB (52.86 MiB)".</summary>
    private static string Budget(long cap, long headroom) => headroom == 0
        ? MemoryCap.Format(cap)
        : $"{MemoryCap.Format(cap)} less its headroom {MemoryCap.Format(headroom)} ({MemoryCap.Format(cap - headroom)})";

    private static AckptException Infeasible(StepCostModel model, IPlanSolver solver, long cap, long headroom, int maxSegment, TimeSpan limit, string? file)
    {
        var f = model.Profile.FixedBytes;
        string fixedPart = $"{MemoryCap.Format(f.Total)} is fixed memory that no checkpointing removes (parameters {MemoryCap.Format(f.Parameters)}, gradients {MemoryCap.Format(f.Gradients)}, optimizer state {MemoryCap.Format(f.OptimizerState)}, batch {MemoryCap.Format(f.Batch)})";
        string longer = maxSegment < model.Stages ? $", or allow longer recompute segments (--max-segment, now {maxSegment})" : "";
        var least = solver.MinimumPeak(limit);
        string reach = least.Segments is { } s
            ? $"the smallest peak any plan reaches is {MemoryCap.Format(model.PeakBytes(s))} ({model.PeakBytes(s)} bytes{(least.Status == SolveStatus.Optimal ? "" : ", best found in the time limit")}), of which {fixedPart}"
            : $"the solver found no plan's smallest peak within the time limit; {fixedPart}";
        return new AckptException(ErrorCodes.InfeasibleCap,
            $"no plan fits the memory cap {Budget(cap, headroom)} ({cap - headroom} bytes): {reach}. Raise the cap, lower the batch size{longer}{(headroom > 0 ? ", or lower --headroom" : "")}.", file);
    }
}
