using AutoCkpt.Apply;
using AutoCkpt.Recompute;
using AutoCkpt.Strategies;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Memory;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// A plan applied in place to one model: the hooks on its recomputed and tidy units, and on the model itself, which
/// marks a step. The root's pre-hook starts a step (counts reset, marks of a forward that threw dropped, the
/// gradients the last backward returned freed); its post-hook checks that each hooked unit ran exactly once through
/// <c>call()</c> (ACKPT107). Kept units that are not tidy get no hook at all: a plan that recomputes nothing and
/// tidies nothing adds only the root's two hook calls per step.
/// </summary>
internal sealed class HookedModel : IUnitHook, IGroupOwner
{
    private readonly nn.Module _model;
    private readonly List<Action> _removers = [];
    private readonly List<RecomputeGroup> _groups = [];
    private readonly List<TidyHook> _tidies = [];
    private readonly List<string> _tidyPaths = [];
    private readonly IReadOnlyList<bool> _tidyAllowed;
    private readonly List<int> _fired;
    private readonly List<bool> _hooked;
    private readonly List<Unit> _hookedUnits;
    private readonly CudaSeeds _seeds = new(torch.initial_seed());
    private readonly Action<string>? _onWarning;
    private Tensor[]? _stepParameters;
    private bool[]? _stepHasGrad;
    private bool _inStep;
    private bool _inputChecked;

    public HookedModel(nn.Module model, ModelUnits units, Plan plan, string? planFile, IReadOnlyList<bool> tidyAllowed, Action<string>? onWarning, PeakCheck? peakCheck = null)
    {
        _model = model;
        PeakCheck = peakCheck;
        _onWarning = onWarning;
        PlanFile = planFile;
        Units = units;
        Plan = plan;
        // Past the units' indices: modules inside a unit that a behaviour hooks (AddSubModule).
        _hookedUnits = [.. units.Units];
        _fired = [.. units.Units.Select(_ => 0)];
        _hooked = [.. units.Units.Select(_ => false)];
        _tidyAllowed = tidyAllowed;
        var segments = new List<AppliedSegment>();
        try
        {
            foreach (var s in plan.Segments)
            {
                var members = units.Units.Skip(s.First).Take(s.Length).ToArray();
                segments.Add(new AppliedSegment(s.First, s.Last, s.Strategy, [.. members.Select(u => u.Path)]));
                BehaviourRegistry.For(s.Strategy, planFile).Attach(this, s, members);
            }
            if (UnitSignature.BaseOf(model.GetType()) is not null)
                _removers.Add(UnitHooks.Register(model, this));
        }
        catch
        {
            Remove();
            throw;
        }
        Segments = segments;
    }

    /// <summary>
    /// Hooks <paramref name="members"/>, units <paramref name="first"/>.., as one recompute group (a strategy behaviour
    /// calls it); <paramref name="nesting"/> is the multi-level segment the group recomputes level by level, or null.
    /// </summary>
    public RecomputeGroup AddGroup(IReadOnlyList<Unit> members, int first, Segment? nesting)
    {
        var group = new RecomputeGroup(this, members, first) { Nesting = nesting };
        _groups.Add(group);
        for (int k = 0; k < members.Count; k++)
            Hook(first + k, group.Hook(k));
        return group;
    }

    /// <summary>
    /// Hooks <paramref name="module"/>, a module inside a unit (its path from the model's root), as a one-module recompute
    /// group: its forward's graph is freed as it returns and rebuilt in the backward (a sub-module strategy calls it).
    /// It must run once per forward of the model, as a hooked unit must (ACKPT107).
    /// </summary>
    public RecomputeGroup AddSubModule(Unit module)
    {
        int index = _hookedUnits.Count;
        _hookedUnits.Add(module);
        _fired.Add(0);
        _hooked.Add(false);
        var group = new RecomputeGroup(this, [module], index);
        _groups.Add(group);
        Hook(index, group.Hook(0));
        return group;
    }

    /// <summary>Hooks unit <paramref name="index"/> tidy, unless a code opt-out excludes it (a strategy behaviour calls it).</summary>
    public void AddTidy(int index)
    {
        if (!_tidyAllowed[index]) return;
        var hook = new TidyHook(this, Units.Units[index], index);
        _tidies.Add(hook);
        Hook(index, hook);
        _tidyPaths.Add(Units.Units[index].Path);
    }

    /// <summary>Runs <paramref name="remove"/> when the plan is removed (a strategy behaviour's own hooks).</summary>
    public void OnRemove(Action remove) => _removers.Add(remove);

    public ModelUnits Units { get; }
    public Plan Plan { get; }
    public string? PlanFile { get; }
    public IReadOnlyList<AppliedSegment> Segments { get; }
    public IReadOnlyList<string> TidyUnits => _tidyPaths;

