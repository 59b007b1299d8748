using System.Diagnostics;
using AutoCkpt.Formats.Errors;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace AutoCkpt.MSBuild;

/// <summary>
/// An AutoCkpt task that runs one <c>autockpt</c> verb in a child process (<c>dotnet exec autockpt.dll VERB ...
/// --out FILE</c>, in the project's folder), so that OR-Tools and libtorch never load into MSBuild. It is MSBuild's
/// <see cref="ToolTask"/>: the child's "FILE: error ACKPTnnn: message" lines, the canonical form, become build errors
/// and warnings with code and file; cancelling the build kills the child. A child that fails without such a line is
/// ACKPT062, quoting its last output.
/// </summary>
public abstract class CliTask : ToolTask
{
    /// <summary>How many of the child's last non-empty output lines an ACKPT062 error quotes.</summary>
    private const int QuotedLines = 6;

    // Set by the dotnet CLI for the build itself; a child that builds (autockpt profile --project x.csproj) must
    // find its own MSBuild, not inherit ours.
    private static readonly string[] ScrubbedVariables =
        ["MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "MSBUILDNOINPROCNODE"];

    private readonly Queue<string> _tail = new();
    private IReadOnlyList<string> _arguments = [];

    /// <summary>The autockpt command line's assembly (autockpt.dll), run with <c>dotnet exec</c>.</summary>
    [Required] public string CliAssembly { get; set; } = "";

    /// <summary>The dotnet host that runs <see cref="CliAssembly"/>; default "dotnet", found on PATH.</summary>
    public string DotnetHost { get; set; } = "";

    /// <summary>The project file, named in errors about its properties; the child runs in its folder.</summary>
    public string ProjectFile { get; set; } = "";

    /// <summary>
    /// Tests only: runs the command line in the test's process instead of a child (arguments after
    /// <c>dotnet exec autockpt.dll</c>, working folder) and returns its exit code and output lines. Its lines go through
    /// <see cref="LogEventsFromTextOutput"/> as a child's would.
    /// </summary>
    internal Func<IReadOnlyList<string>, string, (int ExitCode, IReadOnlyList<string> Output)>? InProcessTool { get; set; }

    /// <inheritdoc />
    protected override string ToolName => "dotnet";

    /// <inheritdoc />
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Normal;

    /// <inheritdoc />
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

    private string WorkingDirectory =>
        ProjectFile.Length > 0 ? Path.GetDirectoryName(Path.GetFullPath(ProjectFile))! : Directory.GetCurrentDirectory();

    /// <inheritdoc />
    protected override string GenerateFullPathToTool() => DotnetHost.Length > 0 ? DotnetHost : ToolName;

    /// <inheritdoc />
    protected override string GetWorkingDirectory() => WorkingDirectory;

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch("exec");
        // Each argument whole, quoted where it needs it (AppendFileName would turn "--profile" into "./--profile").
        foreach (string a in _arguments) builder.AppendSwitchIfNotNull("", a);
        return builder.ToString();
    }

    /// <inheritdoc />
    protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
    {
        var info = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
        foreach (string v in ScrubbedVariables) info.Environment.Remove(v);
        return info;
    }

    /// <inheritdoc />
    protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        if (InProcessTool is null) return base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
        var (exitCode, output) = InProcessTool(_arguments.Skip(1).ToList(), WorkingDirectory);
        foreach (string line in output) LogEventsFromTextOutput(line, MessageImportance.Normal);
        return exitCode;
    }

    /// <summary>Keeps the child's last lines for ACKPT062; MSBuild turns canonical lines into errors and warnings.</summary>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (singleLine.Trim().Length > 0)
        {
            _tail.Enqueue(singleLine.Trim());
            if (_tail.Count > QuotedLines) _tail.Dequeue();
        }
        base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    /// <summary>A child that failed without a coded error: ACKPT062 with its exit code and last output.</summary>
    protected override bool HandleTaskExecutionErrors()
    {
        if (!Log.HasLoggedErrors)
            Log.LogError("AutoCkpt", ErrorCodes.PlannerProcessFailed, null, CliAssembly, 0, 0, 0, 0,
                $"'autockpt {_arguments.Skip(1).FirstOrDefault()}' exited with code {ExitCode}. Its last output: {Tail()}");
        return false;
    }

    /// <summary>
    /// Runs <paramref name="verbArguments"/> with <c>--out</c> <paramref name="destination"/>. Returns true when the verb
    /// succeeded and wrote the file; <paramref name="changed"/> says whether its content differs from before. On
    /// failure or cancellation the file is deleted when <paramref name="deleteOnFailure"/> says so (a plan: no stale
    /// plan survives a failed build; never a profile, which is the user's own file). The command line writes the file
    /// atomically (AutoCkpt.Formats' AtomicFile), so a reader never sees half a file.
    /// </summary>
    private protected bool RunVerb(IReadOnlyList<string> verbArguments, string destination, bool deleteOnFailure, out bool changed)
    {
        changed = false;
        if (!File.Exists(CliAssembly))
        {
            Log.LogError("AutoCkpt", ErrorCodes.PlannerProcessFailed, null, CliAssembly, 0, 0, 0, 0,
                $"the autockpt command line was not found at '{CliAssembly}': reinstall the AutoCkpt.MSBuild package, or set AutoCkptCliAssembly.");
            return false;
        }
        if (Path.IsPathRooted(DotnetHost) && !File.Exists(DotnetHost))
        {
            Log.LogError("AutoCkpt", ErrorCodes.PlannerProcessFailed, null, ProjectFile.Length == 0 ? null : ProjectFile, 0, 0, 0, 0,
                $"the dotnet host '{DotnetHost}' (AutoCkptDotnetHost) does not exist: leave AutoCkptDotnetHost empty for the dotnet running the build.");
            if (deleteOnFailure) DeleteQuietly(destination);
            return false;
        }
        string full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        byte[]? before = File.Exists(full) ? File.ReadAllBytes(full) : null;
        _arguments = [CliAssembly, .. verbArguments, "--out", full];
        bool ran = base.Execute() && !Log.HasLoggedErrors;
        if (ran && !File.Exists(full))
        {
            Log.LogError("AutoCkpt", ErrorCodes.PlannerProcessFailed, null, CliAssembly, 0, 0, 0, 0,
                $"'autockpt {verbArguments.FirstOrDefault()}' exited with code 0 but wrote no '{full}'. Its last output: {Tail()}");
            ran = false;
        }
        if (!ran)
        {
            if (deleteOnFailure) DeleteQuietly(full);
            return false;
        }
        changed = before is null || !before.AsSpan().SequenceEqual(File.ReadAllBytes(full));
        return true;
    }

    /// <summary>Logs a bad property value as ACKPT060 on the project file.</summary>
    private protected void LogBadProperty(string message) =>
        Log.LogError("AutoCkpt", ErrorCodes.BadProperty, null, ProjectFile.Length == 0 ? null : ProjectFile, 0, 0, 0, 0, message);

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring a file that cannot be deleted.</summary>
    private protected static void DeleteQuietly(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // One line, so that IDEs and the console show it as one error.
    private string Tail() => _tail.Count == 0 ? "(none)" : string.Join(" | ", _tail);
}
