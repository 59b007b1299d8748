using AutoCkpt.InPlace;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// Finds the units whose output the model's forward uses again after the next unit has taken it (docs/profiler.md,
/// "Outputs used later": a U-Net's or DenseNet's skip, an output kept in a list and read later, a view of it), with one
/// step of the model: each probed unit returns a leaf copy of its output (same storage, <c>requires_grad</c>), and the
/// next unit's pre-hook hands that unit the real output instead, so the chain's gradients flow as without the probe
/// (only what a later use sends back stops at the leaf) and the leaf gets a gradient only where something else used it. Probed: the units whose next unit took their output as
/// its first input (<see cref="StepRecorder.Chained"/>), the only ones a recompute segment could continue past; their
/// floating-point outputs only (nothing else carries a gradient). A use that reaches no loss (under no-grad) is not seen.
/// </summary>
internal sealed class LaterUseProbe : IDisposable
{
    private readonly List<Action> _hooks = [];
    private readonly bool[] _probed;
    private readonly Tensor?[] _leaves;
    private readonly Tensor?[] _outputs;

    /// <param name="units">The model's units, in order.</param>
    /// <param name="chained">Per unit: its first input was the previous unit's output (the captured step).</param>
    public LaterUseProbe(IReadOnlyList<Unit> units, IReadOnlyList<bool> chained)
    {
        int n = units.Count;
        _probed = [.. Enumerable.Range(0, n).Select(i => i + 1 < n && chained[i + 1])];
        _leaves = new Tensor?[n];
        _outputs = new Tensor?[n];
        try
        {
            for (int i = 0; i < n; i++)
            {
                int index = i;
                _hooks.Add(UnitHooks.Register(units[i].Module, new DelegateHook(args => Before(index, args), (_, y) => After(index, y))));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Whether any unit is probed (else there is no step to run).</summary>
    public bool Any => _probed.Any(p => p);

    /// <summary>
    /// Runs <paramref name="step"/> once with the probe (inside a dispose scope of its own) and returns, per unit, whether
    /// its output was used after the next unit. A step that throws (an in-place op on a probed output between units, which
    /// a leaf refuses) marks every probed unit: none of them can continue a segment safely.
    /// </summary>
    public bool[] Run(Action step)
    {
        var used = new bool[_probed.Length];
        try
        {
            using (NewDisposeScope()) step();
            for (int i = 0; i < used.Length; i++)
            {
                if (_leaves[i] is not { } leaf) continue;
                using var grad = leaf.grad;
                used[i] = grad is not null;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            for (int i = 0; i < used.Length; i++) used[i] = _probed[i];
        }
        finally
        {
            Release();
        }
        return used;
    }

    private object?[]? Before(int i, object?[] args)
    {
        if (i == 0 || _leaves[i - 1] is not { } leaf) return null;
        int first = Array.FindIndex(args, a => a is Tensor);
        if (first < 0 || !ReferenceEquals(args[first], leaf)) return null;
        var replaced = (object?[])args.Clone();
        replaced[first] = _outputs[i - 1];
        return replaced;
    }

    private object? After(int i, object? y)
    {
        if (!_probed[i] || _leaves[i] is not null || y is not Tensor output || !output.is_floating_point()) return y;
        // Kept out of the step's scope, so that its gradient can be read after the step.
        var leaf = output.detach().requires_grad_(true).DetachFromDisposeScope();
        _leaves[i] = leaf;
        _outputs[i] = output;
        return leaf;
    }

    private void Release()
    {
        for (int i = 0; i < _leaves.Length; i++)
        {
            _leaves[i]?.Dispose();
            _leaves[i] = null;
            _outputs[i] = null;
        }
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var remove in _hooks) remove();
        _hooks.Clear();
        Release();
    }
}
