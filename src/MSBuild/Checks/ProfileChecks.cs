using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using Microsoft.Build.Utilities;

namespace AutoCkpt.MSBuild.Checks;

/// <summary>
/// The warnings a build can give about a profile without running the model: the profile was measured on another
/// device type than the app is built for (ACKPT007), or it is for another model than the project declares: its
/// fingerprint differs from AutoCkptModelFingerprint, or its target from AutoCkptCheckpointTarget (ACKPT061). The
/// real fingerprint needs the model built in memory, so it is only known at run time, where the runtime checks it
/// (ACKPT005). The profile is read by AutoCkpt.Formats' <see cref="ProfileFile"/>, the reader the planner uses.
/// </summary>
internal static class ProfileChecks
{
    /// <summary>
    /// Logs the warnings for the profile at <paramref name="profileFile"/>; silent where the project declares nothing, and
    /// when the profile does not read (the planner reports that, with its line).
    /// </summary>
    /// <param name="log">Where warnings go.</param>
    /// <param name="profileFile">The profile, which must exist.</param>
    /// <param name="targetDevice">"cpu", "cuda" or empty when the build does not know.</param>
    /// <param name="targetDeviceSource">Why the build thinks so, for the message.</param>
    /// <param name="expectedFingerprint">The fingerprint the project declares, or empty.</param>
    /// <param name="expectedTarget">The ICheckpointTarget name the project declares, or empty.</param>
    public static void Run(TaskLoggingHelper log, string profileFile, string targetDevice, string targetDeviceSource, string expectedFingerprint, string expectedTarget)
    {
        Profile profile;
        try { profile = ProfileFile.Read(profileFile); }
        catch (AckptException) { return; } // the planner reads it next and reports what is wrong, with its line
        string device = profile.Device.Type;
        if (targetDevice.Length > 0 && !string.Equals(device, targetDevice, StringComparison.OrdinalIgnoreCase))
            log.LogWarning("AutoCkpt", ErrorCodes.PlanDeviceMismatch, null, profileFile, 0, 0, 0, 0,
                $"the profile was measured on '{device}' but this build targets '{targetDevice}'{Because(targetDeviceSource)}: " +
                $"the plan's memory and time predictions hold only on the device type profiled. Profile on '{targetDevice}' " +
                "(autockpt profile --device " + targetDevice + "), or set AutoCkptDevice if the build guessed wrong.");

        string fingerprint = profile.Model.Fingerprint;
        if (expectedFingerprint.Length > 0 && !string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            log.LogWarning("AutoCkpt", ErrorCodes.StaleProfile, null, profileFile, 0, 0, 0, 0,
                $"the profile is for model fingerprint '{fingerprint}' but AutoCkptModelFingerprint is '{expectedFingerprint}': " +
                "the model changed since it was profiled, and the runtime will reject this plan (ACKPT005). Re-run autockpt profile.");

        string target = profile.Target;
        if (expectedTarget.Length > 0 && !string.Equals(target, expectedTarget, StringComparison.Ordinal))
            log.LogWarning("AutoCkpt", ErrorCodes.StaleProfile, null, profileFile, 0, 0, 0, 0,
                $"the profile is for target '{target}' but AutoCkptCheckpointTarget is '{expectedTarget}': the plan would be for another model. " +
                "Re-run autockpt profile --target " + expectedTarget + ".");
    }

    private static string Because(string source) => source.Length == 0 ? "" : $" ({source})";
}
