using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// A kept unit run tidy in place: its pre-hook marks the current dispose scope (<see cref="ScopeMark"/>); its
/// post-hook disposes every tensor handle the forward made except the output and what the unit's modules hold.
/// Autograd keeps what it saved, so gradients do not change; only handles nothing will read are freed early.
/// </summary>
internal sealed class TidyHook(HookedModel owner, Units.Unit unit, int index) : IUnitHook
{
    private ScopeMark? _mark;

    public object?[]? Before(object?[] inputs)
    {
        if (Recomputing.Active) return null;
        Abandon();
        _mark = ScopeMark.Take();
        return null;
    }

    public object? After(object?[] inputs, object? output)
    {
        owner.Fired(index);
        if (Recomputing.Active || _mark is not { } mark) return output;
        _mark = null;
        mark.DisposeMadeSince(unit.Module, output is Tensor t ? [t] : []);
        return output;
    }

    /// <summary>Drops a mark whose post-hook never came (the forward threw).</summary>
    public void Abandon()
    {
        _mark?.Abandon();
        _mark = null;
    }
}
