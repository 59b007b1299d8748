using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using Microsoft.Build.Framework;

namespace AutoCkpt.MSBuild;

/// <summary>
/// Re-profiles the project's model (AutoCkptProfileOnBuild): runs <c>autockpt profile --project ASSEMBLY</c>, the
/// same code as the command line, in a child process on the built app (<see cref="CliTask"/>), and lands the profile
/// atomically. A failed run never deletes the profile: it is the user's own file.
/// </summary>
public sealed class ProfileModel : CliTask
{
    /// <summary>The built app or library that holds the ICheckpointTarget (normally $(TargetPath)).</summary>
    [Required] public string ProjectAssembly { get; set; } = "";

    /// <summary>Where the profile lands (AutoCkptProfile), full path.</summary>
    [Required] public string ProfileFile { get; set; } = "";

    /// <summary>AutoCkptCheckpointTarget: the ICheckpointTarget's name when the assembly has several.</summary>
    public string CheckpointTarget { get; set; } = "";

    /// <summary>The device to profile on ("cpu", "cuda"); empty for the profiler's default.</summary>
    public string Device { get; set; } = "";

    /// <summary>
    /// AutoCkptUnits: module path patterns naming the model's units (';' or ',' separated, '*' a wildcard), passed as
    /// <c>--units</c>; empty for the target's own (<c>ICheckpointTarget.Units</c>) or those found from the model.
    /// </summary>
    public string Units { get; set; } = "";

    /// <summary>AutoCkptProfileArguments: further <c>autockpt profile</c> options, separated by ';'.</summary>
    public string[] ExtraArguments { get; set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        var args = new List<string> { "profile", "--project", ProjectAssembly };
        if (CheckpointTarget.Length > 0) args.AddRange(["--target", CheckpointTarget]);
        if (Device.Length > 0) args.AddRange(["--device", Device]);
        if (Units.Trim().Length > 0)
        {
            try
            {
                args.AddRange(["--units", NoTidyPatterns.ParseUnits([Units.Trim()], ProjectFile, UnitsProperty).ToString()]);
            }
            catch (AckptException e)
            {
                Log.LogError("AutoCkpt", e.Code, null, ProjectFile.Length == 0 ? null : ProjectFile, 0, 0, 0, 0, e.Message);
                return false;
            }
        }
        args.AddRange(ExtraArguments.Where(a => a.Length > 0));

        if (!RunVerb(args, ProfileFile, deleteOnFailure: false, out bool changed)) return false;
        Log.LogMessage(MessageImportance.High, "AutoCkpt: profile {0} -> {1}", changed ? "written" : "unchanged", ProfileFile);
        return !Log.HasLoggedErrors;
    }

    private const string UnitsProperty = "AutoCkptUnits";

    /// <summary>The profiler's pattern errors (ACKPT101) name the property the user set, not the option it became.</summary>
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance) =>
        base.LogEventsFromTextOutput(Units.Trim().Length > 0 ? singleLine.Replace(": --units: ", $": {UnitsProperty}: ", StringComparison.Ordinal) : singleLine, messageImportance);
}
