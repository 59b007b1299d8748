using AutoCkpt.Testing;

namespace AutoCkpt.Fuzz.Running;

/// <summary>
/// Runs <c>dotnet DLL ARGS</c> as a child process (the tests' <see cref="ChildProcess"/>), so that a stack overflow or
/// abort ends the child, not the fuzzer; with a timeout (the whole tree is killed) and a GC heap limit, so that a hang
/// or unbounded growth is seen, not suffered.
/// </summary>
public static class DotnetChild
{
    /// <summary>The child's GC heap limit, bytes: unbounded reading shows as OutOfMemoryException, not a machine out of memory.</summary>
    public const long HeapLimitBytes = 1L << 30;

    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["DOTNET_GCHeapHardLimit"] = $"0x{HeapLimitBytes:x}",
        ["DOTNET_DbgEnableMiniDump"] = "0",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["NO_COLOR"] = "1",
    };

    /// <summary>Runs the child in <paramref name="folder"/>; past <paramref name="timeout"/> its result has no exit code.</summary>
    public static ProcessResult Run(string dll, IEnumerable<string> args, string folder, TimeSpan timeout) =>
        ChildProcess.Run("dotnet", [dll, .. args], folder, timeout, Environment);
}
