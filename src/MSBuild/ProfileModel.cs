using AutoCkpt.MSBuild.Cli;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace AutoCkpt.MSBuild;

/// <summary>
/// Re-profiles the project's model (AutoCkptProfileOnBuild): runs <c>autockpt profile --project ASSEMBLY</c>, the
/// same code as the command line, in a child process on the built app, and lands the profile atomically.
/// </summary>
public sealed class ProfileModel : MSBuildTask, ICancelableTask
{
    private readonly ICommandRunner _runner;
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Creates the task with the real child-process runner.</summary>
    public ProfileModel() : this(new ProcessCommandRunner()) { }

    internal ProfileModel(ICommandRunner runner) => _runner = runner;

    /// <summary>The built app or library that holds the ICheckpointTarget (normally $(TargetPath)).</summary>
    [Required] public string ProjectAssembly { get; set; } = "";

    /// <summary>Where the profile lands (AutoCkptProfile), full path.</summary>
    [Required] public string ProfileFile { get; set; } = "";

    /// <summary>The autockpt command line's assembly (autockpt.dll).</summary>
    [Required] public string CliAssembly { get; set; } = "";

    /// <summary>The dotnet host; default "dotnet".</summary>
    public string DotnetHost { get; set; } = "";

    /// <summary>AutoCkptCheckpointTarget: the ICheckpointTarget's name when the assembly has several.</summary>
    public string CheckpointTarget { get; set; } = "";

    /// <summary>The device to profile on ("cpu", "cuda"); empty for the profiler's default.</summary>
    public string Device { get; set; } = "";

    /// <summary>AutoCkptProfileArguments: further <c>autockpt profile</c> options, separated by ';'.</summary>
    public string[] ExtraArguments { get; set; } = [];

    /// <summary>The project file, named in errors about its properties.</summary>
    public string ProjectFile { get; set; } = "";

    /// <inheritdoc />
    public void Cancel() => _cancel.Cancel();

    /// <inheritdoc />
    public override bool Execute()
    {
        var args = new List<string> { "profile", "--project", ProjectAssembly };
        if (CheckpointTarget.Length > 0) args.AddRange(["--target", CheckpointTarget]);
        if (Device.Length > 0) args.AddRange(["--device", Device]);
        args.AddRange(ExtraArguments.Where(a => a.Length > 0));

        string workDir = ProjectFile.Length > 0 ? Path.GetDirectoryName(Path.GetFullPath(ProjectFile))! : Directory.GetCurrentDirectory();
        var cli = new CliInvocation(Log, _runner, DotnetHost.Length > 0 ? DotnetHost : "dotnet", CliAssembly, workDir);
        try
        {
            if (!cli.RunToFile(args, ProfileFile, deleteOnFailure: false, _cancel.Token, out bool changed)) return false;
            Log.LogMessage(MessageImportance.High, "AutoCkpt: profile {0} -> {1}", changed ? "written" : "unchanged", ProfileFile);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return !Log.HasLoggedErrors;
    }
}
