using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;

namespace AutoCkpt.Apply;

/// <summary>ACKPT016: the first input under a plan is larger than the one its profile was measured at.</summary>
internal static class InputShapeWarning
{
    /// <summary>The warning line ("file: warning ACKPT016: …"), or null when the input fits the profiled shape or the plan has none.</summary>
    public static string? Of(IReadOnlyList<long> input, Plan plan, string? planFile)
    {
        if (!InputShape.Exceeds(input, plan.InputShape)) return null;
        string name = planFile is null ? "the plan" : $"plan '{planFile}'";
        string profile = plan.ProfilePath is { } p ? $" (profile '{p}')" : "";
        string message =
            $"the model's input has shape {InputShape.Show(input)}, larger than the {InputShape.Show(plan.InputShape)} {name} was profiled at{profile}: " +
            "its activations may take more memory than the plan predicts, and the step may not fit the cap. A smaller input is fine. " +
            $"Profile and plan at this shape (autockpt profile --batch-size {input[0]}, or a target whose batch has this shape).";
        return planFile is null
            ? $"warning {ErrorCodes.InputLargerThanProfiled}: {message}"
            : $"{planFile}: warning {ErrorCodes.InputLargerThanProfiled}: {message}";
    }
}
