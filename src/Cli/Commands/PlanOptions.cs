using System.Globalization;
using AutoCkpt.Formats;
using AutoCkpt.Planner;

namespace AutoCkpt.Cli.Commands;

/// <summary>The plan command's solver options, parsed here so that bad values get ACKPT044.</summary>
internal sealed record PlanOptions(PlannerSolver Solver, string? SolverText, double? TimeLimitSeconds, int? MaxSegment)
{
    public static PlanOptions Parse(string? solver, string? timeLimit, string? maxSegment)
    {
        var kind = solver switch
        {
            null or "auto" => PlannerSolver.Auto,
            "mip" => PlannerSolver.Mip,
            "cpsat" => PlannerSolver.CpSat,
            "exact" => PlannerSolver.Exact,
            _ => throw new AckptException(ErrorCodes.BadPlannerOption, $"--solver '{solver}' is unknown: use auto (the default: the dynamic program, then SCIP), mip (SCIP), cpsat (CP-SAT) or exact (the dynamic program)."),
        };
        double? limit = null;
        if (timeLimit is not null)
        {
            if (!double.TryParse(timeLimit, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) || !(t > 0 && t <= PlanRequest.MaxTimeLimitSeconds))
                throw new AckptException(ErrorCodes.BadPlannerOption, $"--time-limit '{timeLimit}' must be a positive number of seconds, at most {PlanRequest.MaxTimeLimitSeconds} (a week).");
            limit = t;
        }
        int? max = null;
        if (maxSegment is not null)
        {
            if (!int.TryParse(maxSegment, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) || m < 1)
                throw new AckptException(ErrorCodes.BadPlannerOption, $"--max-segment '{maxSegment}' must be a whole number of stages, at least 1.");
            max = m;
        }
        return new PlanOptions(kind, solver, limit, max);
    }
}
