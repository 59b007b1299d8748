using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.MSBuild.Checks;
using AutoCkpt.MSBuild.Options;
using Microsoft.Build.Framework;

namespace AutoCkpt.MSBuild;

/// <summary>
/// Makes the checkpoint plan for a profile and a memory cap by running <c>autockpt plan</c> in a child process
/// (<see cref="CliTask"/>), which lands it at <see cref="PlanFile"/> atomically. Errors carry their ACKPT code and the
/// file they concern; any failure, a bad property included, deletes <see cref="PlanFile"/> so no stale plan is left beside the app.
/// </summary>
public sealed class GeneratePlan : CliTask
{
    /// <summary>The profile to plan for (AutoCkptProfile), full path.</summary>
    [Required] public string ProfileFile { get; set; } = "";

    /// <summary>The memory cap (AutoCkptMemoryCap): bytes, a size with a unit, or N%.</summary>
    public string MemoryCap { get; set; } = "";

    /// <summary>AutoCkptHeadroom: the part of the cap the plan leaves free, a size or N% of the cap; empty for the planner's default.</summary>
    public string Headroom { get; set; } = "";

    /// <summary>Where the plan lands, full path; normally $(OutDir)autockpt.plan.yaml.</summary>
    [Required] public string PlanFile { get; set; } = "";

    /// <summary>AutoCkptSolver: auto, mip, cpsat or exact; empty for the planner's default.</summary>
    public string Solver { get; set; } = "";

    /// <summary>AutoCkptTimeLimit: the solver's time limit in seconds; empty for the planner's default.</summary>
    public string TimeLimit { get; set; } = "";

    /// <summary>AutoCkptMaxSegment: the most stages one segment may hold; empty for no limit.</summary>
    public string MaxSegment { get; set; } = "";

    /// <summary>AutoCkptNoTidy: module path patterns of units the plan must not count on being tidy (<c>--no-tidy</c>); empty for none.</summary>
    public string NoTidy { get; set; } = "";

    /// <summary>The device type the app is built for ("cpu", "cuda"), or empty when unknown.</summary>
    public string TargetDevice { get; set; } = "";

    /// <summary>Why the build thinks it targets <see cref="TargetDevice"/> (e.g. a package name), for messages.</summary>
    public string TargetDeviceSource { get; set; } = "";

    /// <summary>AutoCkptModelFingerprint: the fingerprint the project declares for its model, or empty.</summary>
    public string ExpectedModelFingerprint { get; set; } = "";

    /// <summary>AutoCkptCheckpointTarget: the ICheckpointTarget name the project declares, or empty.</summary>
    public string ExpectedCheckpointTarget { get; set; } = "";

    /// <summary>
    /// AutoCkptVerify: run the plan on the device (<c>autockpt plan --verify</c> on <see cref="AppAssembly"/>, with
    /// <see cref="ExpectedCheckpointTarget"/> and <see cref="TargetDevice"/>) and correct it until it measures under its cap.
    /// </summary>
    public bool Verify { get; set; }

    /// <summary>The built app ($(TargetPath)), which <see cref="Verify"/> runs the plan in.</summary>
    public string AppAssembly { get; set; } = "";

    /// <summary>True when the plan file was written (it differed or did not exist).</summary>
    [Output] public bool PlanChanged { get; private set; }

    /// <summary>
    /// Makes the plan. Any failure (a bad property, a missing profile or command line, a planner error) fails the build
    /// and deletes <see cref="PlanFile"/>: the app beside it must never train with a plan this build did not make, for
    /// the old cap or the old model.
    /// </summary>
    public override bool Execute()
    {
        bool made = Run();
        if (!made && File.Exists(PlanFile))
        {
            DeleteQuietly(PlanFile);
            if (File.Exists(PlanFile))
                Log.LogError("AutoCkpt", ErrorCodes.StalePlan, null, PlanFile, 0, 0, 0, 0,
                    $"the plan '{PlanFile}' was made by an earlier build and could not be deleted: it is stale; delete it before running the app.");
            else
                Log.LogMessage(MessageImportance.High, "AutoCkpt: deleted the stale plan {0}, as this build could not remake it", PlanFile);
        }
        return made;
    }

    private bool Run()
    {
        var options = new PlanOptions(ProfileFile, MemoryCap, Solver.Trim().ToLowerInvariant(), TimeLimit.Trim(), MaxSegment.Trim())
        {
            Headroom = Headroom.Trim(), NoTidy = NoTidy.Trim(),
            Verify = Verify ? new VerifyTarget(AppAssembly, ExpectedCheckpointTarget.Trim(), TargetDevice.Trim().ToLowerInvariant()) : null,
        };
        foreach (string problem in options.Problems())
            LogBadProperty(problem);
        if (Log.HasLoggedErrors) return false;

        if (!File.Exists(ProfileFile))
        {
            Log.LogError("AutoCkpt", ErrorCodes.ProfileMissing, null, ProfileFile, 0, 0, 0, 0,
                $"profile '{ProfileFile}' (AutoCkptProfile) does not exist: run 'autockpt profile' to make one, or set AutoCkptProfileOnBuild=true.");
            return false;
        }
        ProfileChecks.Run(Log, ProfileFile, TargetDevice.Trim().ToLowerInvariant(), TargetDeviceSource, ExpectedModelFingerprint.Trim(), ExpectedCheckpointTarget.Trim());

        if (!RunVerb(options.Arguments(), PlanFile, deleteOnFailure: true, out bool changed)) return false;
        PlanChanged = changed;
        Log.LogMessage(MessageImportance.High, "AutoCkpt: plan {0} -> {1}", PlanChanged ? "written" : "unchanged", PlanFile);
        return !Log.HasLoggedErrors;
    }
}
