using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using Google.OrTools.LinearSolver;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The OR-Tools model: units are positions 0..n on a path; a plan is a path of arcs of the <see cref="ChainGraph"/>
/// (one binary per arc: n·(L+1) with keep and recompute), 3n+2 continuous, about 6n rows of ≤ L+3 terms
/// (docs/planner.md, "The MIP"). It sees arcs only, never a strategy.
/// </summary>
internal sealed class MipModel : IDisposable
{
    private readonly ChainGraph _t;
    private readonly Solver _solver;
    private readonly Variable[][] _x;
    private readonly List<(Variable Var, int P, int J)>[] _into;
    private readonly Variable _peak;
    private readonly Constraint _timeRow;
    private readonly double _unit;
    private readonly bool _integral;
    private readonly bool _relax;
    private readonly double _peakMax;

    /// <summary>The largest peak bound CP-SAT is given in exact bytes: 2⁵⁰.</summary>
    public const double MaxExactBytes = 1L << 50;

    public MipModel(ChainGraph t, string backend, bool relax = false)
    {
        _t = t;
        _solver = Solver.CreateSolver(backend) ?? throw new InvalidOperationException($"OR-Tools has no '{backend}' solver in this build.");
        _solver.SuppressOutput();
        bool integral = _integral = backend == "CP-SAT";
        _relax = relax;
        // The CP-SAT bridge truncates integer bounds to 1e7 unless told otherwise; one worker keeps it deterministic.
        if (integral && !_solver.SetSolverSpecificParametersAsString("mip_max_bound: 1e17 num_workers: 1"))
            throw new InvalidOperationException("CP-SAT rejected its parameters.");
        int n = t.Stages;
        var arcs = t.Out.SelectMany(a => a).ToArray();
        // SCIP: bytes in power-of-two units so that rows stay well scaled; CP-SAT: exact integer bytes.
        long scale = Math.Max(1, t.FixedBytes + t.Out.Sum(a => a.Max(x => x.Hold)) + arcs.Max(x => x.Forward) + arcs.Max(x => x.Backward));
        _unit = integral ? 1 : Math.Pow(2, Math.Max(0, Math.Floor(Math.Log2(scale / 1e4))));
        // Finite bounds (CP-SAT needs them): holdings, releases and peaks are sums of the arcs' figures.
        double holdMax = Math.Ceiling(t.Out.Sum(a => (double)Math.Max(0, a.Max(x => x.Hold))) / _unit);
        double holdMin = -Math.Ceiling((t.Out.Sum(a => (double)Math.Max(0, -a.Min(x => x.Hold))) + t.KeptHandleRelease.Sum(x => (double)x)) / _unit);
        double releaseMax = Math.Ceiling((t.Out.Sum(a => (double)a.Max(x => Math.Abs(x.Release))) + t.InputRelease.Sum(x => (double)x) + t.KeptInputRelease.Sum(x => (double)x)) / _unit);
        _peakMax = Math.Ceiling((t.FixedBytes + holdMax * _unit + releaseMax * _unit + arcs.Max(x => x.Forward) + arcs.Max(x => x.Backward)) / _unit);

        // CP-SAT takes the rows in exact bytes, and past about 2^50 its bounds and scaled coefficients no longer hold
        // them (it reports a feasible chain infeasible): refuse rather than plan wrong. SCIP works in scaled units.
        if (integral && _peakMax > MaxExactBytes)
            throw new AckptException(ErrorCodes.BadPlannerOption,
                $"--solver cpsat works in exact bytes, and this profile's peaks reach {MemoryCap.Format((long)Math.Min(_peakMax, long.MaxValue))}, past the {MemoryCap.Format(1L << 50)} (2^50 bytes) it holds exactly: use --solver auto, mip or exact.");

        _x = new Variable[n][];
        _into = new List<(Variable, int, int)>[n + 1];
        for (int p = 0; p <= n; p++) _into[p] = [];
        for (int p = 0; p < n; p++)
        {
            _x[p] = new Variable[t.Out[p].Length];
            for (int j = 0; j < _x[p].Length; j++)
            {
                _x[p][j] = relax ? _solver.MakeNumVar(0, 1, $"x{p}_{j}") : _solver.MakeBoolVar($"x{p}_{j}");
                _into[p + t.Out[p][j].Length].Add((_x[p][j], p, j));
            }
        }
        Variable Num(string name, double lb, double ub) => integral ? _solver.MakeIntVar(lb, ub, name) : _solver.MakeNumVar(lb, ub, name);
        var y = new Variable[n + 1];   // y_p: bytes held by the arcs ending at or before p
        var z = new Variable[n + 1];   // z_p: bytes released by the arcs starting at or after p
        for (int p = 0; p <= n; p++) { y[p] = Num($"y{p}", holdMin, holdMax); z[p] = Num($"z{p}", -releaseMax, releaseMax); }
        _peak = Num("peak", 0, _peakMax);

        // Flow: one arc leaves 0, and what enters p leaves p.
        for (int p = 0; p < n; p++)
        {
            var flow = _solver.MakeConstraint(p == 0 ? 1 : 0, p == 0 ? 1 : 0, $"flow{p}");
            foreach (var v in _x[p]) flow.SetCoefficient(v, 1);
            if (p > 0) foreach (var (v, _, _) in _into[p]) flow.SetCoefficient(v, -1);
        }
        // y_0 = 0, y_p = y_{p-1} + Σ_{arcs into p} hold; z_n = 0, z_p = z_{p+1} + Σ_{arcs out of p} release.
        Fix(y[0], 0);
        Fix(z[n], 0);
        var holdRows = new Constraint[n + 1];
        for (int p = 1; p <= n; p++)
        {
            var row = holdRows[p] = _solver.MakeConstraint(0, 0, $"y{p}");
            row.SetCoefficient(y[p], 1);
            row.SetCoefficient(y[p - 1], -1);
            foreach (var (v, a, j) in _into[p]) row.SetCoefficient(v, -t.Out[a][j].Hold / _unit);
        }
        // w_p: a checkpoint arc into p and one out of p (the later one frees its input O_{p−1} after its backward);
        // w_p ≤ each side, and the solver raises it to their minimum where that lowers the peak. u_p: a checkpoint arc
        // into p and a kept one out of p (which frees after its backward what a kept unit p−1 would have freed).
        for (int p = n - 1; p >= 0; p--)
        {
            var row = _solver.MakeConstraint(0, 0, $"z{p}");
            row.SetCoefficient(z[p], 1);
            row.SetCoefficient(z[p + 1], -1);
            for (int j = 0; j < _x[p].Length; j++)
                if (t.Out[p][j].Release != 0) row.SetCoefficient(_x[p][j], -t.Out[p][j].Release / _unit);
            if (p == 0) continue;
            Pair(row, p, t.InputRelease[p], checkpointOut: true, "w");
            if (Pair(row, p, t.KeptInputRelease[p] - t.KeptHandleRelease[p], checkpointOut: false, "u", t.KeptHandleRelease[p]) is { } u)
                holdRows[p + 1].SetCoefficient(u, t.KeptHandleRelease[p] / _unit); // the kept arc at p (into p + 1) holds that much less

        }
        double fixedUnits = t.FixedBytes / _unit;
        // Forward: F + y_a + Σ_{arcs out of a} forward peak ≤ peak (an identity bound where no arc starts at a).
        for (int a = 0; a < n; a++)
        {
            var row = _solver.MakeConstraint(double.NegativeInfinity, -fixedUnits, $"fwd{a}");
            row.SetCoefficient(y[a], 1);
            row.SetCoefficient(_peak, -1);
            for (int j = 0; j < _x[a].Length; j++) row.SetCoefficient(_x[a][j], t.Out[a][j].Forward / _unit);
        }
        // Backward: F + y_n − z_q + Σ_{arcs into q} backward peak ≤ peak.
        for (int q = 1; q <= n; q++)
        {
            var row = _solver.MakeConstraint(double.NegativeInfinity, -fixedUnits, $"bwd{q}");
            row.SetCoefficient(y[n], 1);
            row.SetCoefficient(z[q], -1);
            row.SetCoefficient(_peak, -1);
            foreach (var (v, a, j) in _into[q]) row.SetCoefficient(v, t.Out[a][j].Backward / _unit);
        }
        _timeRow = _solver.MakeConstraint(double.NegativeInfinity, double.PositiveInfinity, "time");
        foreach (var (v, ticks) in TickedArcs()) _timeRow.SetCoefficient(v, ticks);
    }

