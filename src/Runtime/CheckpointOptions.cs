using AutoCkpt.Formats.Options;


namespace AutoCkpt;

/// <summary>Options for <see cref="Checkpointing.Apply{T}(T, string?, Action{string}?, CheckpointOptions?)"/> and <see cref="Checkpointing.Tidy"/>.</summary>
public sealed record CheckpointOptions
{
    /// <summary>
    /// Module path patterns of units that must not be tidy, whatever the plan says (e.g. <c>["head", "blocks.*"]</c>;
    /// syntax: <see cref="NoTidyPatterns"/>). Such units keep every tensor handle they made until the step's dispose
    /// scope ends. Give the same patterns to the planner (<c>autockpt plan --no-tidy</c>, MSBuild
    /// <c>AutoCkptNoTidy</c>) so that its memory prediction does not count on them being tidy.
    /// </summary>
    public IReadOnlyList<string> NoTidy { get; init; } = [];

    /// <summary>
    /// Module path patterns naming the model's units (e.g. <c>["layers.*"]</c>, <c>["blocks.*.attn"]</c>; syntax:
    /// <see cref="NoTidyPatterns"/>): the outermost modules whose paths match. Empty (the default): the units are found
    /// from the model's structure (<see cref="Units.UnitFinder"/>). Profile and plan with the same patterns.
    /// </summary>
    public IReadOnlyList<string> Units { get; init; } = [];

    /// <summary>Where <see cref="Units"/> came from, named in pattern errors (ACKPT100, ACKPT101): the bench and the
    /// profiler set <c>--units</c> or <c>ICheckpointTarget.Units</c>.</summary>
    internal string UnitsOrigin { get; init; } = "CheckpointOptions.Units";
}
