using AutoCkpt.Checkpoints;
using AutoCkpt.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt;

/// <summary>
/// Applies an AutoCkpt plan to a model in a training app:
/// <code>var model = Checkpointing.Apply(MyModel.Create());</code>
/// then train <c>model</c> as before, one step per <c>torch.NewDisposeScope()</c>.
/// </summary>
public static class Checkpointing
{
    /// <summary>
    /// Loads the plan at <paramref name="planPath"/> (default: <c>autockpt.plan.yaml</c> next to the app, where
    /// the MSBuild integration puts it), checks it against <paramref name="model"/>, and wraps the model's stages.
    /// The model itself is not modified. Errors (<see cref="AckptException"/>, naming the plan file): ACKPT001
    /// missing, ACKPT002 malformed, ACKPT003 unknown format, ACKPT004 bad segments, ACKPT009 unknown strategy,
    /// ACKPT005 fingerprint mismatch, ACKPT006 stage-count mismatch, ACKPT008 the model has no stages. A plan made
    /// for another device type is applied with warning ACKPT007, and a plan that recomputes on a TorchSharp that lacks
    /// the internals the runtime's memory fixes use with warning ACKPT013 (once per call), each passed to
    /// <paramref name="onWarning"/> (default: standard error).
    /// </summary>
    public static CheckpointedModel Apply(nn.Module<Tensor, Tensor> model, string? planPath = null, Action<string>? onWarning = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string path = planPath ?? Path.Combine(AppContext.BaseDirectory, PlanFile.DefaultFileName);
        var plan = PlanFile.Read(path);
        return Apply(model, plan, path, onWarning);
    }

    /// <summary>
    /// Applies an in-memory <paramref name="plan"/>; <paramref name="planFile"/>, if given, is named in errors and
    /// warnings. Same checks and errors as the overload that reads a file.
    /// </summary>
    public static CheckpointedModel Apply(nn.Module<Tensor, Tensor> model, Plan plan, string? planFile = null, Action<string>? onWarning = null) =>
        Apply(model, plan, planFile, onWarning, AutogradInternals.Missing);

    /// <summary>
    /// <see cref="Apply(nn.Module{Tensor, Tensor}, Plan, string?, Action{string}?)"/> with the TorchSharp members the
    /// runtime's memory fixes lack given (<see cref="AutogradInternals.Missing"/>), so that tests can exercise ACKPT013.
    /// </summary>
    internal static CheckpointedModel Apply(nn.Module<Tensor, Tensor> model, Plan plan, string? planFile, Action<string>? onWarning, IReadOnlyList<string> missingInternals)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        var warn = onWarning ?? Console.Error.WriteLine;
        var stages = ModelStages.Of(model);
        PlanValidation.Check(model, stages, plan, planFile, warn);
        if (plan.Segments.Any(s => s.Strategy == SegmentStrategy.Recompute) && AutogradInternals.Warning(missingInternals, planFile) is { } warning)
            warn(warning);
        return new CheckpointedModel(model, stages, plan, planFile);
    }
}
