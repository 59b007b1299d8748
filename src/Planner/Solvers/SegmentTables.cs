using AutoCkpt.Formats.Profiles;


namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// The cost model in closed form, per candidate segment, for the MIP (docs/cost-model.md, "The MIP's tables").
/// Kept runs are split into one-stage keep segments, which cost exactly the same. Every memory figure is
/// relative to a base: in the forward F + holdings of the segments before; in the backward
/// F + H − releases of the segments after, where H is all holdings.
/// </summary>
internal sealed class SegmentTables
{
    public SegmentTables(Profile profile, int maxSegment)
    {
        var s = profile.Stages;
        int n = s.Count;
        Stages = n;
        MaxSegment = Math.Min(maxSegment, n);
        FixedBytes = profile.FixedBytes.Total;
        Ticks = TimeTicks.Of(profile);
        KeepForward = new long[n]; KeepHold = new long[n]; KeepRelease = new long[n]; KeepBackward = new long[n];
        for (int i = 0; i < n; i++)
        {
            long outPrev = i > 0 ? s[i - 1].OutputBytes : 0;
            KeepForward[i] = s[i].RetainedBytes + s[i].ForwardTransientBytes;
            KeepHold[i] = s[i].RetainedBytes - (i > 0 ? s[i].InputFreedBytes : 0);
            KeepRelease[i] = s[i].BackwardFreedBytes + outPrev;
            KeepBackward[i] = Math.Max(s[i].OutputBytes + s[i].BackwardTransientBytes, -s[i].BackwardFreedBytes);
        }
        InputRelease = [.. Enumerable.Range(0, n).Select(i => i > 0 ? s[i - 1].OutputBytes : 0)];
        _negNetSuffix = new long[n + 1];
        for (int i = n - 1; i >= 0; i--) _negNetSuffix[i] = _negNetSuffix[i + 1] + Math.Min(0, KeepHold[i] - KeepRelease[i]);
        RecForward = new long[n][]; RecHold = new long[n][]; RecBackward = new long[n][]; RecTicks = new long[n][];
        for (int a = 0; a < n; a++)
        {
            int lengths = Math.Min(MaxSegment, n - a);
            RecForward[a] = new long[lengths]; RecHold[a] = new long[lengths]; RecBackward[a] = new long[lengths]; RecTicks[a] = new long[lengths];
            long held = 0, fwd = long.MinValue, refwd = long.MinValue, bwd = long.MinValue, ticks = 0;
            for (int l = 1; l <= lengths; l++)
            {
                int b = a + l - 1;
                var st = s[b];
                // Inside the segment's backward a stage keeps only what autograd saved (the profile's recompute
                // figures; the plain ones stand in when a profile has none).
                var rec = st.Recompute;
                long work = st.RetainedBytes + st.ForwardTransientBytes;
                // First run, no autograd: the previous stage's output and this stage's memory.
                fwd = Math.Max(fwd, (b > a ? s[b - 1].OutputBytes : 0) + work);
                // Re-run with autograd: what the stages before it in the segment kept, and this stage's memory.
                refwd = Math.Max(refwd, held + work);
                held += (rec?.RetainedBytes ?? st.RetainedBytes) - (b > a ? st.InputFreedBytes : 0);
                long freed = rec?.BackwardFreedBytes ?? st.BackwardFreedBytes;
                long release = freed + (b > 0 ? s[b - 1].OutputBytes : 0);
                // Backward of stage i in [a..b]: held − Σ_{j=i+1..b} release_j + max(O_i + BT'_i, −D'_i).
                long stageBackward = Math.Max(st.OutputBytes + (rec?.BackwardTransientBytes ?? st.BackwardTransientBytes), -freed);
                bwd = Math.Max(bwd == long.MinValue ? long.MinValue : bwd - release, stageBackward);
                ticks += Ticks[b];
                RecForward[a][l - 1] = fwd;
                RecHold[a][l - 1] = st.OutputBytes;
                // The disposal point (the base + O_{a−1}, or the base alone when the input is freed) is never above the
                // next point of the walk, the previous arc's first backward point, so it is left out.
                RecBackward[a][l - 1] = Math.Max(st.OutputBytes + refwd, held + bwd);
                RecTicks[a][l - 1] = ticks;
            }
        }
    }

    /// <summary>
    /// The most the arcs from p on can lower a: Σ_{i ≥ p} min(0, R_i − release_i) over kept stages, and O_{p−1} more
    /// when the arc before p is a recompute arc. A run of recompute arcs changes a by its last output minus the input
    /// its first arc frees (the frees telescope), and only a run that continues a recompute arc frees anything.
    /// </summary>
    public long NegativeNetSuffix(int p, bool afterRecompute) => _negNetSuffix[p] - (afterRecompute && p < Stages ? InputRelease[p] : 0);

    /// <summary>
    /// Bytes a recompute arc starting at position p frees after its backward when the arc before it is a recompute
    /// arc too: its saved input O_{p−1} (0 at p = 0).
    /// </summary>
    public long[] InputRelease { get; }

    private readonly long[] _negNetSuffix;

    public int Stages { get; }
    public int MaxSegment { get; }
    public long FixedBytes { get; }
    /// <summary>Recompute cost of each stage in ticks (<see cref="TimeTicks"/>).</summary>
    public long[] Ticks { get; }
    /// <summary>Stage i kept: forward peak above the base (R_i + FT_i).</summary>
    public long[] KeepForward { get; }
    /// <summary>Stage i kept: bytes held through the forward (R_i).</summary>
    public long[] KeepHold { get; }
    /// <summary>Stage i kept: bytes its backward releases for good (D_i + O_{i−1}).</summary>
    public long[] KeepRelease { get; }
    /// <summary>Stage i kept: backward peak above the base, output gradient included.</summary>
    public long[] KeepBackward { get; }
    /// <summary>Recompute segment [a, a+l−1] at [a][l−1]: forward peak above the base.</summary>
    public long[][] RecForward { get; }
    /// <summary>Recompute segment: bytes held through the forward (its output).</summary>
    public long[][] RecHold { get; }
    /// <summary>Recompute segment: highest point of its re-forward and backward above the base.</summary>
    public long[][] RecBackward { get; }
    /// <summary>Recompute segment: its recompute cost in ticks.</summary>
    public long[][] RecTicks { get; }
}
