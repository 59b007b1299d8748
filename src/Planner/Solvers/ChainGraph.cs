using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Strategies;

namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The table every solver reads (docs/planner.md, "How it solves"): units are positions 0..n on a path, and a plan is a
/// path of arcs, each the closed-form cost of one strategy over a run of units (<see cref="Arc"/>). The arcs come from
/// <see cref="StrategyRegistry"/>: the solvers never see a strategy, only arcs. A spanning strategy's arcs from a unit
/// stop at the first unit it may not run, so no arc spans a unit its strategy does not allow.
/// </summary>
internal sealed class ChainGraph
{
    private readonly long[] _negNetSuffix;

    private readonly UnitCosts _costs;

    /// <param name="model">The step's cost model.</param>
    /// <param name="maxSegment">The most units one spanning arc covers.</param>
    /// <param name="deadline">When building must stop (<see cref="Deadline.PassedException"/>): n·L arcs take about a
    /// second at 10,000 units on a loaded 2-core machine, more than a short time limit.</param>
    public ChainGraph(StepCostModel model, int maxSegment, Deadline deadline = default)
    {
        var costs = _costs = new UnitCosts(model);
        int n = Stages = costs.Stages.Count;
        MaxSegment = Math.Min(maxSegment, n);
        FixedBytes = model.Profile.FixedBytes.Total;
        Ticks = costs.Ticks;
        Out = new Arc[n][];
        Skip = new int[n][];
        var list = new List<Arc>();
        var skip = new List<int>();
        // Σ skip_gradient_bytes of the units before each position: what an arc's units free as skips' gradients join theirs.
        var skipGradients = new long[n + 1];
        for (int i = 0; i < n; i++) skipGradients[i + 1] = skipGradients[i] + costs.Stages[i].SkipGradientBytes;
        for (int p = 0; p < n; p++)
        {
            deadline.ThrowIfPassed();
            list.Clear();
            skip.Clear();
            var offered = StrategyRegistry.At(costs, p).ToList();
            foreach (var s in StrategyRegistry.All)
            {
                if (!offered.Contains(s)) continue;
                int length = 1;
                if (s.Spans)
                    // A segment continues past a unit only where that unit's output feeds nothing but the next unit.
                    while (length < MaxSegment && p + length < n && !costs.Stages[p + length - 1].OutputUsedLater && s.Allows(costs, p + length)) length++;
                int from = list.Count;
                s.AddArcs(costs, p, length, (byte)StrategyIndex(s), list);
                // A skip's gradient is freed after the backward of the unit whose input gradient joins it, whatever the strategy.
                if (skipGradients[n] != 0)
                    for (int j = from; j < list.Count; j++)
                        if (skipGradients[p + list[j].Length] - skipGradients[p] is var merged and not 0)
                            list[j] = list[j] with { Release = list[j].Release + merged };
                // Within one strategy's arcs from p, in order of length: where the forward point only grows, an arc
                // that does not fit lets the search skip the rest of them.
                for (int j = from; j < list.Count; j++) skip.Add(j + 1);
                for (int j = list.Count - 2; j >= from; j--)
                    if (list[j + 1].Forward >= list[j].Forward) skip[j] = skip[j + 1];
            }
            if (!list.Any(IsBase))
                throw new InvalidOperationException($"unit {p} has no one-unit zero-tick arc: every unit must be keepable.");
            Out[p] = [.. list];
            Skip[p] = [.. skip];
        }
        deadline.ThrowIfPassed();
        InputRelease = [.. Enumerable.Range(0, n).Select(costs.InputRelease)];
        KeptInputRelease = [.. Enumerable.Range(0, n).Select(costs.KeptInputRelease)];
        KeptHandleRelease = [.. Enumerable.Range(0, n).Select(costs.KeptHandleRelease)];
        UnitTicks = UnitTickFloors(costs.Ticks.ToArray());
        ZeroNet = new long[n]; ZeroHold = new long[n]; TickedNetFloor = new long[n]; TickedHoldFloor = new long[n]; CanTick = new bool[n];
        for (int i = 0; i < n; i++) { ZeroNet[i] = long.MaxValue; ZeroHold[i] = long.MaxValue; }
        for (int p = 0; p < n; p++)
            foreach (var arc in Out[p])
            {
                int last = p + arc.Length - 1;
                if (IsBase(arc))
                {
                    ZeroNet[p] = Math.Min(ZeroNet[p], arc.Hold - arc.Release);
                    ZeroHold[p] = Math.Min(ZeroHold[p], arc.Hold);
                    continue;
                }
                for (int i = p; i <= last; i++) CanTick[i] = true;
                TickedNetFloor[last] = Math.Min(TickedNetFloor[last], arc.Hold - arc.Release);
                TickedHoldFloor[last] = Math.Min(TickedHoldFloor[last], arc.Hold);
            }
        _negNetSuffix = new long[n + 1];
        for (int i = n - 1; i >= 0; i--) _negNetSuffix[i] = _negNetSuffix[i + 1] + Math.Min(0, Math.Min(ZeroNet[i], TickedNetFloor[i]));
    }

