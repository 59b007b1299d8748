using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using TorchSharp;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>Builds plans for a model from a compact description, e.g. "r0-2 k3-4 r5-7".</summary>
internal static class Plans
{
    /// <summary>
    /// A valid plan for <paramref name="model"/>. <paramref name="segments"/> lists segments as
    /// "k" (keep), "t" (keep, tidy), "r" (recompute) or "s" (recompute one unit save-matmuls), a kept unit recomputing sub-modules "k2[attn]" or "t2[attn,mlp]", followed by "first-last" or a single stage, separated by spaces.
    /// The plan names its units by the paths the finder gives them (format 2).
    /// </summary>
    public static Plan For(torch.nn.Module model, string segments, string deviceType = "cpu")
    {
        var units = AutoCkpt.Units.UnitFinder.Find(model);
        return new Plan
        {
            Target = "test",
            Model = new ModelInfo(units.Fingerprint, units.Count),
            Device = new DeviceInfo(deviceType, deviceType == "cpu" ? "test CPU" : "NVIDIA H100 80GB HBM3"),
            BatchSize = 8,
            MemoryCapBytes = 1_000_000,
            Segments = Parse(segments),
            UnitPaths = units.Paths,
            TidyUnits = Tidy(segments, units.Count),
        };
    }

    /// <summary>Every stage its own recompute segment.</summary>
    public static Plan EveryStage(torch.nn.Module model)
    {
        int n = AutoCkpt.Units.UnitFinder.Find(model).Count;
        return For(model, string.Join(' ', Enumerable.Range(0, n).Select(i => $"r{i}")));
    }

    /// <summary>One keep segment over all stages.</summary>
    public static Plan KeepAll(torch.nn.Module model) => For(model, $"k0-{AutoCkpt.Units.UnitFinder.Find(model).Count - 1}");

    /// <summary>Per stage: true inside a "t" segment.</summary>
    public static IReadOnlyList<bool> Tidy(string segments, int stages) => Marked(segments, stages, 't');

    /// <summary>Per stage: true inside a segment written with <paramref name="letter"/>.</summary>
    private static bool[] Marked(string segments, int stages, char letter)
    {
        var tidy = new bool[stages];
        foreach (var (s, segment) in segments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Zip(Parse(segments)))
            if (s[0] == letter)
                for (int i = segment.First; i <= Math.Min(segment.Last, stages - 1); i++) tidy[i] = true;
        return tidy;
    }

    public static IReadOnlyList<Segment> Parse(string segments) =>
        segments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s =>
        {
            var strategy = s[0] switch { 'r' => SegmentStrategy.Recompute, 's' => SegmentStrategy.SaveMatmuls, _ => SegmentStrategy.Keep };
            // A kept unit recomputing sub-modules: "k2[attn]", "t2[attn,mlp]".
            int open = s.IndexOf('[');
            var range = s[1..(open < 0 ? s.Length : open)].Split('-');
            int first = int.Parse(range[0]);
            var segment = new Segment(first, range.Length > 1 ? int.Parse(range[1]) : first, strategy);
            return open < 0 ? segment : segment with { Strategy = SegmentStrategy.SubModule, Option = s[(open + 1)..^1] };
        }).ToList();
}
