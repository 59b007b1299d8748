using System.Runtime.CompilerServices;
using AutoCkpt.Apply;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.InPlace;
using AutoCkpt.Memory;
using AutoCkpt.Recompute;
using AutoCkpt.Tidy;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt;

/// <summary>
/// Applies an AutoCkpt plan to a model in a training app, in place:
/// <code>var model = Checkpointing.Apply(MyModel.Create());</code>
/// then train <c>model</c> as before, one step per <c>torch.NewDisposeScope()</c>. The model keeps its own forward,
/// its modules and its state-dict keys; the plan runs through forward hooks on its units (docs/runtime.md).
/// </summary>
public static class Checkpointing
{
    private static readonly ConditionalWeakTable<nn.Module, HookedModel> Hooked = new();
    private static readonly Lock Gate = new();

    /// <summary>
    /// Loads the plan at <paramref name="planPath"/> (default: <c>autockpt.plan.yaml</c> next to the app, where
    /// the MSBuild integration puts it), checks it against <paramref name="model"/>'s units, and applies it in place;
    /// returns <paramref name="model"/> itself. Errors (<see cref="AckptException"/>, naming the plan file): ACKPT001
    /// missing, ACKPT002 malformed, ACKPT003 unknown format, ACKPT004 bad segments, ACKPT009 unknown strategy,
    /// ACKPT005 fingerprint mismatch, ACKPT006 unit-count mismatch, ACKPT008 no units found, ACKPT014 a unit path that
    /// is not the model's unit there, ACKPT104 a plan path that is not a module, ACKPT105 a plan path whose module
    /// cannot be a unit, ACKPT103 a recomputed or tidy unit that does not return a tensor, ACKPT106 a plan already
    /// applied. A plan made for another device type is applied with warning ACKPT007, and a plan that recomputes on a
    /// TorchSharp that lacks the internals the runtime's memory fixes use with warning ACKPT013, each passed to
    /// <paramref name="onWarning"/> (default: standard error). Nothing is applied when an error is thrown.
    /// </summary>
    /// <remarks>
    /// Kept units the plan marks tidy run tidy unless <paramref name="options"/> or <see cref="NoTidyAttribute"/> opts
    /// them out (ACKPT015 for a bad pattern). <see cref="CheckpointOptions.Units"/> names the units by path pattern.
    /// </remarks>
    public static T Apply<T>(T model, string? planPath = null, Action<string>? onWarning = null, CheckpointOptions? options = null) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        string path = planPath ?? Path.Combine(AppContext.BaseDirectory, PlanFile.DefaultFileName);
        var plan = PlanFile.Read(path);
        return Apply(model, plan, path, onWarning, options);
    }

    /// <summary>
    /// Applies an in-memory <paramref name="plan"/> in place and returns <paramref name="model"/>;
    /// <paramref name="planFile"/>, if given, is named in errors and warnings. Same checks and errors as the overload
    /// that reads a file.
    /// </summary>
    public static T Apply<T>(T model, Plan plan, string? planFile = null, Action<string>? onWarning = null, CheckpointOptions? options = null) where T : nn.Module =>
        Apply(model, plan, planFile, onWarning, options, AutogradInternals.Missing);

    /// <summary>
    /// <see cref="Apply{T}(T, Plan, string?, Action{string}?, CheckpointOptions?)"/> with the TorchSharp members the
    /// runtime's memory fixes lack given (<see cref="AutogradInternals.Missing"/>), so that tests can exercise ACKPT013.
    /// </summary>
    internal static T Apply<T>(T model, Plan plan, string? planFile, Action<string>? onWarning, CheckpointOptions? options, IReadOnlyList<string> missingInternals) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        plan = KeepOnlyEntries.Strip(plan, planFile); // a plan from an in-place profile also lists the work between units
        var warn = onWarning ?? Console.Error.WriteLine;
        lock (Gate)
        {
            if (Hooked.TryGetValue(model, out var existing))
                throw new AckptException(ErrorCodes.PlanAlreadyApplied,
                    $"a plan ({existing.PlanFile ?? "in memory"}) is already applied to this {model.GetType().Name}: call Checkpointing.Remove(model) first " +
                    "to apply another (a swap is Remove, then Apply).", planFile);
            var units = PlanUnits.Resolve(model, plan, options, planFile);
            var patterns = NoTidyPatterns.Parse(options?.NoTidy);
            PlanValidation.Check(model, units.Units, plan, planFile, warn);
            PlanUnits.CheckOutputs(units.Units, plan, planFile);
            if (plan.Segments.Any(s => s.Strategy.Recomputes) && AutogradInternals.Warning(missingInternals, planFile) is { } warning)
                warn(warning);
            if (LaunchSettings.Warning(model, plan, planFile) is { } launch)
                warn(launch);
            var peakCheck = options?.CheckPeak == true ? PeakCheck.Create(model, plan, planFile, warn) : null;
            var hooked = new HookedModel(model, units, plan, planFile, TidyOptOut.Allowed(model, units.Units, patterns), warn, peakCheck);
            Hooked.Add(model, hooked);
        }
        return model;
    }

    /// <summary>
    /// Runs this process's CUDA allocator as <c>autockpt profile</c> measured it: sets
    /// <c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c> (the native environment, which libtorch reads at its first
    /// CUDA call, and .NET's) unless the app set its own. Call it first in <c>Main</c>, before any tensor is made; later
    /// it has no effect on a libtorch already using CUDA. Returns true when the profiled allocator is in effect for the
    /// process from then on (false where the app chose another, or off Linux). Without it, a CUDA plan's cap counts tensor
    /// bytes the caching allocator reserves more than (docs/runtime.md, "Launch settings"; <c>Apply</c> warns ACKPT012).
    /// </summary>
    public static bool UseProfiledAllocator() => LaunchSettings.UseProfiledAllocator();

    /// <summary>
    /// Removes the plan applied to <paramref name="model"/> (its hooks; the model was never otherwise changed). Returns
    /// false when no plan was applied. A swap is <c>Remove</c>, then <c>Apply</c>.
    /// </summary>
    public static bool Remove(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (Gate)
        {
            if (!Hooked.TryGetValue(model, out var hooked)) return false;
            hooked.Remove();
            Hooked.Remove(model);
            return true;
        }
    }

    /// <summary>What is applied to <paramref name="model"/>, or null when no plan is.</summary>
    public static AppliedPlan? Applied(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (Gate)
            return Hooked.TryGetValue(model, out var hooked) ? new AppliedPlan(hooked) : null;
    }

    /// <summary>
    /// The units of <paramref name="model"/> (<see cref="UnitFinder.Find"/> with <see cref="CheckpointOptions.Units"/>).
    /// ACKPT008 when none are found, ACKPT100-102 for patterns and units that cannot serve.
    /// </summary>
    public static ModelUnits Units(nn.Module model, CheckpointOptions? options = null) => UnitFinder.Find(model, options?.Units, null, options?.UnitsOrigin);

    /// <summary>
    /// Tidy with no plan file and no recompute: every unit of <paramref name="model"/> frees every tensor handle it made
    /// except its output (and what its modules hold in fields and buffers) as soon as it returns, so a step keeps only
    /// what autograd saved, as in PyTorch. Gradients are unchanged (bit-identical on CPU); nothing is recomputed.
    /// Units opted out by <paramref name="options"/> or <see cref="NoTidyAttribute"/> run as they are. The applied
    /// plan (<see cref="Applied"/>) is an all-keep tidy plan made in memory (<c>memory_cap_bytes</c> 0: no cap).
    /// Throws ACKPT008 when the model has no units, ACKPT015 for a bad pattern, ACKPT106 when a plan is applied.
    /// </summary>
    public static T Tidy<T>(T model, CheckpointOptions? options = null) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        var units = UnitFinder.Find(model, options?.Units, null, options?.UnitsOrigin);
        var allowed = TidyOptOut.Allowed(model, units.Units, NoTidyPatterns.Parse(options?.NoTidy));
        var plan = InMemory(model, units, [new Segment(0, units.Count - 1, SegmentStrategy.Keep)], allowed);
        return Apply(model, plan, null, null, options);
    }

    /// <summary>
    /// HF's <c>gradient_checkpointing_enable()</c>: every unit of <paramref name="model"/> recomputed in the backward,
    /// each its own segment, with no profile and no plan file. The step keeps only the units' inputs; the starting
    /// point a user upgrades from to a profiled plan. Errors as <see cref="Units"/>, and ACKPT103, ACKPT106.
    /// </summary>
    public static T EveryUnit<T>(T model, CheckpointOptions? options = null) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        var units = UnitFinder.Find(model, options?.Units, null, options?.UnitsOrigin);
        var segments = Enumerable.Range(0, units.Count).Select(i => new Segment(i, i, SegmentStrategy.Recompute)).ToList();
        return Apply(model, InMemory(model, units, segments, []), null, null, options);
    }

    /// <summary>
    /// PyTorch's <c>checkpoint_sequential(functions, segments)</c> with no profile and no plan file:
    /// <paramref name="segments"/> − 1 recomputed segments of ⌊n/segments⌋ consecutive units, then the rest run normally
    /// (the planner's <c>uniform_k</c>). Each unit of a recomputed segment after its first must take the previous unit's
    /// output as its first input (ACKPT108 at the step otherwise). 1 ≤ <paramref name="segments"/> ≤ the number of units.
    /// </summary>
    public static T Uniform<T>(T model, int segments, CheckpointOptions? options = null) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        var units = UnitFinder.Find(model, options?.Units, null, options?.UnitsOrigin);
        ArgumentOutOfRangeException.ThrowIfLessThan(segments, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segments, units.Count);
        int size = units.Count / segments;
        var list = new List<Segment>(segments);
        for (int s = 0; s < segments - 1; s++)
            list.Add(new Segment(s * size, s * size + size - 1, SegmentStrategy.Recompute));
        list.Add(new Segment((segments - 1) * size, units.Count - 1, SegmentStrategy.Keep));
        return Apply(model, InMemory(model, units, list, []), null, null, options);
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
    /// Per unit of <paramref name="model"/>, in order: whether code allows it to run tidy, i.e. no
    /// <see cref="NoTidyAttribute"/> on the model, the unit's module or a module under it, and no pattern of
    /// <paramref name="options"/> matching its path. ACKPT008 when the model has no units, ACKPT015 for a bad pattern.
    /// </summary>
    public static IReadOnlyList<bool> TidyAllowed(nn.Module model, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TidyOptOut.Allowed(model, UnitFinder.Find(model, options?.Units, null, options?.UnitsOrigin).Units, NoTidyPatterns.Parse(options?.NoTidy));
    }

    /// <summary>A plan made in memory for <paramref name="model"/>'s units (no cap, no prediction).</summary>
    private static Plan InMemory(nn.Module model, ModelUnits units, IReadOnlyList<Segment> segments, IReadOnlyList<bool> tidy)
    {
        var device = model.parameters().FirstOrDefault()?.device_type.ToString().ToLowerInvariant() ?? "cpu";
        return new Plan
        {
            Target = model.GetType().Name,
            Model = new ModelInfo(units.Fingerprint, units.Count),
            Device = new DeviceInfo(device, ""),
            BatchSize = 0,
            MemoryCapBytes = 0,
            Segments = segments,
            UnitPaths = units.Paths,
            TidyUnits = tidy,
        };
    }
}