    /// <summary>
    /// A base arc: one unit, no ticks (keep, tidy keep). The bounds take every unit as run by one of its base arcs or
    /// covered by another arc, which spends at least <see cref="UnitTicks"/> on it.
    /// </summary>
    public static bool IsBase(Arc arc) => arc.Length == 1 && arc.Ticks == 0;

    private static int StrategyIndex(PlanStrategy s)
    {
        for (int i = 0; i < StrategyRegistry.All.Count; i++)
            if (ReferenceEquals(StrategyRegistry.All[i], s)) return i;
        throw new InvalidOperationException($"strategy '{s.Name}' is not registered.");
    }

    /// <summary>
    /// Per unit, ticks that every ticked arc over it spends on it at least: its own ticks, lowered to what a one-unit
    /// ticked arc costs; set to 0 over any longer arc that spends less than the sum, so the bounds stay valid.
    /// </summary>
    private long[] UnitTickFloors(long[] floor)
    {
        for (int p = 0; p < Stages; p++)
            foreach (var arc in Out[p])
                if (!IsBase(arc) && arc.Length == 1) floor[p] = Math.Min(floor[p], arc.Ticks);
        for (int p = 0; p < Stages; p++)
            foreach (var arc in Out[p])
            {
                if (IsBase(arc) || arc.Length == 1) continue;
                long sum = 0;
                for (int i = p; i < p + arc.Length; i++) sum += floor[i];
                if (sum > arc.Ticks)
                    for (int i = p; i < p + arc.Length; i++) floor[i] = 0;
            }
        return floor;
    }

    public int Stages { get; }
    public int MaxSegment { get; }
    public long FixedBytes { get; }
    /// <summary>Recompute cost of each unit in ticks (<see cref="TimeTicks"/>).</summary>
    public TickTable Ticks { get; }
    /// <summary>The arcs leaving each position.</summary>
    public Arc[][] Out { get; }
    /// <summary>Per arc: the index of the next arc to try when this one's forward point does not fit.</summary>
    public int[][] Skip { get; }
    /// <summary>Bytes a checkpoint arc at p frees after its backward when the arc before it is one too: O_{p−1}, less what the model's forward holds.</summary>
    public long[] InputRelease { get; }
    /// <summary>Bytes an arc at p that is not a checkpoint arc (a kept unit) frees after its backward when the arc before it is a checkpoint arc: the part of O_{p−1} that its figures leave to a kept unit p−1's autograd (<see cref="SharedTensors.KeptInputRelease"/>).</summary>
    public long[] KeptInputRelease { get; }

    /// <summary>Per position: the part of <see cref="KeptInputRelease"/> that the kept arc frees with its input's handle, after its forward (it holds that much less).</summary>
    public long[] KeptHandleRelease { get; }