    /// <summary>
    /// A release of <paramref name="bytes"/> at boundary p when a checkpoint arc ends there and the arc out of p is a
    /// checkpoint arc (<paramref name="checkpointOut"/>) or is not: a variable in [0, 1] bounded by each side (null when
    /// neither it nor <paramref name="alsoHeld"/>, what the caller makes it hold less, is any bytes).
    /// </summary>
    private Variable? Pair(Constraint row, int p, long bytes, bool checkpointOut, string name, long alsoHeld = 0)
    {
        if (bytes == 0 && alsoHeld == 0) return null;
        var w = _relax || !_integral ? _solver.MakeNumVar(0, 1, $"{name}{p}") : _solver.MakeIntVar(0, 1, $"{name}{p}");
        row.SetCoefficient(w, -bytes / _unit);
        var into = _solver.MakeConstraint(double.NegativeInfinity, 0, $"{name}in{p}");
        into.SetCoefficient(w, 1);
        foreach (var (v, a, j) in _into[p]) if (_t.Out[a][j].Checkpoint) into.SetCoefficient(v, -1);
        var outOf = _solver.MakeConstraint(double.NegativeInfinity, 0, $"{name}out{p}");
        outOf.SetCoefficient(w, 1);
        for (int j = 0; j < _x[p].Length; j++) if (_t.Out[p][j].Checkpoint == checkpointOut) outOf.SetCoefficient(_x[p][j], -1);
        return w;
    }

