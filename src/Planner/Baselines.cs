using AutoCkpt.Formats.Plans;
using AutoCkpt.Planner.CostModel;


namespace AutoCkpt.Planner;

/// <summary>
/// The common strategies a plan is compared with, by fixed names: <c>none</c> (the plain model),
/// <c>tidy</c> (no recompute, dead intermediates freed), <c>every_stage</c>, <c>uniform_k</c> (PyTorch's
/// <c>checkpoint_sequential(k)</c>) and <c>sqrt_n</c>. The segments are the same for <c>none</c> and <c>tidy</c>: what
/// differs is the cost model they are scored with. <c>none</c> is scored plain; the others with the tidy cost model
/// (<see cref="TidyCosts"/>), kept stages tidy, which is what PyTorch gives (its autograd frees dead intermediates).
/// </summary>
public static class Baselines
{
    /// <summary>No checkpointing: one kept segment.</summary>
    public static IReadOnlyList<Segment> None(int stages) => [new Segment(0, stages - 1, SegmentStrategy.Keep)];

    /// <summary>Every stage recomputed on its own, the last one too (what <c>gradient_checkpointing_enable()</c> does).</summary>
    public static IReadOnlyList<Segment> EveryStage(int stages) =>
        [.. Enumerable.Range(0, stages).Select(i => new Segment(i, i, SegmentStrategy.Recompute))];

    /// <summary>
    /// <c>checkpoint_sequential(k)</c>: k−1 recomputed segments of ⌊n/k⌋ stages, then the rest run normally.
    /// k = 1 is <see cref="None"/>. Throws <see cref="ArgumentOutOfRangeException"/> unless 1 ≤ k ≤ n.
    /// </summary>
    public static IReadOnlyList<Segment> Uniform(int stages, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, stages);
        int size = stages / k;
        var segments = new List<Segment>(k);
        for (int s = 0; s < k - 1; s++)
            segments.Add(new Segment(s * size, s * size + size - 1, SegmentStrategy.Recompute));
        segments.Add(new Segment((k - 1) * size, stages - 1, SegmentStrategy.Keep));
        return segments;
    }

    /// <summary>
    /// Chen et al.'s √n: k = ⌈√n⌉ segments of balanced length (the first n mod k one stage longer), all recomputed
    /// but the last, whose backward follows its forward at once.
    /// </summary>
    public static IReadOnlyList<Segment> SqrtN(int stages)
    {
        int k = (int)Math.Ceiling(Math.Sqrt(stages));
        int size = stages / k, extra = stages % k, first = 0;
        var segments = new List<Segment>(k);
        for (int s = 0; s < k; s++)
        {
            int last = first + size + (s < extra ? 1 : 0) - 1;
            segments.Add(new Segment(first, last, s == k - 1 ? SegmentStrategy.Keep : SegmentStrategy.Recompute));
            first = last + 1;
        }
        return segments;
    }

    /// <summary>The k listed in plan files: every k in 2..n up to 16 stages, else 2, 3, 4, 6, 8, 12, 16, 24, … and n.</summary>
    public static IReadOnlyList<int> ListedUniformKs(int stages)
    {
        if (stages <= 16) return [.. Enumerable.Range(2, Math.Max(0, stages - 1))];
        var ks = new SortedSet<int>();
        for (int p = 2; p <= stages; p *= 2)
        {
            ks.Add(p);
            if (p + p / 2 <= stages && p >= 2) ks.Add(p + p / 2);
        }
        ks.Add(stages);
        return [.. ks];
    }

    /// <summary>The baseline scored with the plain cost model (the plain model, dead intermediates kept): <c>none</c>.</summary>
    public const string Plain = "none";

    /// <summary>No recompute, every kept stage tidy: the plain model's segments under the tidy cost model.</summary>
    public const string Tidy = "tidy";

    /// <summary>Whether baseline <paramref name="name"/> is scored with the plain cost model (<c>none</c>) rather than the tidy one.</summary>
    public static bool IsPlain(string name) => name == Plain;

    /// <summary>The named baselines in file order: none, tidy, every_stage, uniform_k (listed k), sqrt_n.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<Segment> Segments)> Standard(int stages)
    {
        var list = new List<(string, IReadOnlyList<Segment>)> { (Plain, None(stages)), (Tidy, None(stages)), ("every_stage", EveryStage(stages)) };
        list.AddRange(ListedUniformKs(stages).Select(k => ($"uniform_{k}", Uniform(stages, k))));
        list.Add(("sqrt_n", SqrtN(stages)));
        return list;
    }

    /// <summary>The segments of a baseline by name, or null for an unknown name.</summary>
    public static IReadOnlyList<Segment>? ByName(string name, int stages)
    {
        if (name is Plain or Tidy) return None(stages);
        if (name == "every_stage") return EveryStage(stages);
        if (name == "sqrt_n") return SqrtN(stages);
        if (name.StartsWith("uniform_", StringComparison.Ordinal) && int.TryParse(name.AsSpan(8), out int k) && k >= 1 && k <= stages)
            return Uniform(stages, k);
        return null;
    }

    /// <summary>
    /// The fastest of none and uniform_k for every k in 2..n whose predicted peak fits <paramref name="capBytes"/>;
    /// ties go to the lower peak, then the smaller k. Null when none fits. Under a tidy cost model
    /// (<see cref="StepCostModel.IsTidy"/>) k = 1 is named <c>tidy</c>.
    /// </summary>
    public static (string Name, Prediction Prediction)? BestUniform(StepCostModel model, long capBytes)
    {
        (string, Prediction)? best = null;
        for (int k = 1; k <= model.Stages; k++)
        {
            var p = model.Predict(Uniform(model.Stages, k));
            if (p.PeakBytes > capBytes) continue;
            if (best is not { } b || p.StepSeconds < b.Item2.StepSeconds || (p.StepSeconds == b.Item2.StepSeconds && p.PeakBytes < b.Item2.PeakBytes))
                best = (k == 1 ? (model.IsTidy ? Tidy : Plain) : $"uniform_{k}", p);
        }
        return best;
    }
}
