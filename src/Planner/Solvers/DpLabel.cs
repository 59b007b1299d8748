using AutoCkpt.Formats.Plans;


namespace AutoCkpt.Planner.Solvers;

/// <summary>
/// A partial plan in <see cref="DynamicProgramSolver"/>: y (bytes held), a (y − releases + highest backward event),
/// f (highest forward event), all bytes above F; t (recompute ticks); and how it was built: the previous label's
/// index in the arena and its last segment (whose strategy decides whether a recompute arc next frees its input).
/// </summary>
internal readonly record struct DpLabel(long Y, long A, long F, long T, int Parent, int First, int Last, SegmentStrategy Strategy)
{
    /// <summary>The last arc is a recompute arc: a recompute arc next frees its input after its backward.</summary>
    public bool EndsRecompute => Parent >= 0 && Strategy == SegmentStrategy.Recompute;
}

/// <summary>All labels ever made, so that a plan is read back by following parent indices.</summary>
internal sealed class DpArena
{
    private DpLabel[] _items = new DpLabel[1024];

    public int Count { get; private set; }

    public ref DpLabel this[int i] => ref _items[i];

    public int Add(in DpLabel label)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count] = label;
        return Count++;
    }

    public IReadOnlyList<Segment> Segments(int index)
    {
        var segments = new List<Segment>();
        for (int i = index; _items[i].Parent >= 0; i = _items[i].Parent)
            segments.Add(new Segment(_items[i].First, _items[i].Last, _items[i].Strategy));
        segments.Reverse();
        return SegmentList.MergeKeeps(segments);
    }
}

/// <summary>
/// Drops every label that another one matches or beats in t, y, a and f̂ = max(f, a + lowest), where lowest is the
/// most the rest of the chain can lower a: a label's final peak is at least f̂, so beating f̂ is enough. A label that
/// ends with a recompute arc may drop one that does not (a recompute arc next frees its input for it alone), never
/// the reverse; its lowest is lower by that input. Labels are taken by t; those whose f̂ is a + lowest (the usual
/// case) are checked in (y, a) with a prefix minimum over y (a Fenwick tree per kind), the rest one by one.
/// </summary>
internal static class DpPareto
{
    public static int[] Filter(DpArena arena, List<int> layer, long lowest, long lowestAfterRecompute)
    {
        int m = layer.Count;
        var order = layer.ToArray();
        long Lowest(in DpLabel x) => x.EndsRecompute ? lowestAfterRecompute : lowest;
        long FHat(in DpLabel x) => Math.Max(x.F, x.A + Lowest(x));
        Array.Sort(order, (i, j) =>
        {
            ref var x = ref arena[i];
            ref var z = ref arena[j];
            int c = x.T.CompareTo(z.T);
            if (c == 0) c = x.Y.CompareTo(z.Y);
            if (c == 0) c = x.A.CompareTo(z.A);
            if (c == 0) c = FHat(x).CompareTo(FHat(z));
            return c != 0 ? c : i.CompareTo(j);
        });
        var ys = new long[m];
        for (int k = 0; k < m; k++) ys[k] = arena[order[k]].Y;
        Array.Sort(ys);
        int distinct = ys.Length == 0 ? 0 : 1;
        for (int k = 1; k < m; k++) if (ys[k] != ys[distinct - 1]) ys[distinct++] = ys[k];
        var plain = new long[distinct + 1];      // labels ending with a keep arc (or none)
        var recomputed = new long[distinct + 1]; // labels ending with a recompute arc
        Array.Fill(plain, long.MaxValue);
        Array.Fill(recomputed, long.MaxValue);
        var high = new List<int>();
        var kept = new List<int>(m);
        foreach (int idx in order)
        {
            ref var x = ref arena[idx];
            bool rec = x.EndsRecompute;
            long fx = FHat(x);
            int pos = Array.BinarySearch(ys, 0, distinct, x.Y) + 1;
            if (PrefixMin(recomputed, pos) <= x.A || (!rec && PrefixMin(plain, pos) <= x.A)) continue;
            bool dominated = false;
            foreach (int h in high)
            {
                ref var k = ref arena[h];
                if ((k.EndsRecompute || !rec) && k.Y <= x.Y && k.A <= x.A && FHat(k) <= fx) { dominated = true; break; }
            }
            if (dominated) continue;
            kept.Add(idx);
            if (fx > x.A + Lowest(x)) high.Add(idx);
            else
            {
                var tree = rec ? recomputed : plain;
                for (int p = pos; p <= distinct; p += p & -p) tree[p] = Math.Min(tree[p], x.A);
            }
        }
        return [.. kept];
    }

    private static long PrefixMin(long[] tree, int pos)
    {
        long min = long.MaxValue;
        for (int p = pos; p > 0; p -= p & -p) min = Math.Min(min, tree[p]);
        return min;
    }
}
