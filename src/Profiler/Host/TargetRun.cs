using AutoCkpt.Formats.Errors;
using AutoCkpt.Profiler.Torch;

namespace AutoCkpt.Profiler.Host;

/// <summary>
/// What the verbs that run a target's model share: the target named by <c>--assembly</c> and <c>--target</c>, the
/// device it runs on, the option checks, and running the model with a device out of memory turned into ACKPT028.
/// </summary>
internal static class TargetRun
{
    /// <summary>
    /// Loads the app named by <c>--assembly</c> and creates the target <c>--target</c> names (or its only one).
    /// Throws <see cref="AckptException"/> ACKPT024/025/026 (<see cref="TargetLocator.Select"/>).
    /// </summary>
    public static ICheckpointTarget LoadTarget(HostArgs args) =>
        TargetLocator.Select(HostAssemblyResolver.LoadApp(args.Require("assembly")), args.Get("target"));

    /// <summary>The unit patterns <c>--units</c> gives (one ',' separated list), or none.</summary>
    public static IReadOnlyList<string> Units(HostArgs args) => args.Get("units") is { } u ? [u] : [];

    /// <summary>Throws ACKPT080 naming every option when any of their values is below 1.</summary>
    public static void RequirePositive(params (string Option, int Value)[] options)
    {
        if (options.All(o => o.Value >= 1)) return;
        throw new AckptException(ErrorCodes.BadArgument,
            string.Join(" and ", options.Select(o => $"--{o.Option} ({o.Value})")) + " must be at least 1.");
    }

    /// <summary>Opens <c>--device</c>, or <paramref name="defaultType"/> when none is given (ACKPT027, ACKPT080).</summary>
    public static ProfilingDevice OpenDevice(HostArgs args, string defaultType) => ProfilingDevice.Open(args.Get("device") ?? defaultType);

    /// <summary>
    /// Runs <paramref name="work"/> on the target's model; libtorch running out of device memory becomes ACKPT028
    /// saying what was being done (<paramref name="doing"/>, e.g. "profiling") and to try a smaller batch.
    /// </summary>
    public static T Run<T>(ProfilingDevice device, ICheckpointTarget target, int batchSize, string doing, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is not AckptException && OutOfMemory.Is(e))
        {
            throw new AckptException(ErrorCodes.OutOfMemory,
                $"the {device.Info.Type} device ran out of memory {doing} '{target.Name}' at batch size {batchSize}: try a smaller --batch-size. ({HostProgram.FirstLine(e)})");
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, so that messages keep their order.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
