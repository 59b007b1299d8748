using AutoCkpt.Recompute;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// A recompute segment applied in place: units <c>i..j</c>, run by the model's own forward as written, of which only
/// the first unit's inputs (and the later units' other inputs) are kept for the backward.
/// <list type="bullet">
/// <item>The first unit's pre-hook saves the random state; every unit's pre-hook takes a <see cref="ScopeMark"/>.
/// Nothing else is changed: grad mode stays as it is and no scope is opened, so a forward that throws leaves the
/// thread as it was.</item>
/// <item>Each unit's forward runs with autograd, as in the plain model. Its post-hook detaches the output and disposes
/// every handle the forward made, which frees the graph it built and every activation in it (only the inputs and what
/// the unit's modules hold stay).</item>
/// <item>The last unit's post-hook returns the output of a <see cref="UnitFunction"/> whose backward recomputes the
/// units (<see cref="GroupCall"/>). Earlier units return their detached output, which must be the next unit's first
/// input (checked by reference: ACKPT108) and is disposed when the segment ends.</item>
/// </list>
/// </summary>
internal sealed class RecomputeGroup
{
    private readonly IGroupOwner _owner;
    private readonly int _first;
    private Run? _run;

    public RecomputeGroup(IGroupOwner owner, IReadOnlyList<Unit> units, int first)
    {
        _owner = owner;
        Units = units;
        _first = first;
    }

    /// <summary>
    /// For a multi-level segment, the plan's segment with its inner segments (stage indices the model's): the backward
    /// recomputes it level by level (<see cref="NestedRecompute"/>). Null for a flat segment.
    /// </summary>
    public Segment? Nesting { get; init; }

    /// <summary>The units, in order.</summary>
    public IReadOnlyList<Unit> Units { get; }

    /// <summary>Learned in a backward: a unit changes its input in place, so the recompute feeds copies.</summary>
    public bool CloneInputs { get; set; }

    /// <summary>"unit layers.0" or "units layers.0 to layers.2", for messages.</summary>
    public string Description => Units.Count == 1 ? $"unit {Units[0].Path}" : $"units {Units[0].Path} to {Units[^1].Path}";

    /// <summary>The call the last forward of the group made (its post-hook's), or null.</summary>
    public GroupCall? LastCall { get; private set; }

    /// <summary>
    /// Raised by the last unit's post-hook once the forward's call is applied (read by save-matmuls units, whose own
    /// post-hook may run before or after the group's: TorchSharp does not keep hooks in the order they were added).
    /// </summary>
    public event Action<GroupCall>? CallMade;

    /// <summary>The hook of the group's <paramref name="k"/>-th unit.</summary>
    public IUnitHook Hook(int k) => new Member(this, k);

    /// <summary>The buffers of the units' modules (e.g. BatchNorm running statistics), each once.</summary>
    public IReadOnlyList<Tensor> Buffers() => [.. Units.SelectMany(u => u.Module.buffers()).DistinctBy(b => b.Handle)];

    /// <summary>Drops a run whose last post-hook never came (a forward threw).</summary>
    public void Abandon()
    {
        _run?.Abandon();
        _run = null;
    }

    private object?[]? Before(int k, object?[] inputs)
    {
        if (Recomputing.Active || !torch.is_grad_enabled()) return null;
        if (k == 0)
        {
            Abandon();
            var device = inputs.OfType<Tensor>().FirstOrDefault()?.device ?? torch.CPU;
            _run = new Run(Units.Count, RngSnapshot.Capture(device, _owner.NextCudaSeed));
        }
        else if (_run is null || _run.Next != k || !ReferenceEquals(inputs[0], _run.Link))
        {
            var run = _run;
            Abandon();
            throw new AckptException(ErrorCodes.SegmentNotChained,
                $"{Description} are recomputed as one segment, but unit {Units[k].Path} " +
                (run is null || run.Next != k
                    ? $"ran before unit {Units[k - 1].Path} had returned"
                    : $"was not given unit {Units[k - 1].Path}'s output as its first input") +
                ". A multi-unit segment needs each unit's first input to be the previous unit's output, used nowhere else: " +
                "plan these units as one-unit segments (profile and plan again), or call them in a chain.", _owner.PlanFile);
        }
        var recorded = (object?[])inputs.Clone();
        if (Units.Count > 1)
        {
            // The caller may dispose a unit's input before the segment ends (Sequential disposes each output once the
            // next module has returned): the segment keeps handles of its own, aliases of the same storage.
            for (int j = k == 0 ? 0 : 1; j < recorded.Length; j++)
                if (recorded[j] is Tensor t && !t.IsInvalid)
                    recorded[j] = _run.Alias(t);
        }
        _run.Mark?.Abandon();
        _run.Mark = ScopeMark.Take();
        _run.Inputs[k] = recorded;
        // The forward gets its tensor inputs detached: the graph it builds is dropped in the post-hook, and an in-place
        // op at its start (ReLU(inplace: true)) must not be recorded on the caller's tensor, whose gradient comes from
        // the recompute. The handles are made after the mark, so the post-hook disposes them.
        var fed = (object?[])inputs.Clone();
        for (int j = 0; j < fed.Length; j++)
            if (fed[j] is Tensor t && !t.IsInvalid && t.requires_grad)
                fed[j] = t.detach();
        return fed;
    }

