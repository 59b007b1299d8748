using AutoCkpt.MSBuild.Cli;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace AutoCkpt.MSBuild;

/// <summary>
/// An AutoCkpt task that runs one <c>autockpt</c> verb in a child process (<c>dotnet exec autockpt.dll VERB ...
/// --out FILE</c>, in the project's folder), so that OR-Tools and libtorch never load into MSBuild. The child's
/// "FILE: error ACKPTnnn: message" lines become build errors and warnings with code and file (<see cref="CliInvocation"/>);
/// cancelling the build kills the child.
/// </summary>
public abstract class CliTask : MSBuildTask, ICancelableTask
{
    private readonly ICommandRunner _runner;
    private readonly CancellationTokenSource _cancel = new();

    private protected CliTask(ICommandRunner runner) => _runner = runner;

    /// <summary>The autockpt command line's assembly (autockpt.dll), run with <c>dotnet exec</c>.</summary>
    [Required] public string CliAssembly { get; set; } = "";

    /// <summary>The dotnet host that runs <see cref="CliAssembly"/>; default "dotnet".</summary>
    public string DotnetHost { get; set; } = "";

    /// <summary>The project file, named in errors about its properties; the child runs in its folder.</summary>
    public string ProjectFile { get; set; } = "";

    /// <inheritdoc />
    public void Cancel() => _cancel.Cancel();

    /// <summary>
    /// Runs <paramref name="verbArguments"/> with <c>--out</c> <paramref name="destination"/>. Returns true when the verb
    /// succeeded and wrote the file; <paramref name="changed"/> says whether its content differs from before. On
    /// failure or cancellation the file is deleted when <paramref name="deleteOnFailure"/> says so.
    /// </summary>
    private protected bool RunVerb(IReadOnlyList<string> verbArguments, string destination, bool deleteOnFailure, out bool changed)
    {
        changed = false;
        string workDir = ProjectFile.Length > 0 ? Path.GetDirectoryName(Path.GetFullPath(ProjectFile))! : Directory.GetCurrentDirectory();
        var cli = new CliInvocation(Log, _runner, DotnetHost.Length > 0 ? DotnetHost : "dotnet", CliAssembly, workDir);
        try
        {
            return cli.RunToFile(verbArguments, destination, deleteOnFailure, _cancel.Token, out changed);
        }
        catch (OperationCanceledException)
        {
            if (deleteOnFailure) DeleteQuietly(destination);
            return false;
        }
    }

    /// <summary>Logs a bad property value as ACKPT060 on the project file.</summary>
    private protected void LogBadProperty(string message) =>
        Log.LogError("AutoCkpt", AckptCodes.BadProperty, null, ProjectFile.Length == 0 ? null : ProjectFile, 0, 0, 0, 0, message);

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring a file that cannot be deleted.</summary>
    private protected static void DeleteQuietly(string path) => CliInvocation.DeleteQuietly(path);
}
