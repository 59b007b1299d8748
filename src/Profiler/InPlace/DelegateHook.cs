using AutoCkpt.InPlace;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>A module's pre- and post-hook as two delegates, through the runtime's hooks of any arity (<see cref="UnitHooks"/>).</summary>
internal sealed class DelegateHook(Func<object?[], object?[]?> before, Func<object?[], object?, object?> after) : IUnitHook
{
    public object?[]? Before(object?[] inputs) => before(inputs);

    public object? After(object?[] inputs, object? output) => after(inputs, output);
}
