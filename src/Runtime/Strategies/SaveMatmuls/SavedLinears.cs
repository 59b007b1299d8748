using AutoCkpt.InPlace;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Strategies.SaveMatmuls;

/// <summary>
/// A one-unit recompute segment run save-matmuls (docs/selective.md): the <see cref="RecomputeGroup"/> runs the unit
/// as any recompute does, and this hook keeps the outputs of the unit's <c>Linear</c> layers across it.
/// <list type="bullet">
/// <item>The unit's forward: a post-hook on each <c>Linear</c> of the unit (found in its module tree) keeps the layer's
/// output, detached and out of every dispose scope; the recompute's post-hook then frees everything else.</item>
/// <item>The recompute in the backward (<see cref="GroupCall.Replaying"/>): each <c>Linear</c>'s pre-hook hands the
/// layer an empty batch (no hook can skip a forward; an empty one costs nothing) and its post-hook returns the kept
/// output through <see cref="SavedLinearFunction"/>, which computes the layer's gradients from the recomputed input.
/// The kept output's handle goes as it is handed back: the recompute's graph holds it until its backward.</item>
/// </list>
/// Outputs are kept per forward and found again by the forward's <see cref="GroupCall"/>, so a second forward before the
/// first one's backward is handed back its own. A recompute that finds none (its outputs were dropped) runs the layers.
/// </summary>
internal sealed class SavedLinears : IUnitHook
{
    private readonly RecomputeGroup _group;
    private readonly List<Action> _removers = [];
    private readonly List<(GroupCall Call, List<Tensor> Outputs)> _runs = [];
    private List<Tensor>? _saving;
    private GroupCall? _callBefore;
    private List<Tensor>? _replaying;
    private int _next;
    private Tensor? _input;

    private SavedLinears(RecomputeGroup group) => _group = group;

    /// <summary>The <c>Linear</c> layers of the unit, each once, in module-tree order.</summary>
    public IReadOnlyList<Linear> Layers { get; private set; } = [];

    /// <summary>
    /// Hooks the one unit of <paramref name="group"/> and the <c>Linear</c> layers in it; the forward's kept outputs go
    /// to the call the group's post-hook makes, whichever of the two post-hooks runs first (the group's
    /// <see cref="RecomputeGroup.CallMade"/>). The returned action removes every hook and frees
    /// what is kept.
    /// </summary>
    public static (SavedLinears Hook, Action Remove) Attach(RecomputeGroup group)
    {
        var unit = group.Units[0].Module;
        var hook = new SavedLinears(group) { Layers = LinearOutputs.Of(unit) };
        foreach (var layer in hook.Layers)
        {
            var pre = layer.register_forward_pre_hook((m, x) => hook.BeforeLayer(x));
            var post = layer.register_forward_hook((m, x, y) => hook.AfterLayer((Linear)m, x, y));
            hook._removers.Add(() => { pre.remove(); post.remove(); });
        }
        hook._removers.Add(UnitHooks.Register(unit, hook));
        group.CallMade += hook.Take;
        hook._removers.Add(() => group.CallMade -= hook.Take);
        return (hook, () =>
        {
            foreach (var remove in hook._removers) remove();
            hook._removers.Clear();
            hook.DropAll();
        });
    }

    /// <summary>Bytes kept now, from forwards whose backward has not run.</summary>
    public long KeptBytes => _runs.Sum(r => r.Outputs.Sum(t => t.IsInvalid ? 0 : t.NumberOfElements * t.ElementSize));

    public object?[]? Before(object?[] inputs)
    {
        if (Recomputing.Active)
        {
            int at = _runs.FindIndex(r => ReferenceEquals(r.Call, GroupCall.Replaying));
            _replaying = at < 0 ? null : _runs[at].Outputs;
            if (at >= 0) _runs.RemoveAt(at);
            _next = 0;
            return null;
        }
        DropFinished();
        DropSaving();
        if (torch.is_grad_enabled())
        {
            _saving = [];
            _callBefore = _group.LastCall;
        }
        return null;
    }

    public object? After(object?[] inputs, object? output)
    {
        if (Recomputing.Active)
        {
            if (_replaying is { } rest) Dispose(rest);
            _replaying = null;
            return output;
        }
        // The group's post-hook may not have run yet (hooks do not run in the order they were added): then its
        // CallMade hands the outputs over; a forward that made no call leaves them to the next forward's pre-hook.
        if (_group.LastCall is { } call && !ReferenceEquals(call, _callBefore)) Take(call);
        return output;
    }

    /// <summary>Ties the outputs kept in this forward to its call, or frees them when no backward will come.</summary>
    private void Take(GroupCall call)
    {
        if (_saving is not { } saving) return;
        _saving = null;
        if (call.Finished) Dispose(saving);
        else _runs.Add((call, saving));
    }

    private Tensor BeforeLayer(Tensor x)
    {
        if (_replaying is not { } outputs || _next >= outputs.Count || x.dim() < 2) return x;
        _input = x;
        return LinearOutputs.Empty(x);
    }

    private Tensor AfterLayer(Linear layer, Tensor x, Tensor y)
    {
        if (_saving is { } saving)
        {
            saving.Add(LinearOutputs.Keep(y));
            return y;
        }
        if (_input is not { } input || _replaying is not { } outputs) return y;
        _input = null;
        var kept = outputs[_next];
        outputs[_next++] = null!;
        return LinearOutputs.HandBack(layer, input, kept);
    }

    private void DropFinished()
    {
        for (int i = _runs.Count - 1; i >= 0; i--)
            if (_runs[i].Call.Finished)
            {
                Dispose(_runs[i].Outputs);
                _runs.RemoveAt(i);
            }
    }

    private void DropSaving()
    {
        if (_saving is { } saving) Dispose(saving);
        _saving = null;
    }

    private void DropAll()
    {
        DropSaving();
        foreach (var run in _runs) Dispose(run.Outputs);
        _runs.Clear();
    }

    private static void Dispose(List<Tensor> tensors)
    {
        foreach (var t in tensors) t?.Dispose();
        tensors.Clear();
    }
}
