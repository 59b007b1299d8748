namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// The unit patterns a target's model is profiled and benched with: those given for the run (<c>--units</c>, or the
/// MSBuild property <c>AutoCkptUnits</c> through it) when there are any, else the target's own
/// (<see cref="ICheckpointTarget.Units"/>), else none (units found from the model's structure). Pattern errors name
/// where the patterns came from.
/// </summary>
internal static class TargetUnits
{
    /// <summary>The origin named for the target's own patterns.</summary>
    public const string TargetOrigin = "ICheckpointTarget.Units";

    /// <summary>
    /// The checkpoint options for <paramref name="target"/>'s model: its no-tidy patterns and the unit patterns chosen as
    /// above (<paramref name="given"/> from <paramref name="givenOrigin"/>).
    /// </summary>
    public static CheckpointOptions Options(ICheckpointTarget target, IReadOnlyList<string>? given, string givenOrigin) =>
        given is { Count: > 0 }
            ? new CheckpointOptions { NoTidy = target.NoTidy, Units = given, UnitsOrigin = givenOrigin }
            : new CheckpointOptions { NoTidy = target.NoTidy, Units = target.Units ?? [], UnitsOrigin = TargetOrigin };
}
