namespace AutoCkpt.Planner.Strategies;

/// <summary>
/// One arc of the chain graph the solvers search (docs/planner.md, "How it solves"): units First..First+Length−1 run
/// under one strategy. Bytes are relative to a base: in the forward, F + the bytes held by the arcs before; in the
/// backward, F + all bytes held − the bytes released by the arcs after.
/// </summary>
/// <param name="Length">Units covered.</param>
/// <param name="Ticks">Recompute time (<c>TimeTicks</c>).</param>
/// <param name="Forward">Highest forward point above the base.</param>
/// <param name="Hold">Bytes held from the arc's forward to its backward.</param>
/// <param name="Release">Bytes its backward releases for good (net of what it makes).</param>
/// <param name="Backward">Highest backward point above the base (after the arcs behind it released theirs).</param>
/// <param name="Checkpoint">Keeps only its input: after another checkpoint arc it frees that input after its backward.</param>
/// <param name="Strategy">The strategy's index in <see cref="StrategyRegistry.All"/>.</param>
/// <param name="Variant">Which of its strategy's ways to run the units the arc is (the strategy reads it back in <see cref="PlanStrategy.SegmentOf(int, Arc)"/>); 0 for most.</param>
public readonly record struct Arc(int Length, long Ticks, long Forward, long Hold, long Release, long Backward, bool Checkpoint, byte Strategy, int Variant = 0);