    /// <summary>Bounds the peak by <paramref name="capBytes"/> (null: no cap).</summary>
    public void SetCap(long? capBytes) => _peak.SetUb(capBytes is { } c ? Math.Min(_peakMax, _integral ? c : c / _unit) : _peakMax);

    /// <summary>Bounds the recompute ticks (null: no bound).</summary>
    public void SetTimeBound(long? ticks) => _timeRow.SetUb(ticks is { } t ? t + (_integral ? 0 : 0.5) : double.PositiveInfinity);

    /// <summary>Objective: recompute ticks, or the peak.</summary>
    public void MinimiseTime(bool time)
    {
        var obj = _solver.Objective();
        obj.Clear();
        if (time) foreach (var (v, ticks) in TickedArcs()) obj.SetCoefficient(v, ticks);
        else obj.SetCoefficient(_peak, 1);
        obj.SetMinimization();
    }

    /// <summary>Hints a plan to start from (its arcs as 1, the others 0); nothing when the graph does not hold it.</summary>
    public void Hint(IReadOnlyList<Segment> segments)
    {
        if (_t.ArcsOf(segments) is not { } path) return;
        var chosen = new HashSet<Variable>(path.Select(x => _x[x.P][x.J]));
        var vars = _x.SelectMany(r => r).ToArray();
        _solver.SetHint(vars, [.. vars.Select(v => chosen.Contains(v) ? 1.0 : 0.0)]);
    }

    /// <summary>Solves within the limit; returns the status, the objective value and its best bound.</summary>
    public (Solver.ResultStatus Status, double Value, double Bound) Solve(TimeSpan limit, double relativeGap)
    {
        _solver.SetTimeLimit((long)Math.Max(1, Math.Min(limit.TotalMilliseconds, int.MaxValue)));
        using var p = new MPSolverParameters();
        p.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, relativeGap);
        var status = _solver.Solve(p);
        bool has = status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE;
        return (status, has ? _solver.Objective().Value() : double.NaN, has ? _solver.Objective().BestBound() : double.NaN);
    }

    /// <summary>The incumbent's segments, kept runs merged.</summary>
    public IReadOnlyList<Segment> Segments()
    {
        var path = new List<(int, int)>();
        for (int p = 0; p < _t.Stages;)
        {
            int j = Array.FindIndex(_x[p], v => v.SolutionValue() > 0.5);
            if (j < 0) throw new InvalidOperationException($"the MIP's solution has no arc leaving unit {p}.");
            path.Add((p, j));
            p += _t.Out[p][j].Length;
        }
        return _t.Segments(path);
    }

    /// <summary>The incumbent's (or LP optimum's) value of every arc, [p][j] as <see cref="ChainGraph.Out"/>.</summary>
    public double[][] ArcValues() => [.. _x.Select(r => r.Select(v => v.SolutionValue()).ToArray())];

    /// <summary>The model in LP format, for reading and debugging.</summary>
    public string ExportLp() => _solver.ExportModelAsLpFormat(false);

    public void Dispose() => _solver.Dispose();

    private static void Fix(Variable v, double value) { v.SetLb(value); v.SetUb(value); }

    private IEnumerable<(Variable Var, long Ticks)> TickedArcs()
    {
        for (int p = 0; p < _t.Stages; p++)
            for (int j = 0; j < _x[p].Length; j++)
                if (_t.Out[p][j].Ticks != 0) yield return (_x[p][j], _t.Out[p][j].Ticks);
    }
}
