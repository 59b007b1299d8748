using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using Google.OrTools.LinearSolver;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The OR-Tools model: stages are positions 0..n on a path; a plan is a path of arcs, a one-stage keep arc or a
/// recompute arc of 1..L stages. Size: n·(L+1) binaries, 3n+2 continuous, about 6n rows of ≤ L+3 terms
/// (docs/planner.md, "Formulation").
/// </summary>
internal sealed class MipModel : IDisposable
{
    private readonly SegmentTables _t;
    private readonly Solver _solver;
    private readonly Variable[] _keep;
    private readonly Variable[][] _rec;
    private readonly Variable _peak;
    private readonly Constraint _timeRow;
    private readonly double _unit;
    private readonly bool _integral;
    private readonly double _peakMax;

    /// <summary>The largest peak bound CP-SAT is given in exact bytes: 2⁵⁰.</summary>
    public const double MaxExactBytes = 1L << 50;

    public MipModel(SegmentTables t, string backend, bool relax = false)
    {
        _t = t;
        _solver = Solver.CreateSolver(backend) ?? throw new InvalidOperationException($"OR-Tools has no '{backend}' solver in this build.");
        _solver.SuppressOutput();
        bool integral = _integral = backend == "CP-SAT";
        // The CP-SAT bridge truncates integer bounds to 1e7 unless told otherwise; one worker keeps it deterministic.
        if (integral && !_solver.SetSolverSpecificParametersAsString("mip_max_bound: 1e17 num_workers: 1"))
            throw new InvalidOperationException("CP-SAT rejected its parameters.");
        // SCIP: bytes in power-of-two units so that rows stay well scaled; CP-SAT: exact integer bytes.
        long scale = Math.Max(1, MaxBytes(t));
        _unit = integral ? 1 : Math.Pow(2, Math.Max(0, Math.Floor(Math.Log2(scale / 1e4))));
        int n = t.Stages;
        // Finite bounds (CP-SAT needs them): holdings, releases and peaks are sums of the profile's figures.
        double holdMax = Math.Ceiling((t.KeepHold.Sum(h => Math.Max(0, h)) + t.RecHold.Sum(r => r.Max())) / _unit);
        double holdMin = -Math.Ceiling(t.KeepHold.Sum(h => Math.Max(0, -h)) / _unit);
        double releaseMax = Math.Ceiling((t.KeepRelease.Sum(Math.Abs) + t.InputRelease.Sum()) / _unit);
        _peakMax = Math.Ceiling((t.FixedBytes + holdMax * _unit + releaseMax * _unit
            + Math.Max(t.KeepForward.Max(), t.RecForward.Max(r => r.Max()))
            + Math.Max(t.KeepBackward.Max(), t.RecBackward.Max(r => r.Max()))) / _unit);

        // CP-SAT takes the rows in exact bytes, and past about 2^50 its bounds and scaled coefficients no longer hold
        // them (it reports a feasible chain infeasible): refuse rather than plan wrong. SCIP works in scaled units.
        if (integral && _peakMax > MaxExactBytes)
            throw new AckptException(ErrorCodes.BadPlannerOption,
                $"--solver cpsat works in exact bytes, and this profile's peaks reach {MemoryCap.Format((long)Math.Min(_peakMax, long.MaxValue))}, past the {MemoryCap.Format(1L << 50)} (2^50 bytes) it holds exactly: use --solver auto, mip or exact.");

        _keep = new Variable[n];
        _rec = new Variable[n][];
        for (int a = 0; a < n; a++)
        {
            _keep[a] = relax ? _solver.MakeNumVar(0, 1, $"k{a}") : _solver.MakeBoolVar($"k{a}");
            _rec[a] = new Variable[t.RecForward[a].Length];
            for (int l = 1; l <= _rec[a].Length; l++) _rec[a][l - 1] = relax ? _solver.MakeNumVar(0, 1, $"r{a}_{l}") : _solver.MakeBoolVar($"r{a}_{l}");
        }
        Variable Num(string name, double lb, double ub) => integral ? _solver.MakeIntVar(lb, ub, name) : _solver.MakeNumVar(lb, ub, name);
        var y = new Variable[n + 1];   // y_p: bytes held by the segments ending at or before p
        var z = new Variable[n + 1];   // z_p: bytes released by the kept stages at or after p
        for (int p = 0; p <= n; p++) { y[p] = Num($"y{p}", holdMin, holdMax); z[p] = Num($"z{p}", -releaseMax, releaseMax); }
        _peak = Num("peak", 0, _peakMax);

        // Flow: one arc leaves 0, and what enters p leaves p.
        for (int p = 0; p < n; p++)
        {
            var flow = _solver.MakeConstraint(p == 0 ? 1 : 0, p == 0 ? 1 : 0, $"flow{p}");
            foreach (var v in ArcsOut(p)) flow.SetCoefficient(v, 1);
            if (p > 0) foreach (var v in ArcsIn(p)) flow.SetCoefficient(v, -1);
        }
        // y_0 = 0, y_p = y_{p-1} + Σ_{arcs into p} hold; z_n = 0, z_p = z_{p+1} + keep_p · release_p.
        Fix(y[0], 0);
        Fix(z[n], 0);
        for (int p = 1; p <= n; p++)
        {
            var row = _solver.MakeConstraint(0, 0, $"y{p}");
            row.SetCoefficient(y[p], 1);
            row.SetCoefficient(y[p - 1], -1);
            row.SetCoefficient(_keep[p - 1], -t.KeepHold[p - 1] / _unit);
            for (int l = 1; l <= Math.Min(t.MaxSegment, p); l++) row.SetCoefficient(_rec[p - l][l - 1], -t.RecHold[p - l][l - 1] / _unit);
        }
        // w_p: a recompute arc into p and one out of p (the later one frees its input O_{p−1} after its backward);
        // w_p ≤ each side, and the solver raises it to their minimum where that lowers the peak.
        for (int p = n - 1; p >= 0; p--)
        {
            var row = _solver.MakeConstraint(0, 0, $"z{p}");
            row.SetCoefficient(z[p], 1);
            row.SetCoefficient(z[p + 1], -1);
            row.SetCoefficient(_keep[p], -t.KeepRelease[p] / _unit);
            if (p == 0 || t.InputRelease[p] == 0) continue;
            var w = relax || !integral ? _solver.MakeNumVar(0, 1, $"w{p}") : _solver.MakeIntVar(0, 1, $"w{p}");
            row.SetCoefficient(w, -t.InputRelease[p] / _unit);
            var into = _solver.MakeConstraint(double.NegativeInfinity, 0, $"win{p}");
            into.SetCoefficient(w, 1);
            for (int l = 1; l <= Math.Min(t.MaxSegment, p); l++) into.SetCoefficient(_rec[p - l][l - 1], -1);
            var outOf = _solver.MakeConstraint(double.NegativeInfinity, 0, $"wout{p}");
            outOf.SetCoefficient(w, 1);
            foreach (var v in _rec[p]) outOf.SetCoefficient(v, -1);
        }
        double fixedUnits = t.FixedBytes / _unit;
        // Forward: F + y_a + Σ_{arcs out of a} forward peak ≤ peak (an identity bound where no arc starts at a).
        for (int a = 0; a < n; a++)
        {
            var row = _solver.MakeConstraint(double.NegativeInfinity, -fixedUnits, $"fwd{a}");
            row.SetCoefficient(y[a], 1);
            row.SetCoefficient(_peak, -1);
            row.SetCoefficient(_keep[a], t.KeepForward[a] / _unit);
            for (int l = 1; l <= _rec[a].Length; l++) row.SetCoefficient(_rec[a][l - 1], t.RecForward[a][l - 1] / _unit);
        }
        // Backward: F + y_n − z_q + Σ_{arcs into q} backward peak ≤ peak.
        for (int q = 1; q <= n; q++)
        {
            var row = _solver.MakeConstraint(double.NegativeInfinity, -fixedUnits, $"bwd{q}");
            row.SetCoefficient(y[n], 1);
            row.SetCoefficient(z[q], -1);
            row.SetCoefficient(_peak, -1);
            row.SetCoefficient(_keep[q - 1], t.KeepBackward[q - 1] / _unit);
            for (int l = 1; l <= Math.Min(_t.MaxSegment, q); l++) row.SetCoefficient(_rec[q - l][l - 1], t.RecBackward[q - l][l - 1] / _unit);
        }
        _timeRow = _solver.MakeConstraint(double.NegativeInfinity, double.PositiveInfinity, "time");
        foreach (var (v, ticks) in RecomputeArcs()) _timeRow.SetCoefficient(v, ticks);
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
        if (time) foreach (var (v, ticks) in RecomputeArcs()) obj.SetCoefficient(v, ticks);
        else obj.SetCoefficient(_peak, 1);
        obj.SetMinimization();
    }

