using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using TorchSharp;

namespace AutoCkpt.Apply;

/// <summary>Checks a plan against a model before anything is applied.</summary>
internal static class PlanValidation
{
    private const string Regenerate =
        "Regenerate the plan for this model: run 'autockpt plan' (or rebuild the project with AutoCkptProfile set, which regenerates it).";

    /// <summary>A plan for another model comes from a profile of another model: a rebuild would plan from the same one.</summary>
    private const string ProfileAgain =
        "Profile this model again ('autockpt profile', or AutoCkptProfileOnBuild), then plan from the new profile ('autockpt plan', " +
        "or a build with AutoCkptProfile set): rebuilding alone plans from the old profile and makes the same plan.";

    /// <summary>
    /// Throws ACKPT006 (stage count), ACKPT004 (segments), ACKPT014 (a unit path that is not the stage's name) or ACKPT005 (fingerprint); reports ACKPT007 (device type)
    /// through <paramref name="onWarning"/>.
    /// </summary>
    public static void Check(torch.nn.Module model, IReadOnlyList<Stage> stages, Plan plan, string? planFile, Action<string> onWarning)
    {
        string name = planFile is null ? "the plan" : $"plan '{planFile}'";
        string modelName = model.GetType().Name;
        if (plan.Model.Stages != stages.Count)
            throw new AckptException(ErrorCodes.PlanStageCountMismatch,
                $"{name} is for a model with {plan.Model.Stages} stages, but this {modelName} has {stages.Count}. {ProfileAgain}", planFile);
        PlanFile.ValidateSegments(plan.Segments, stages.Count, planFile);
        string fingerprint = ModelStages.Fingerprint(stages);
        int differs = Enumerable.Range(0, Math.Min(plan.UnitPaths.Count, stages.Count))
            .FirstOrDefault(i => !string.Equals(plan.UnitPaths[i], stages[i].Name, StringComparison.Ordinal), -1);
        if (!string.Equals(plan.Model.Fingerprint, fingerprint, StringComparison.Ordinal))
            throw new AckptException(ErrorCodes.PlanFingerprintMismatch,
                $"{name} was made for another model: its fingerprint is {plan.Model.Fingerprint}, this {modelName}'s is {fingerprint}. " +
                $"{FirstDifference(plan, stages, differs)} {ProfileAgain}", planFile);
        // Same model, but the units are addressed by other paths: the plan was edited, or made for another naming.
        if (differs >= 0)
            throw new AckptException(ErrorCodes.PlanUnitPathMismatch,
                $"{name}'s unit {differs} is '{plan.UnitPaths[differs]}', but this {modelName}'s stage {differs} is '{stages[differs].Name}'. {Regenerate}", planFile);
        if (DeviceType(model) is { } device && !string.Equals(device, plan.Device.Type, StringComparison.OrdinalIgnoreCase))
            onWarning(Warning(planFile,
                $"{name} was made for device type '{plan.Device.Type}' ({plan.Device.Name}) but the model is on '{device}': " +
                "it is applied, but its predicted memory and time do not hold here. Profile and plan on this device for a plan that fits it."));
    }

    /// <summary>
    /// The first stage that differs: by name where the plan's unit paths say so; otherwise the names all match (a plan
    /// without unit paths, format 1, cannot tell) and only a module type or a parameter shape can differ.
    /// </summary>
    private static string FirstDifference(Plan plan, IReadOnlyList<Stage> stages, int differs) =>
        differs >= 0
            ? $"The first stage that differs is stage {differs}: the plan's unit {differs} is '{plan.UnitPaths[differs]}', this model's stage {differs} is '{stages[differs].Name}'."
            : plan.UnitPaths.Count == stages.Count
                ? "Every stage has the name the plan gives it, so a stage's module type or parameter shapes differ (a changed layer size, say)."
                : "Stage names, module types or parameter shapes differ (the plan lists no unit paths to tell which).";

    private static string Warning(string? file, string message) =>
        file is null ? $"warning {ErrorCodes.PlanDeviceMismatch}: {message}" : $"{file}: warning {ErrorCodes.PlanDeviceMismatch}: {message}";

    private static string? DeviceType(torch.nn.Module model)
    {
        var tensor = model.parameters().FirstOrDefault() ?? model.buffers().FirstOrDefault();
        return tensor?.device_type.ToString().ToLowerInvariant();
    }
}
