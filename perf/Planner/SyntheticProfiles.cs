using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Perf.Planner;

/// <summary>
/// GPT-shaped chains for the planner benchmark, scaled from the GPT-2-medium stack in
/// shared/notes/reference-numbers.md (batch 8 x 1024 tokens, d = 1024, fp32): an embedding stage, n − 2 blocks
/// of two kinds (every third one attention-heavy), and an LM head whose logits dwarf a block's output. Blocks
/// of one kind hold the same bytes, as measured tensors of the same shapes do; their times differ by ±2%, as
/// measured medians do. As in the runtime's stage chain, a block keeps its input saved (layer norm), so nothing is
/// freed when its input handle is disposed, and its backward releases what autograd saved, less the input gradient.
/// </summary>
internal static class SyntheticProfiles
{
    public static Profile Gpt(int stages, int seed, double timeNoise = 0.02)
    {
        var rng = new Random(seed);
        double Noise() => 1 - timeNoise + 2 * timeNoise * rng.NextDouble();
        long Mb(double mb) => (long)(mb * 1_000_000);
        var list = new List<StageProfile>
        {
            new("embed", 0.0004, 0.0008, Mb(33.5), Mb(33.5), 0, Mb(33.5)),
        };
        for (int i = 1; i < stages - 1; i++)
        {
            // A block: output 33.5 MB, ~548 MB kept by autograd and handles, transients of a few outputs.
            bool attentionHeavy = i % 3 == 0;
            double scale = attentionHeavy ? 1.3 : 1.0;
            list.Add(new StageProfile($"blocks.{i - 1}", 0.005 * scale * Noise(), 0.010 * scale * Noise(), Mb(33.5),
                Mb(548 * scale), Mb(134 * scale), Mb(200 * scale)) { BackwardFreedBytes = Mb(548 * scale - 2 * 33.5) });
        }
        list.Add(new StageProfile("lm_head", 0.012, 0.024, Mb(1647), Mb(1680), Mb(1647), Mb(1647)));
        return new Profile
        {
            Target = "gpt-synthetic",
            Model = new ModelInfo($"sha256:synthetic-{stages}-{seed}", stages),
            Device = new DeviceInfo("cuda", "synthetic"),
            BatchSize = 8,
            FixedBytes = new FixedBytes(Mb(1420), Mb(1420), Mb(2840), Mb(0.07)),
            Stages = list,
        };
    }
}