    /// <summary>Hints a plan to start from (keep/recompute arcs as 0/1).</summary>
    public void Hint(IReadOnlyList<Segment> segments)
    {
        if (segments.Any(s => s.Strategy == SegmentStrategy.Recompute && s.Length > _t.MaxSegment)) return;
        var chosen = new HashSet<Variable>(ArcsOf(segments));
        var vars = AllArcs().ToArray();
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
        var segs = new List<Segment>();
        for (int p = 0; p < _t.Stages;)
        {
            if (_keep[p].SolutionValue() > 0.5) { segs.Add(new(p, p, SegmentStrategy.Keep)); p++; continue; }
            int l = Array.FindIndex(_rec[p], v => v.SolutionValue() > 0.5) + 1;
            if (l == 0) throw new InvalidOperationException($"the MIP's solution has no arc leaving stage {p}.");
            segs.Add(new(p, p + l - 1, SegmentStrategy.Recompute));
            p += l;
        }
        return SegmentList.MergeKeeps(segs);
    }

    /// <summary>The incumbent's (or LP optimum's) value of every one-stage keep arc.</summary>
    public double[] KeepValues() => [.. _keep.Select(v => v.SolutionValue())];

    /// <summary>The incumbent's (or LP optimum's) value of every recompute arc [a][l−1].</summary>
    public double[][] RecomputeValues() => [.. _rec.Select(r => r.Select(v => v.SolutionValue()).ToArray())];

