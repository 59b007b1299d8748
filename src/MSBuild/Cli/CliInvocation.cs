using Microsoft.Build.Utilities;

namespace AutoCkpt.MSBuild.Cli;

/// <summary>
/// Runs one autockpt verb (`dotnet exec autockpt.dll VERB ... --out TMP`) and lands its output file atomically:
/// the child writes a temporary file beside the destination, which is renamed over it only when the content
/// differs. The child's "FILE: error ACKPTnnn: message" lines become build errors and warnings with code and file.
/// On failure the destination is deleted when <c>deleteOnFailure</c> says so (a plan: no stale plan survives a
/// failed build; never a profile, which is the user's own file).
/// </summary>
internal sealed class CliInvocation(TaskLoggingHelper log, ICommandRunner runner, string dotnetHost, string cliAssembly, string workingDirectory)
{
    /// <summary>How many of the child's last non-empty output lines an ACKPT062 error quotes.</summary>
    private const int QuotedLines = 6;

    /// <summary>
    /// Runs <paramref name="verbArguments"/> with <c>--out</c> pointing at a temporary file beside
    /// <paramref name="destination"/>. Returns true when the verb succeeded and <paramref name="destination"/> holds its
    /// output; <paramref name="changed"/> says whether the file was (re)written.
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
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var args = new List<string> { "exec", cliAssembly };
            args.AddRange(verbArguments);
            args.Add("--out");
            args.Add(tmp);
            log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "AutoCkpt: {0} {1}", dotnetHost, string.Join(" ", args.Select(Quote)));
            var result = runner.Run(dotnetHost, args, workingDirectory, cancellation);
            bool reported = Report(result, tmp, full);
            if (result.ExitCode != 0 || !File.Exists(tmp))
            {
                if (!reported)
                    log.LogError("AutoCkpt", AckptCodes.PlannerProcessFailed, null, cliAssembly, 0, 0, 0, 0,
                        $"'autockpt {verbArguments.FirstOrDefault()}' exited with code {result.ExitCode}" +
                        (result.ExitCode == 0 ? $" but wrote no '{tmp}'" : "") + ". Its last output: " + Tail(result));
                if (deleteOnFailure) DeleteQuietly(full);
                return false;
            }
            changed = MoveIfChanged(tmp, full);
            return true;
        }
        finally
        {
            DeleteQuietly(tmp);
        }
    }

    /// <summary>
    /// Logs the child's output; returns true when it reported at least one error. A diagnostic about the temporary
    /// file is shown on <paramref name="destination"/>, the file the user knows.
    /// </summary>
    private bool Report(CommandResult result, string tmp, string destination)
    {
        bool anyError = false;
        foreach (string line in result.StandardOutput.Concat(result.StandardError))
        {
            var d = CliDiagnostic.TryParse(line);
            if (d?.File is { } f && PathsEqual(f, tmp))
                d = d with { File = destination };
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

    private bool PathsEqual(string a, string b)
    {
        try { return Path.GetFullPath(a, workingDirectory) == Path.GetFullPath(b); }
        catch (ArgumentException) { return false; }
    }

    private static bool MoveIfChanged(string tmp, string destination)
    {
        if (File.Exists(destination) && FilesEqual(tmp, destination)) return false;
        File.Move(tmp, destination, overwrite: true);
        return true;
    }

    private static bool FilesEqual(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        return fa.Length == fb.Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }

    // One line, so that IDEs and the console show it as one error.
    private static string Tail(CommandResult r)
    {
        var lines = r.StandardOutput.Concat(r.StandardError).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? "(none)" : string.Join(" | ", lines.Skip(Math.Max(0, lines.Count - QuotedLines)));
    }

    private static string Quote(string a) => a.Length > 0 && !a.Any(char.IsWhiteSpace) ? a : "\"" + a + "\"";

    private static void DeleteQuietly(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
