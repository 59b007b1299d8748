using System.Diagnostics;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A lower bound on a plan's recompute ticks under a memory budget, for chains where GLOP's LP does not fit the time
/// (docs/planner.md, "Start plans and long chains"): the MIP's memory rows (<see cref="MipModel"/>: a forward row per
/// position a, F + y_a + Σ_{arcs out of a} forward ≤ cap, and a backward row per position q, F + y_n − z_q +
/// Σ_{arcs into q} backward ≤ cap) moved into the objective with multipliers μ_a, ν_q ≥ 0. Every row is linear in the
/// arcs, so what is left is a shortest path over the positions, with one bit of state (the last arc is a checkpoint
/// arc, for the input a checkpoint arc frees after one): O(arcs) per multiplier vector. Every plan that fits has each
/// row at or under the cap, so its ticks are at least the path's value less Σ multiplier × budget, for any multipliers
/// (weak duality); subgradient steps raise it towards the LP's value. In doubles, a margin well above their rounding (n · 10⁻¹² of the largest term) is taken off.
/// </summary>
internal sealed class LagrangianBound
{
    private readonly ChainGraph _t;
    private readonly double _budget;
    private readonly int _n;
    private readonly double[] _mu, _nu;            // forward rows 0..n−1, backward rows 1..n (index q−1)
    private readonly double[] _muSuffix, _nuPrefix; // Σ_{a ≥ e} μ_a (e = 0..n), Σ_{q ≤ p} ν_q (p = 0..n)
    private readonly double[][] _dist;
    private readonly (int P, int J, int R)[][] _from;
    private readonly List<(int P, int J, bool Freed)> _path = [];
    private bool[][]? _used;

    /// <param name="t">The chain graph.</param>
    /// <param name="budgetBytes">The cap less the fixed bytes.</param>
    public LagrangianBound(ChainGraph t, long budgetBytes)
    {
        _t = t;
        _n = t.Stages;
        _budget = budgetBytes;
        _mu = new double[_n];
        _nu = new double[_n];
        _muSuffix = new double[_n + 1];
        _nuPrefix = new double[_n + 1];
        _dist = [new double[_n + 1], new double[_n + 1]];
        _from = [new (int, int, int)[_n + 1], new (int, int, int)[_n + 1]];
    }

    /// <summary>The best bound found, in ticks (0 until <see cref="Run"/>).</summary>
    public double LowerTicks { get; private set; }

    /// <summary>
    /// The arcs of the shortest paths at multipliers whose value came within 2% of the best, [p][j] as
    /// <see cref="ChainGraph.Out"/> (null before any): where a search near the bound looks, as GLOP's arcs are for the LP.
    /// </summary>
    public bool[][]? Used => _used;

    /// <summary>
    /// The path with the fewest ticks among the shortest paths met that fit every row (a plan: the Lagrangian
    /// heuristic), as (position, arc index); null if none did. Check it in exact bytes before use: rows are in doubles.
    /// </summary>
    public List<(int P, int J)>? BestPath { get; private set; }

    /// <summary>The ticks of <see cref="BestPath"/> (long.MaxValue when none).</summary>
    public long BestPathTicks { get; private set; } = long.MaxValue;

    /// <summary>
    /// Subgradient steps (Polyak's, towards <paramref name="upperTicks"/>, a plan's ticks) until
    /// <paramref name="limit"/> or <paramref name="maxSteps"/>; returns <see cref="LowerTicks"/>. +∞ when the budget
    /// is negative (nothing fits).
    /// </summary>
    public double Run(long upperTicks, TimeSpan limit, int maxSteps = 2000)
    {
        if (_budget < 0) return LowerTicks = double.PositiveInfinity;
        if (upperTicks <= 0 || _budget == 0) return LowerTicks;
        var clock = Stopwatch.StartNew();
        var gMu = new double[_n];
        var gNu = new double[_n];
        double theta = 2, best = LowerTicks;
        int sinceBest = 0;
        for (int step = 0; step < maxSteps && clock.Elapsed < limit; step++)
        {
            double value = Evaluate(gMu, gNu);
            if (value > best) { best = value; sinceBest = 0; }
            else if (++sinceBest >= 20) { theta /= 2; sinceBest = 0; }
            if (best > 0 && value >= best * 0.98)
            {
                _used ??= _t.Out.Select(r => new bool[r.Length]).ToArray();
                foreach (var (p, j, _) in _path) _used[p][j] = true;
            }
            if (best >= upperTicks || theta < 1e-4) break;
            KeepIfFits(gMu, gNu);
            double norm = 0;
            for (int i = 0; i < _n; i++)
            {
                // Projected: a row under the cap at a zero multiplier does not move it.
                if (_mu[i] > 0 || gMu[i] > 0) norm += gMu[i] * gMu[i];
                if (_nu[i] > 0 || gNu[i] > 0) norm += gNu[i] * gNu[i];
            }
            if (norm == 0) break; // the path fits every row: its ticks are the optimum's, and value is a bound on it
            double size = theta * (upperTicks - value) / norm;
            for (int i = 0; i < _n; i++)
            {
                _mu[i] = Math.Max(0, _mu[i] + size * gMu[i]);
                _nu[i] = Math.Max(0, _nu[i] + size * gNu[i]);
            }
        }
        LowerTicks = Math.Max(LowerTicks, best);
        // Paths at multipliers raised by a factor weigh memory more: near the bound, some of them fit.
        var mu = (double[])_mu.Clone();
        var nu = (double[])_nu.Clone();
        foreach (double factor in new[] { 1.02, 1.05, 1.1, 1.2, 1.5, 2, 4 })
        {
            if (clock.Elapsed >= limit * 1.1) break;
            for (int i = 0; i < _n; i++) { _mu[i] = mu[i] * factor; _nu[i] = nu[i] * factor; }
            Evaluate(gMu, gNu);
            KeepIfFits(gMu, gNu);
        }
        Array.Copy(mu, _mu, _n);
        Array.Copy(nu, _nu, _n);
        return LowerTicks;
    }

