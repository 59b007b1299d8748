using AutoCkpt.InPlace;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Strategies.SubModule;

/// <summary>
/// Sub-modules of one unit recomputed on their own, outside any plan: what the profiler measures for the sub-module
/// option (its retained bytes and recompute on the unit as it runs). Each sub-module is a one-unit
/// <see cref="RecomputeGroup"/>, as a plan's sub-module option runs it (<see cref="HookedModel"/>): its forward's graph
/// is freed in its post-hook and rerun with autograd in the backward, from the same random state.
/// </summary>
internal sealed class SubModuleRecompute : IGroupOwner
{
    private readonly List<Action> _removers = [];
    private readonly Tensor[] _parameters;

    private SubModuleRecompute(nn.Module unit) =>
        _parameters = [.. unit.parameters().Where(p => p.requires_grad).DistinctBy(p => p.Handle)];

    /// <summary>
    /// Hooks <paramref name="children"/> (paths relative to <paramref name="unit"/>) for recompute; the returned action
    /// removes the hooks. ACKPT054 when a child is not a module of the unit that can be recomputed alone.
    /// </summary>
    public static Action Attach(nn.Module unit, IReadOnlyList<string> children)
    {
        var owner = new SubModuleRecompute(unit);
        var whole = new Unit("", unit);
        try
        {
            foreach (var path in children)
            {
                var child = SubModules.Find(whole, path, null) with { Path = path };
                var group = new RecomputeGroup(owner, [child], 0);
                owner._removers.Add(UnitHooks.Register(child.Module, group.Hook(0)));
                owner._removers.Add(group.Abandon);
            }
        }
        catch
        {
            owner.Remove();
            throw;
        }
        return owner.Remove;
    }

    private void Remove()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }

    public string? PlanFile => null;

    public void Fired(int index)
    {
    }

    public long NextCudaSeed() => torch.random.initial_seed() + 1;

    public (Tensor[] Parameters, bool[] Passed) Passed(IReadOnlyList<Unit> units, bool inputRequiresGrad) =>
        (_parameters, [.. _parameters.Select(_ => true)]);
}
