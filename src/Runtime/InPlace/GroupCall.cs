using AutoCkpt.Recompute;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// One forward of a recomputed run of units and its backward. The units' own forwards have run (with autograd, as
/// written) and their handles are gone; what is left is the run's inputs, saved here through
/// <c>save_for_backward</c>, each tensor once (a rotary table or a mask that every unit takes is one saved tensor),
/// the random state the first unit started from, and the output. The backward calls the units again through
/// <c>call</c> (their hooks pass through, <see cref="Recomputing"/>) from the saved inputs, with autograd, and
/// backpropagates.
/// </summary>
internal sealed class GroupCall
{
    /// <summary>An input that is not a tensor (kept as it is).</summary>
    internal const int NotTensor = -1;
    /// <summary>A later unit's first input: the previous unit's output.</summary>
    internal const int Chained = -2;

    private readonly RecomputeGroup _group;
    private readonly object?[][] _inputs;
    private readonly int[][] _slots;
    private readonly List<Tensor> _saved = [];
    private readonly bool[] _savedRequiresGrad;
    private readonly Tensor[] _parameters;
    private readonly bool[] _passed;
    private RngSnapshot? _rng;
    private Tensor? _output;
    private autograd.AutogradContext? _ctx;

    /// <param name="group">The units.</param>
    /// <param name="inputs">Per unit, the inputs it was called with (a later unit's first is the previous unit's output).</param>
    /// <param name="rng">The random state the first unit started from.</param>
    /// <param name="parameters">Every trainable parameter of the model: the recompute differentiates them all.</param>
    /// <param name="passed">Which of them are apply arguments (their gradients go back through autograd).</param>
    /// <param name="output">The last unit's output, detached: what the function's forward returns.</param>
    public GroupCall(RecomputeGroup group, object?[][] inputs, RngSnapshot rng, Tensor[] parameters, bool[] passed, Tensor output)
    {
        _group = group;
        _inputs = inputs;
        _rng = rng;
        _parameters = parameters;
        _passed = passed;
        _output = output;
        _slots = new int[inputs.Length][];
        for (int k = 0; k < inputs.Length; k++)
        {
            _slots[k] = new int[inputs[k].Length];
            for (int j = 0; j < inputs[k].Length; j++)
            {
                if (k > 0 && j == 0) { _slots[k][j] = Chained; continue; }
                if (inputs[k][j] is not Tensor t || t.IsInvalid) { _slots[k][j] = NotTensor; continue; }
                int at = _saved.FindIndex(s => ReferenceEquals(s, t));
                if (at < 0) { at = _saved.Count; _saved.Add(t); }
                _slots[k][j] = at;
                inputs[k][j] = null; // the saved variable stands for it; the handle may be disposed before the backward
            }
        }
        _savedRequiresGrad = [.. _saved.Select(t => t.requires_grad)];
    }

    /// <summary>The call whose units are being recomputed on this thread, or null (read by save-matmuls units).</summary>
    [ThreadStatic]
    private static GroupCall? _replaying;

    /// <summary>The call whose units are being recomputed on this thread, or null.</summary>
    public static GroupCall? Replaying => _replaying;

    /// <summary>True once the call's backward has run, or when no node was built: no recompute will come.</summary>
    public bool Finished => _rng is null;

    /// <summary>True when some argument of the function requires grad, so that a node will be built.</summary>
    public bool NeedsNode => _savedRequiresGrad.Any(r => r) || _passed.Any(p => p);

    /// <summary>Applies the function and returns its output, which carries the backward.</summary>
    public Tensor Apply()
    {
        var args = new List<object>(1 + _saved.Count + _parameters.Length) { this };
        args.AddRange(_saved);
        for (int i = 0; i < _parameters.Length; i++)
            if (_passed[i]) args.Add(_parameters[i]);
        var output = UnitFunction.apply([.. args]);
        _output?.Dispose(); // apply returns a handle of its own
        _output = null;
        if (output.requires_grad && _ctx is not null)
            AutogradInternals.ShrinkOutputCache(_ctx);
        else
            Release(); // no node was built: no backward will come
        return output;
    }

    /// <summary>Inside apply (no grad): saves the inputs and returns the output.</summary>
    public Tensor Forward(autograd.AutogradContext ctx)
    {
        _ctx = ctx;
        ctx.save_for_backward([.. _saved]);
        return _output!;
    }

    /// <summary>
    /// Recomputes the units with autograd from the saved inputs and the forward's random state, and returns one
    /// gradient per apply argument: none for the call, each saved input's, then each passed parameter's.
    /// </summary>
    public List<Tensor> Backward(Tensor gradOutput)
    {
        DeferredDisposal.Flush();
        var ctx = _ctx ?? throw new InvalidOperationException(
            "AutoCkpt: backward ran twice through recomputed units; retain_graph is not supported with checkpointing.");
        var grads = new List<Tensor>(1 + _saved.Count + _parameters.Length) { null! };
        using (var scope = torch.NewDisposeScope())
        {
            IList<Tensor?> result;
            try
            {
                result = Recompute(ctx, gradOutput);
            }
            catch (Exception e)
            {
                // TorchSharp cannot carry an exception out of a custom backward: the process stops with this one.
                throw new InvalidOperationException(
                    $"AutoCkpt: recomputing {_group.Description} in the backward failed: {e.Message} " +
                    "Units must run the same way in the recompute as in the forward.", e);
            }
            int k = 0;
            foreach (bool requiresGrad in _savedRequiresGrad)
                grads.Add(requiresGrad ? Keep(scope, result[k++]) : null!);
            for (int i = 0; i < _parameters.Length; i++)
            {
                var grad = result[k++];
                if (_passed[i]) grads.Add(Keep(scope, grad));
                else Accumulate(_parameters[i], grad);
            }
        }
        gradOutput.Dispose();
        Release();
        DeferredDisposal.Add(grads);
        return grads;
    }

