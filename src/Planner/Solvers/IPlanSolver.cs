using AutoCkpt.Formats.Plans;


namespace AutoCkpt.Planner.Solvers;

/// <summary>How a solve ended.</summary>
internal enum SolveStatus
{
    /// <summary>Proved optimal.</summary>
    Optimal,
    /// <summary>A plan was found but the time limit ran out before it was proved optimal.</summary>
    Feasible,
    /// <summary>Proved that no plan fits the cap.</summary>
    Infeasible,
    /// <summary>The time limit ran out before any plan was found.</summary>
    NoSolution,
}

/// <summary>
/// The answer of one solve: a plan (when found), its status, its relative gap on recompute time, and what proved the
/// status or bounds the gap when that is not the solver's own backend (e.g. "dp+GLOP": the dynamic program's plan
/// against GLOP's LP bound); null for <see cref="IPlanSolver.Backend"/>.
/// </summary>
internal sealed record SolveOutcome(SolveStatus Status, IReadOnlyList<Segment>? Segments, double Gap, string? Source = null);

/// <summary>An exact method that picks segments under a cap (docs/planner.md).</summary>
internal interface IPlanSolver
{
    /// <summary>"auto", "mip" or "exact".</summary>
    string Method { get; }

    /// <summary>"SCIP", "CP-SAT", "dp" or "exhaustive".</summary>
    string Backend { get; }

    /// <summary>Least recompute time with peak ≤ cap, ties to the lower peak.</summary>
    SolveOutcome Solve(long capBytes, TimeSpan limit);

    /// <summary>The plan with the smallest predicted peak (any recompute time), for the ACKPT040 message.</summary>
    SolveOutcome MinimumPeak(TimeSpan limit);
}
