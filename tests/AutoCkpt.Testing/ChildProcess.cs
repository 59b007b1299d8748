using System.Diagnostics;

namespace AutoCkpt.Testing;

/// <summary>
/// The tests' one way to run a child process (the tool, <c>dotnet build</c>, a built app, the fuzzer's targets): to
/// completion, keeping what it printed, with standard input closed so that nothing waits on it. Past its limit the
/// whole process tree is killed and the result has no exit code. The tool itself streams its children's lines with
/// src/Cli/Hosting/ProcessRunner.cs, which the tests do not need.
/// </summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="workDir"/>. Each entry of
    /// <paramref name="environment"/> sets a variable, or removes it when its value is null.
    /// </summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, string workDir, TimeSpan? limit = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        string command = $"{file} {string.Join(' ', info.ArgumentList)}";
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(info)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit ?? Timeout.InfiniteTimeSpan))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            return new ProcessResult(command, null, Tail(stdout), Tail(stderr), watch.Elapsed.TotalSeconds);
        }
        p.WaitForExit();
        return new ProcessResult(command, p.ExitCode, stdout.Result, stderr.Result, watch.Elapsed.TotalSeconds);
    }

    /// <summary>What a killed process had written, if its pipes close soon.</summary>
    private static string Tail(Task<string> text) => text.Wait(TimeSpan.FromSeconds(5)) ? text.Result : "";
}
