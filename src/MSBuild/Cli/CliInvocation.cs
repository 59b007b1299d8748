using Microsoft.Build.Utilities;

namespace AutoCkpt.MSBuild.Cli;

/// <summary>
/// Runs one autockpt verb (`dotnet exec autockpt.dll VERB ... --out FILE`). The command line writes FILE atomically
/// (AutoCkpt.Formats' AtomicFile: a temporary file renamed over it), so a reader never sees half a file, and the
/// file's header names the real file. The child's "FILE: error ACKPTnnn: message" lines become build errors and
/// warnings with code and file. On failure the file is deleted when <c>deleteOnFailure</c> says so (a plan: no stale
/// plan survives a failed build; never a profile, which is the user's own file).
/// </summary>
internal sealed class CliInvocation(TaskLoggingHelper log, ICommandRunner runner, string dotnetHost, string cliAssembly, string workingDirectory)
{
    /// <summary>How many of the child's last non-empty output lines an ACKPT062 error quotes.</summary>
    private const int QuotedLines = 6;

    /// <summary>
    /// Runs <paramref name="verbArguments"/> with <c>--out</c> <paramref name="destination"/>. Returns true when the
    /// verb succeeded and <paramref name="destination"/> exists; <paramref name="changed"/> says whether its content
    /// differs from before.
    /// </summary>
    public bool RunToFile(IReadOnlyList<string> verbArguments, string destination, bool deleteOnFailure, CancellationToken cancellation, out bool changed)
    {
        changed = false;
        if (!File.Exists(cliAssembly))
        {
            log.LogError("AutoCkpt", AckptCodes.PlannerProcessFailed, null, cliAssembly, 0, 0, 0, 0,
                $"the autockpt command line was not found at '{cliAssembly}': reinstall the AutoCkpt.MSBuild package, or set AutoCkptCliAssembly.");
            return false;
        }
        string full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        byte[]? before = File.Exists(full) ? File.ReadAllBytes(full) : null;
        var args = new List<string> { "exec", cliAssembly };
        args.AddRange(verbArguments);
        args.AddRange(["--out", full]);
        log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "AutoCkpt: {0} {1}", dotnetHost, string.Join(" ", args.Select(Quote)));
        var result = runner.Run(dotnetHost, args, workingDirectory, cancellation);
        bool reported = Report(result);
        if (result.ExitCode != 0 || !File.Exists(full))
        {
            if (!reported)
                log.LogError("AutoCkpt", AckptCodes.PlannerProcessFailed, null, cliAssembly, 0, 0, 0, 0,
                    $"'autockpt {verbArguments.FirstOrDefault()}' exited with code {result.ExitCode}" +
                    (result.ExitCode == 0 ? $" but wrote no '{full}'" : "") + ". Its last output: " + Tail(result));
            if (deleteOnFailure) DeleteQuietly(full);
            return false;
        }
        changed = before is null || !before.AsSpan().SequenceEqual(File.ReadAllBytes(full));
        return true;
    }

    /// <summary>Logs the child's output; returns true when it reported at least one error.</summary>
    private bool Report(CommandResult result)
    {
        bool anyError = false;
        foreach (string line in result.StandardOutput.Concat(result.StandardError))
        {
            var d = CliDiagnostic.TryParse(line);
            if (d is null)
            {
                log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "{0}", line);
            }
            else if (d.IsError)
            {
                anyError = true;
                log.LogError("AutoCkpt", d.Code, null, d.File, d.Line, d.Column, 0, 0, d.Message);
            }
            else
            {
                log.LogWarning("AutoCkpt", d.Code, null, d.File, d.Line, d.Column, 0, 0, d.Message);
            }
        }
        return anyError;
    }

    // One line, so that IDEs and the console show it as one error.
    private static string Tail(CommandResult r)
    {
        var lines = r.StandardOutput.Concat(r.StandardError).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? "(none)" : string.Join(" | ", lines.Skip(Math.Max(0, lines.Count - QuotedLines)));
    }

    private static string Quote(string a) => a.Length > 0 && !a.Any(char.IsWhiteSpace) ? a : "\"" + a + "\"";

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring a file that cannot be deleted.</summary>
    internal static void DeleteQuietly(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
