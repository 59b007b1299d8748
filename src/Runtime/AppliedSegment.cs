using AutoCkpt.Formats.Plans;


namespace AutoCkpt;

/// <summary>A plan segment as applied to a model: stages <paramref name="First"/>..<paramref name="Last"/> (0-based, inclusive).</summary>
/// <param name="First">The segment's first stage.</param>
/// <param name="Last">The segment's last stage.</param>
/// <param name="Strategy">How the segment runs: keep (run normally), recompute (keep only the input, recompute in backward), or another plan strategy (<see cref="SegmentStrategy.All"/>).</param>
/// <param name="StageNames">The names of the segment's stages, in order.</param>
public sealed record AppliedSegment(int First, int Last, SegmentStrategy Strategy, IReadOnlyList<string> StageNames)
{
    /// <summary>The number of stages in the segment.</summary>
    public int Length => Last - First + 1;
}