    /// <summary>The peak check (<see cref="CheckpointOptions.CheckPeak"/>), or null when off or unavailable.</summary>
    public PeakCheck? PeakCheck { get; }

    /// <summary>Forwards of the model (through <c>call</c>) whose hooked units each ran once.</summary>
    public long CheckedSteps { get; private set; }

    /// <summary>Per hooked unit, how often it ran in the current (or last) forward of the model.</summary>
    public IReadOnlyDictionary<string, int> Fires =>
        Enumerable.Range(0, _fired.Count).Where(i => _hooked[i]).ToDictionary(i => _hookedUnits[i].Path, i => _fired[i]);

    private void Hook(int index, IUnitHook hook)
    {
        _hooked[index] = true;
        _removers.Add(UnitHooks.Register(_hookedUnits[index].Module, hook));
    }

    /// <summary>Removes every hook this plan added.</summary>
    public void Remove()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
        Abandon();
    }

    /// <summary>Counts a hooked unit's run (not the recompute's).</summary>
    public void Fired(int index)
    {
        if (!Recomputing.Active) _fired[index]++;
    }

    /// <summary>A fresh seed for a recompute on CUDA where the generator's state cannot be read.</summary>
    public long NextCudaSeed() => _seeds.Next();

    /// <summary>
    /// Every trainable parameter of the model (once each), and which of them go to autograd as apply arguments: those
    /// without a gradient yet, and, when none does and no input needs a gradient, one of the units' own so that a node
    /// is built (facts §3). The others' gradients are added into <c>.grad</c> in the backward: a parameter passed to a
    /// node has its gradient held until that node's backward has run (issue 15). Read once per step.
    /// </summary>
    public (Tensor[] Parameters, bool[] Passed) Passed(IReadOnlyList<Unit> units, bool inputRequiresGrad)
    {
        if (!_inStep || _stepParameters is null)
        {
            _stepParameters = [.. _model.parameters().Where(p => p.requires_grad).DistinctBy(p => p.Handle)];
            _stepHasGrad = new bool[_stepParameters.Length];
            for (int i = 0; i < _stepParameters.Length; i++)
            {
                using var grad = _stepParameters[i].grad;
                _stepHasGrad[i] = grad is not null && !grad.IsInvalid;
            }
        }
        var parameters = _stepParameters;
        var passed = _stepHasGrad!.Select(has => !has).ToArray();
        if (passed.Any(p => p) || inputRequiresGrad || parameters.Length == 0) return (parameters, passed);
        var own = units.SelectMany(u => u.Module.parameters()).Select(p => p.Handle).ToHashSet();
        int pick = Array.FindIndex(parameters, p => own.Contains(p.Handle));
        passed[pick < 0 ? 0 : pick] = true;
        return (parameters, passed);
    }

    /// <summary>The root's pre-hook: a step starts.</summary>
    public object?[]? Before(object?[] inputs)
    {
        DeferredDisposal.Flush();
        PeakCheck?.Forward();
        Abandon();
        for (int i = 0; i < _fired.Count; i++) _fired[i] = 0;
        _stepParameters = null;
        _inStep = true;
        if (_inputChecked || inputs.OfType<Tensor>().FirstOrDefault() is not { } input) return null;
        _inputChecked = true;
        if (_onWarning is not null && InputShapeWarning.Of(input.shape, Plan, PlanFile) is { } warning)
            _onWarning(warning);
        return null;
    }

    /// <summary>The root's post-hook: every hooked unit must have run once.</summary>
    public object? After(object?[] inputs, object? output)
    {
        _inStep = false;
        _stepParameters = null;
        var wrong = Enumerable.Range(0, _fired.Count).Where(i => _hooked[i] && _fired[i] != 1).ToList();
        if (wrong.Count > 0)
            throw new AckptException(ErrorCodes.UnitFiredWrongly,
                $"in this forward of {_model.GetType().Name}, " +
                string.Join(", ", wrong.Take(5).Select(i => $"unit '{_hookedUnits[i].Path}' ran {_fired[i]} times")) + (wrong.Count > 5 ? ", …" : "") +
                ", but the plan recomputes or tidies each unit it names once per forward. A unit runs its plan only when called " +
                "through call() (a direct .forward() runs no hook); a unit called twice, or not at all, needs a plan made for " +
                "the forward as it is (profile and plan again), or Checkpointing.Remove(model) to train without one.", PlanFile);
        CheckedSteps++;
        return output;
    }

    private void Abandon()
    {
        foreach (var g in _groups) g.Abandon();
        foreach (var t in _tidies) t.Abandon();
    }
}
