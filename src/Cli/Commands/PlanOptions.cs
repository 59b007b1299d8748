using AutoCkpt.Formats.Options;
using AutoCkpt.Planner;

namespace AutoCkpt.Cli.Commands;

/// <summary>The plan command's solver options, parsed by <see cref="PlannerOptionText"/> (the MSBuild task uses the same), so that bad values get ACKPT044.</summary>
internal sealed record PlanOptions(PlannerSolver Solver, string? SolverText, double? TimeLimitSeconds, int? MaxSegment)
{
    public static PlanOptions Parse(string? solver, string? timeLimit, string? maxSegment)
    {
        var kind = PlannerOptionText.ParseSolver(solver) switch
        {
            "mip" => PlannerSolver.Mip,
            "cpsat" => PlannerSolver.CpSat,
            "exact" => PlannerSolver.Exact,
            _ => PlannerSolver.Auto,
        };
        return new PlanOptions(kind, solver, PlannerOptionText.ParseTimeLimit(timeLimit), PlannerOptionText.ParseMaxSegment(maxSegment));
    }
}