    private IList<Tensor?> Recompute(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        using var rngNow = RngSnapshot.CaptureNow(saved.FirstOrDefault()?.device ?? torch.CPU);
        using var buffers = BufferSnapshot.Take(_group.Buffers());
        try
        {
            try
            {
                return Run(saved, gradOutput, _group.CloneInputs);
            }
            catch (Exception e) when (!_group.CloneInputs && _group.Nesting is null && IsInPlaceOnLeaf(e))
            {
                // A unit begins with an in-place op on its input (ReLU(inplace: true)), which autograd refuses on a
                // leaf: feed the units copies from now on, as the forward fed them non-leaves. (A multi-level segment
                // learns it piece by piece, NestedRecompute.Forward: its pieces' gradients are already in .grad.)
                _group.CloneInputs = true;
                buffers.Restore();
                return Run(saved, gradOutput, clone: true);
            }
        }
        finally
        {
            rngNow.Restore();
            buffers.Restore();
        }
    }

    private IList<Tensor?> Run(List<Tensor> saved, Tensor gradOutput, bool clone)
    {
        _rng!.Restore();
        var outer = _replaying;
        _replaying = this;
        try
        {
            return RunUnits(saved, gradOutput, clone);
        }
        finally
        {
            _replaying = outer;
        }
    }

    private IList<Tensor?> RunUnits(List<Tensor> saved, Tensor gradOutput, bool clone)
    {
        using (Recomputing.Enter())
        using (torch.enable_grad())
        {
            var leaves = new Tensor[saved.Count];
            for (int i = 0; i < saved.Count; i++)
            {
                leaves[i] = saved[i].detach();
                if (_savedRequiresGrad[i]) leaves[i].requires_grad_(true);
            }
            if (_group.Nesting is { } nesting)
                return new NestedRecompute(_group.Units, nesting.First, _inputs, _slots, leaves, _savedRequiresGrad, _parameters, clone, () => _group.CloneInputs = true).Run(nesting, gradOutput);
            var fed = clone ? [.. leaves.Select(x => x.clone())] : leaves;
            Tensor? y = null;
            for (int k = 0; k < _inputs.Length; k++)
            {
                var args = new object?[_inputs[k].Length];
                for (int j = 0; j < args.Length; j++)
                    args[j] = _slots[k][j] switch { Chained => y, NotTensor => _inputs[k][j], var at => fed[at] };
                var output = TidyCall(_group.Units[k].Module, args);
                // The previous unit's output has been consumed: its handle goes now, as the plain chain's does, and
                // autograd keeps it only where the unit saved it (and frees it in that unit's backward). Held to the
                // end of the recompute, it sat O bytes over the cost model through the segment's backward.
                if (y is not null && !ReferenceEquals(y, output)) y.Dispose();
                y = output;
            }
            var inputs = new List<Tensor>(saved.Count + _parameters.Length);
            for (int i = 0; i < leaves.Length; i++)
                if (_savedRequiresGrad[i]) inputs.Add(leaves[i]);
            inputs.AddRange(_parameters);
            if (y is null || !y.requires_grad)
                return new Tensor?[inputs.Count];
            return autograd.grad([y], inputs, [gradOutput], retain_graph: false, create_graph: false, allow_unused: true)!;
        }
    }

    /// <summary>Calls a unit inside a scope of its own, keeping only its output and what its modules hold.</summary>
    internal static Tensor TidyCall(nn.Module module, object?[] args)
    {
        using var scope = torch.NewDisposeScope();
        var output = (Tensor)UnitHooks.Call(module, args)!;
        scope.MoveToOuter(output);
        if (scope.DisposablesCount > 0)
        {
            var held = new List<Tensor>();
            Tidy.HeldTensors.Collect(module, held);
            if (held.Count > 0) scope.MoveToOuter(held);
        }
        return output;
    }

    internal static bool IsInPlaceOnLeaf(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x.Message.Contains("in-place operation", StringComparison.OrdinalIgnoreCase) && x.Message.Contains("leaf", StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    /// <summary>
    /// Adds the gradient of a parameter that is not an apply argument into its <c>.grad</c>, as autograd's accumulation
    /// would; where it has none (set to none between the forward and the backward), autograd accumulates it from a
    /// backward of its own.
    /// </summary>
    internal static void Accumulate(Tensor parameter, Tensor? grad)
    {
        if (grad is null || grad.IsInvalid) return;
        using var existing = parameter.grad;
        if (existing is null || existing.IsInvalid)
        {
            parameter.backward([grad]);
            return;
        }
        using (torch.no_grad())
            existing.add_(grad);
    }

    private static Tensor Keep(DisposeScope scope, Tensor? grad) =>
        grad is null || grad.IsInvalid ? null! : scope.MoveToOuter(grad);

    private void Release()
    {
        if (_ctx is not null) AutogradInternals.ReleaseSaved(_ctx);
        _ctx = null;
        _rng?.Dispose();
        _rng = null;
    }
}
