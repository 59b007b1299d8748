using System.Diagnostics;

namespace AutoCkpt.MSBuild.Cli;

/// <summary>
/// Runs the autockpt command line as a child process, so that its native code (OR-Tools, libtorch) never loads into
/// an MSBuild node. Cancelling kills the whole process tree.
/// </summary>
internal sealed class ProcessCommandRunner : ICommandRunner
{
    // Set by the dotnet CLI for the build itself; a child that builds (autockpt profile --project x.csproj) must
    // find its own MSBuild, not inherit ours.
    private static readonly string[] ScrubbedVariables =
        ["MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "MSBUILDNOINPROCNODE"];

    public CommandResult Run(string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellation)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        foreach (string v in ScrubbedVariables) info.Environment.Remove(v);

        var stdout = new List<string>();
        var stderr = new List<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.Add(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            process.WaitForExit();
        cancellation.ThrowIfCancellationRequested();
        return new CommandResult(process.ExitCode, stdout, stderr);
    }
}
