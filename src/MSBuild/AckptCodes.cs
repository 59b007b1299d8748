namespace AutoCkpt.MSBuild;

/// <summary>
/// The ACKPT codes this assembly reports. A copy of the entries in AutoCkpt.Formats' ErrorCodes, kept here so that
/// the task assembly has no dependency to load; a test checks that the two agree.
/// </summary>
internal static class AckptCodes
{
    public const string PlanDeviceMismatch = "ACKPT007";
    public const string ProfileMissing = "ACKPT020";
    public const string BadProperty = "ACKPT060";
    public const string StaleProfile = "ACKPT061";
    public const string PlannerProcessFailed = "ACKPT062";
    public const string StalePlan = "ACKPT063";
}
