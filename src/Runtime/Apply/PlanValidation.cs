using AutoCkpt.Formats;
using TorchSharp;

namespace AutoCkpt;

/// <summary>Checks a plan against a model before anything is applied.</summary>
internal static class PlanValidation
{
    private const string Regenerate =
        "Regenerate the plan for this model: run 'autockpt plan' (or rebuild the project with AutoCkptProfile set, which regenerates it).";

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
                $"{name} is for a model with {plan.Model.Stages} stages, but this {modelName} has {stages.Count}. {Regenerate}", planFile);
        PlanFile.ValidateSegments(plan.Segments, stages.Count, planFile);
        string fingerprint = ModelStages.Fingerprint(stages);
        int differs = Enumerable.Range(0, Math.Min(plan.UnitPaths.Count, stages.Count))
            .FirstOrDefault(i => !string.Equals(plan.UnitPaths[i], stages[i].Name, StringComparison.Ordinal), -1);
        string unit = differs < 0 ? "" : $" Its unit {differs} is '{plan.UnitPaths[differs]}', this model's stage {differs} is '{stages[differs].Name}'.";
        if (!string.Equals(plan.Model.Fingerprint, fingerprint, StringComparison.Ordinal))
            throw new AckptException(ErrorCodes.PlanFingerprintMismatch,
                $"{name} was made for another model: its fingerprint is {plan.Model.Fingerprint}, this {modelName}'s is {fingerprint} " +
                $"(stage names, module types or parameter shapes differ).{unit} {Regenerate}", planFile);
        // Same model, but the units are addressed by other paths: the plan was edited, or made for another naming.
        if (differs >= 0)
            throw new AckptException(ErrorCodes.PlanUnitPathMismatch,
                $"{name}'s unit {differs} is '{plan.UnitPaths[differs]}', but this {modelName}'s stage {differs} is '{stages[differs].Name}'. {Regenerate}", planFile);
        if (DeviceType(model) is { } device && !string.Equals(device, plan.Device.Type, StringComparison.OrdinalIgnoreCase))
            onWarning(Warning(planFile,
                $"{name} was made for device type '{plan.Device.Type}' ({plan.Device.Name}) but the model is on '{device}': " +
                "it is applied, but its predicted memory and time do not hold here. Profile and plan on this device for a plan that fits it."));
    }

    private static string Warning(string? file, string message) =>
        file is null ? $"warning {ErrorCodes.PlanDeviceMismatch}: {message}" : $"{file}: warning {ErrorCodes.PlanDeviceMismatch}: {message}";

    private static string? DeviceType(torch.nn.Module model)
    {
        var tensor = model.parameters().FirstOrDefault() ?? model.buffers().FirstOrDefault();
        return tensor?.device_type.ToString().ToLowerInvariant();
    }
}
