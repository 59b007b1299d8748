using System.Diagnostics;

namespace AutoCkpt.Fuzz.Running;

/// <summary>What one child process did.</summary>
/// <param name="ExitCode">Its exit code, or null when it was killed at the timeout.</param>
public sealed record ChildResult(int? ExitCode, string Out, string Err, double Seconds)
{
    /// <summary>True when it ran past the timeout and was killed.</summary>
    public bool TimedOut => ExitCode is null;
}

/// <summary>
/// Runs <c>dotnet DLL ARGS</c> as a child process, so that a stack overflow or abort ends the child, not the
/// fuzzer; with a timeout (the whole tree is killed) and a GC heap limit, so that a hang or unbounded growth is
/// seen, not suffered.
/// </summary>
public static class ChildProcess
{
    /// <summary>The child's GC heap limit, bytes: unbounded reading shows as OutOfMemoryException, not a machine out of memory.</summary>
    public const long HeapLimitBytes = 1L << 30;

    /// <summary>Runs the child in <paramref name="folder"/>.</summary>
    public static ChildResult Run(string dll, IEnumerable<string> args, string folder, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_GCHeapHardLimit"] = $"0x{HeapLimitBytes:x}";
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            return new ChildResult(null, Tail(output), Tail(err), watch.Elapsed.TotalSeconds);
        }
        p.WaitForExit();
        return new ChildResult(p.ExitCode, output.Result, err.Result, watch.Elapsed.TotalSeconds);
    }

    private static string Tail(Task<string> text) => text.Wait(TimeSpan.FromSeconds(5)) ? text.Result : "";
}
