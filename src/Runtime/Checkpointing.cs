using AutoCkpt.Apply;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Recompute;
using AutoCkpt.Tidy;
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
    /// <remarks>
    /// Kept units the plan marks tidy run tidy unless <paramref name="options"/> or <see cref="NoTidyAttribute"/> opts
    /// them out (ACKPT015 for a bad pattern); ACKPT014 when a unit's path is not the model's stage name.
    /// </remarks>
    public static CheckpointedModel Apply(nn.Module<Tensor, Tensor> model, string? planPath = null, Action<string>? onWarning = null, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string path = planPath ?? Path.Combine(AppContext.BaseDirectory, PlanFile.DefaultFileName);
        var plan = PlanFile.Read(path);
        return Apply(model, plan, path, onWarning, options);
    }

    /// <summary>
    /// Applies an in-memory <paramref name="plan"/>; <paramref name="planFile"/>, if given, is named in errors and
    /// warnings. Same checks and errors as the overload that reads a file.
    /// </summary>
    public static CheckpointedModel Apply(nn.Module<Tensor, Tensor> model, Plan plan, string? planFile = null, Action<string>? onWarning = null, CheckpointOptions? options = null) =>
        Apply(model, plan, planFile, onWarning, options, AutogradInternals.Missing);

    /// <summary>
    /// <see cref="Apply(nn.Module{Tensor, Tensor}, Plan, string?, Action{string}?, CheckpointOptions?)"/> with the TorchSharp
    /// members the runtime's memory fixes lack given (<see cref="AutogradInternals.Missing"/>), so that tests can exercise ACKPT013.
    /// </summary>
    internal static CheckpointedModel Apply(nn.Module<Tensor, Tensor> model, Plan plan, string? planFile, Action<string>? onWarning, CheckpointOptions? options, IReadOnlyList<string> missingInternals)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        var warn = onWarning ?? Console.Error.WriteLine;
        var stages = ModelStages.Of(model, planFile);
        var patterns = NoTidyPatterns.Parse(options?.NoTidy);
        PlanValidation.Check(model, stages, plan, planFile, warn);
        if (plan.Segments.Any(s => s.Strategy == SegmentStrategy.Recompute) && AutogradInternals.Warning(missingInternals, planFile) is { } warning)
            warn(warning);
        return new CheckpointedModel(model, stages, plan, planFile, TidyOptOut.Allowed(model, stages, patterns), warn);
    }

    /// <summary>
    /// Tidy with no plan file and no recompute: every unit of <paramref name="model"/> frees every tensor handle it made
    /// except its output (and what its modules hold in fields and buffers) as soon as it returns, so a step keeps only
    /// what autograd saved, as in PyTorch. Gradients are unchanged (bit-identical on CPU); nothing is recomputed.
    /// Units opted out by <paramref name="options"/> or <see cref="NoTidyAttribute"/> run as they are. The result's
    /// <see cref="CheckpointedModel.Plan"/> is an all-keep tidy plan made in memory (<c>memory_cap_bytes</c> 0: no cap).
    /// Throws ACKPT008 when the model has no stages, ACKPT015 for a bad pattern.
    /// </summary>
    public static CheckpointedModel Tidy(nn.Module<Tensor, Tensor> model, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stages = ModelStages.Of(model);
        var patterns = NoTidyPatterns.Parse(options?.NoTidy);
        var allowed = TidyOptOut.Allowed(model, stages, patterns);
        var device = model.parameters().FirstOrDefault()?.device_type.ToString().ToLowerInvariant() ?? "cpu";
        var plan = new Plan
        {
            Target = model.GetType().Name,
            Model = new ModelInfo(ModelStages.Fingerprint(stages), stages.Count),
            Device = new DeviceInfo(device, ""),
            BatchSize = 0,
            MemoryCapBytes = 0,
            Segments = [new Segment(0, stages.Count - 1, SegmentStrategy.Keep)],
            UnitPaths = [.. stages.Select(s => s.Name)],
            TidyUnits = allowed,
        };
        return new CheckpointedModel(model, stages, plan, null, allowed);
    }

    /// <summary>
    /// Runs one unit tidy, as a tidy plan runs a kept unit: <paramref name="unit"/> through <c>call</c> on
    /// <paramref name="input"/> inside a dispose scope of its own, then every tensor handle it made is disposed except
    /// its output and the tensors its modules hold in fields and buffers, which move to the caller's scope. The profiler
    /// measures tidy units this way.
    /// </summary>
    public static Tensor RunTidy(nn.Module<Tensor, Tensor> unit, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return TidyRun.Call(unit, input);
    }

    /// <summary>
    /// Per stage of <paramref name="model"/>, in order: whether code allows it to run tidy, i.e. no
    /// <see cref="NoTidyAttribute"/> on the model, the stage's module or a module under it, and no pattern of
    /// <paramref name="options"/> matching its path. ACKPT008 when the model has no stages, ACKPT015 for a bad pattern.
    /// </summary>
    public static IReadOnlyList<bool> TidyAllowed(nn.Module<Tensor, Tensor> model, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TidyOptOut.Allowed(model, ModelStages.Of(model), NoTidyPatterns.Parse(options?.NoTidy));
    }
}