    private void KeepIfFits(double[] gMu, double[] gNu)
    {
        for (int i = 0; i < _n; i++)
            if (gMu[i] > 0 || gNu[i] > 0) return;
        long ticks = 0;
        foreach (var (p, j, _) in _path) ticks += _t.Out[p][j].Ticks;
        if (ticks >= BestPathTicks) return;
        BestPathTicks = ticks;
        BestPath = [.. _path.Select(x => (x.P, x.J)).Reverse()];
    }

    /// <summary>
    /// The Lagrangian's value at the current multipliers (a valid lower bound on ticks, less a safety margin), and in
    /// <paramref name="gMu"/>, <paramref name="gNu"/> its subgradient: each row's value on the shortest path, in budgets, less 1.
    /// </summary>
    internal double Evaluate(double[] gMu, double[] gNu)
    {
        int n = _n;
        _muSuffix[n] = 0;
        for (int a = n - 1; a >= 0; a--) _muSuffix[a] = _muSuffix[a + 1] + _mu[a];
        _nuPrefix[0] = 0;
        for (int p = 1; p <= n; p++) _nuPrefix[p] = _nuPrefix[p - 1] + _nu[p - 1];
        double nuSum = _nuPrefix[n], scale = 1 / _budget;
        for (int r = 0; r < 2; r++) Array.Fill(_dist[r], double.PositiveInfinity);
        _dist[0][0] = 0;
        double magnitude = 0;
        for (int p = 0; p < n; p++)
        {
            var arcs = _t.Out[p];
            for (int r = 0; r < 2; r++)
            {
                double d = _dist[r][p];
                if (double.IsPositiveInfinity(d)) continue;
                for (int j = 0; j < arcs.Length; j++)
                {
                    ref readonly var arc = ref arcs[j];
                    int e = p + arc.Length;
                    double penalty = (_mu[p] * arc.Forward + arc.Hold * (_muSuffix[Math.Min(e, n)] + nuSum) + _nu[e - 1] * arc.Backward - arc.Release * _nuPrefix[p]) * scale;
                    if (r == 1 && p > 0)
                        penalty -= (_t.AfterCheckpoint(p, arc) * _nuPrefix[p] + _t.HoldAfterCheckpoint(p, arc) * (_muSuffix[Math.Min(e, n)] + nuSum)) * scale;
                    double c = d + arc.Ticks + penalty;
                    int rr = arc.Checkpoint ? 1 : 0;
                    if (c < _dist[rr][e]) { _dist[rr][e] = c; _from[rr][e] = (p, j, r); }
                    magnitude = Math.Max(magnitude, Math.Abs(c));
                }
            }
        }
        int end = _dist[1][n] < _dist[0][n] ? 1 : 0;
        double total = _dist[end][n] - (_muSuffix[0] + nuSum);
        magnitude = Math.Max(magnitude, _muSuffix[0] + nuSum);
        // The path's rows, for the subgradient: y_a (held before a), forward at starts, z_q and backward at ends.
        Array.Fill(gMu, 0);
        Array.Fill(gNu, 0);
        var path = _path;
        path.Clear();
        for (int at = n, r = end; at > 0;)
        {
            var (p, j, pr) = _from[r][at];
            path.Add((p, j, pr == 1 && p > 0));
            at = p;
            r = pr;
        }
        var holdEnding = new double[n + 1];
        var released = new double[n + 1]; // then Σ over the arcs starting at ≥ p: z_p
        foreach (var (p, j, freed) in path)
        {
            ref readonly var arc = ref _t.Out[p][j];
            int e = p + arc.Length;
            holdEnding[e] += arc.Hold - (freed ? _t.HoldAfterCheckpoint(p, arc) : 0);
            gMu[p] = arc.Forward;
            gNu[e - 1] = arc.Backward;
            released[p] = arc.Release + (freed ? _t.AfterCheckpoint(p, arc) : 0);
        }
        for (int p = n - 1; p >= 0; p--) released[p] += released[p + 1];
        double y = 0;
        for (int a = 0; a < n; a++)
        {
            y += holdEnding[a]; // y_a: the holds of the arcs that end at or before a
            gMu[a] = (y + gMu[a]) * scale - 1;
        }
        y += holdEnding[n];
        for (int q = 1; q <= n; q++) gNu[q - 1] = (y - released[q] + gNu[q - 1]) * scale - 1;
        return total - 1e-12 * magnitude * n - 1e-6;
    }
}