    /// <summary>What <paramref name="arc"/> at p frees after its backward beyond its release when the arc before it is a checkpoint arc.</summary>
    public long AfterCheckpoint(int p, in Arc arc) => arc.Checkpoint ? InputRelease[p] : KeptInputRelease[p] - KeptHandleRelease[p];

    /// <summary>How much less <paramref name="arc"/> at p holds when the arc before it is a checkpoint arc.</summary>
    public long HoldAfterCheckpoint(int p, in Arc arc) => arc.Checkpoint ? 0 : KeptHandleRelease[p];

    /// <summary>The most any arc at p lowers a by (less hold and more release) when the arc before it is a checkpoint arc.</summary>
    public long MostAfterCheckpoint(int p) => p < Stages ? Math.Max(InputRelease[p], KeptInputRelease[p]) : 0;
    /// <summary>Per unit: ticks any ticked arc spends on it at least.</summary>
    public long[] UnitTicks { get; }
    /// <summary>Per unit: the least hold − release of its base arcs.</summary>
    public long[] ZeroNet { get; }
    /// <summary>Per unit: the least hold of its base arcs.</summary>
    public long[] ZeroHold { get; }
    /// <summary>Per unit: min(0, least hold − release of the other arcs ending there).</summary>
    public long[] TickedNetFloor { get; }
    /// <summary>Per unit: min(0, least hold of the other arcs ending there).</summary>
    public long[] TickedHoldFloor { get; }
    /// <summary>Per unit: some arc that is not a base arc covers it.</summary>
    public bool[] CanTick { get; }

    /// <summary>
    /// The most the arcs from p on can lower a: Σ_{i ≥ p} of each unit's least net, and what the arc at p frees after a
    /// checkpoint arc (<see cref="MostAfterCheckpoint"/>) more when the arc before p is one. A run of checkpoint arcs changes
    /// a by its last hold minus the input its first arc frees (the frees telescope), a kept arc after a checkpoint arc frees
    /// at most that arc's hold (its output), so only an arc that follows the label's own checkpoint arc frees below the sum.
    /// </summary>
    public long NegativeNetSuffix(int p, bool afterCheckpoint) => _negNetSuffix[p] - (afterCheckpoint ? MostAfterCheckpoint(p) : 0);

    /// <summary>The arc at <paramref name="first"/> of <paramref name="length"/> units that runs as <paramref name="runs"/>, or −1.</summary>
    public int Find(int first, int length, SegmentStrategy runs)
    {
        var arcs = Out[first];
        for (int j = 0; j < arcs.Length; j++)
            if (arcs[j].Length == length && StrategyRegistry.All[arcs[j].Strategy].Runs == runs) return j;
        return -1;
    }

    /// <summary>The arcs of a plan's segments (runs that merge, kept ones, as one-unit arcs), as (position, index); null if one is not in the graph.</summary>
    public List<(int P, int J)>? ArcsOf(IReadOnlyList<Segment> segments)
    {
        var result = new List<(int, int)>();
        foreach (var s in segments)
        {
            if (SegmentList.Merges(s.Strategy))
                for (int i = s.First; i <= s.Last; i++) { int j = Find(i, 1, s.Strategy); if (j < 0) return null; result.Add((i, j)); }
            else { int j = Array.FindIndex(Out[s.First], a => a.Length == s.Length && StrategyRegistry.All[a.Strategy].SegmentOf(_costs, s.First, a) == s); if (j < 0) return null; result.Add((s.First, j)); }
        }
        return result;
    }

    /// <summary>A path of arcs as segments, kept runs merged.</summary>
    public IReadOnlyList<Segment> Segments(IEnumerable<(int P, int J)> path) =>
        SegmentList.MergeKeeps([.. path.Select(x => StrategyRegistry.All[Out[x.P][x.J].Strategy].SegmentOf(_costs, x.P, Out[x.P][x.J]))]);

    /// <summary>Whether the graph holds every segment of the plan (its recompute segments within the max length and allowed).</summary>
    public bool Holds(IReadOnlyList<Segment> segments) => ArcsOf(segments) is not null;
}
