using System.Diagnostics;

namespace AutoCkpt.Cli.Hosting;

/// <summary>Runs a child process and hands each line of its output to a callback as it comes.</summary>
internal static class ProcessRunner
{
    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="args"/> and waits for it to exit. Standard output lines go
    /// to <paramref name="onOutput"/>, standard error lines to <paramref name="onError"/>, one at a time. Returns the exit code.
    /// </summary>
    public static int Run(string file, IEnumerable<string> args, Action<string> onOutput, Action<string> onError,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var gate = new object();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) onOutput(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) onError(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return process.ExitCode;
    }
}