    /// <summary>The model in LP format, for reading and debugging.</summary>
    public string ExportLp() => _solver.ExportModelAsLpFormat(false);

    public void Dispose() => _solver.Dispose();

    private static void Fix(Variable v, double value) { v.SetLb(value); v.SetUb(value); }

    private static long MaxBytes(SegmentTables t) =>
        t.FixedBytes + t.KeepHold.Sum() + t.KeepForward.Max() + t.KeepBackward.Max();

    private IEnumerable<Variable> ArcsIn(int p)
    {
        yield return _keep[p - 1];
        for (int l = 1; l <= Math.Min(_t.MaxSegment, p); l++) yield return _rec[p - l][l - 1];
    }

    private IEnumerable<Variable> ArcsOut(int p) => _rec[p].Prepend(_keep[p]);

    private IEnumerable<(Variable Var, long Ticks)> RecomputeArcs()
    {
        for (int a = 0; a < _t.Stages; a++)
            for (int l = 1; l <= _rec[a].Length; l++) yield return (_rec[a][l - 1], _t.RecTicks[a][l - 1]);
    }

    private IEnumerable<Variable> AllArcs() => _keep.Concat(_rec.SelectMany(r => r));

    private IEnumerable<Variable> ArcsOf(IReadOnlyList<Segment> segments)
    {
        foreach (var s in segments)
        {
            if (s.Strategy == SegmentStrategy.Recompute) yield return _rec[s.First][s.Length - 1];
            else for (int i = s.First; i <= s.Last; i++) yield return _keep[i];
        }
    }
}