    private object? After(int k, object?[] inputs, object? output)
    {
        _owner.Fired(_first + k);
        if (Recomputing.Active || !torch.is_grad_enabled() || _run?.Mark is not { } mark || output is not Tensor y)
            return output;
        var run = _run;
        run.Mark = null;
        var detached = y.detach();
        mark.DisposeMadeSince(Units[k].Module, [detached]);
        // The previous unit's output has been consumed: the recompute replays from the segment's first input, so the
        // link goes now, as a plain chain frees it, not at the segment's end (which held every intermediate output of
        // the segment at once, over the cost model's forward peak).
        if (k > 0) run.ReleaseLastLink();
        if (k < Units.Count - 1)
        {
            run.Links.Add(detached);
            run.Link = detached;
            run.Next = k + 1;
            return detached;
        }
        _run = null;
        var (parameters, passed) = _owner.Passed(Units, run.Inputs.SelectMany(i => i).OfType<Tensor>().Any(t => !t.IsInvalid && t.requires_grad));
        var call = new GroupCall(this, run.Inputs, run.TakeRng(), parameters, passed, detached);
        LastCall = call;
        var result = call.Apply();
        CallMade?.Invoke(call);
        run.DisposeLinks();
        run.DisposeAliases(); // the node saved what it needs
        return result;
    }

    private sealed class Member(RecomputeGroup group, int k) : IUnitHook
    {
        public object?[]? Before(object?[] inputs) => group.Before(k, inputs);
        public object? After(object?[] inputs, object? output) => group.After(k, inputs, output);
    }

    /// <summary>What lives between the first unit's pre-hook and the last unit's post-hook of one forward.</summary>
    private sealed class Run(int units, RngSnapshot rng)
    {
        private RngSnapshot? _rng = rng;
        public object?[][] Inputs { get; } = new object?[units][];
        public ScopeMark? Mark { get; set; }
        public int Next { get; set; }
        public Tensor? Link { get; set; }
        public List<Tensor> Links { get; } = [];

        public RngSnapshot TakeRng()
        {
            var rng = _rng!;
            _rng = null;
            return rng;
        }

        private readonly Dictionary<Tensor, Tensor> _aliases = new(ReferenceEqualityComparer.Instance);

        /// <summary>A handle of the run's own to <paramref name="t"/>'s storage (one per tensor), disposed when the run ends.</summary>
        public Tensor Alias(Tensor t)
        {
            if (!_aliases.TryGetValue(t, out var alias))
                _aliases[t] = alias = t.alias();
            return alias;
        }

        public void DisposeAliases()
        {
            foreach (var alias in _aliases.Values) alias.Dispose();
            _aliases.Clear();
        }

        /// <summary>Disposes the newest link (the output of the unit before the one that just returned).</summary>
        public void ReleaseLastLink()
        {
            if (Links.Count == 0) return;
            Links[^1].Dispose();
            Links.RemoveAt(Links.Count - 1);
        }

        public void DisposeLinks()
        {
            foreach (var link in Links) link.Dispose();
            Links.Clear();
        }

        public void Abandon()
        {
            DisposeAliases();
            Mark?.Abandon();
            Mark = null;
            _rng?.Dispose();
            _rng = null;
        }
    }
}
