using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// A mark of the tensor handles alive in the thread's current dispose scope, taken in a unit's pre-hook, so that its
/// post-hook can tell which handles the unit's forward made (<see cref="MadeSince"/>) and dispose them. Taking a
/// mark changes nothing: no scope is opened and grad mode is not touched, so a forward that throws between the two
/// hooks leaves the thread's scopes as they were (the mark is simply dropped). The mark is a copy of the scope's
/// handle set (TorchSharp keeps it in an internal <c>HashSet</c>, read by reflection; a copy of a set with the same
/// comparer is an array copy). Where no dispose scope is open, handles are tracked nowhere, so the mark opens one of
/// its own (<see cref="Owned"/>), closed by the post-hook; if the forward throws, <see cref="Abandon"/> (run at the
/// next hook of the same plan) moves its handles out, unscoped as they would have been, and closes it.
/// </summary>
internal sealed class ScopeMark
{
    private static readonly Func<DisposeScopeManager>? Manager = Getter<Func<DisposeScopeManager>>(typeof(DisposeScopeManager), "ThreadSingleton", isStatic: true);
    private static readonly Func<DisposeScopeManager, DisposeScope?>? Current = Getter<Func<DisposeScopeManager, DisposeScope?>>(typeof(DisposeScopeManager), "CurrentDisposeScope", isStatic: false);
    private static readonly Func<DisposeScope, HashSet<IDisposable>>? Set = Getter<Func<DisposeScope, HashSet<IDisposable>>>(typeof(DisposeScope), "Disposables", isStatic: false);

    private readonly DisposeScope _scope;
    private readonly HashSet<IDisposable>? _before;

    private ScopeMark(DisposeScope scope, HashSet<IDisposable>? before)
    {
        _scope = scope;
        _before = before;
    }

    /// <summary>True when this TorchSharp exposes the members marks read; otherwise every mark opens a scope of its own.</summary>
    public static bool CanReadScopes => Manager is not null && Current is not null && Set is not null;

    /// <summary>True when the mark opened a dispose scope of its own (none was open).</summary>
    public bool Owned => _before is null;

    /// <summary>Marks the current dispose scope, or opens one when none is open (or scopes cannot be read).</summary>
    public static ScopeMark Take()
    {
        if (CanReadScopes && Current!(Manager!()) is { } scope)
        {
            var set = Set!(scope);
            return new ScopeMark(scope, new HashSet<IDisposable>(set, set.Comparer));
        }
        return new ScopeMark(torch.NewDisposeScope(), null);
    }

    /// <summary>
    /// Disposes every tensor handle made since the mark except <paramref name="keep"/> and the tensors the modules
    /// under <paramref name="unit"/> hold (<see cref="Tidy.HeldTensors"/>). An owned scope is closed, what is kept
    /// moving to the scope around it (unscoped).
    /// </summary>
    public void DisposeMadeSince(nn.Module unit, IReadOnlyList<Tensor> keep)
    {
        if (Owned)
        {
            _scope.MoveToOuter(keep);
            if (_scope.DisposablesCount > 0)
            {
                var held = new List<Tensor>();
                Tidy.HeldTensors.Collect(unit, held);
                if (held.Count > 0) _scope.MoveToOuter(held);
            }
            _scope.Dispose();
            return;
        }
        var made = MadeSince();
        if (made.Count == 0) return;
        var spare = new HashSet<IDisposable>(keep, ReferenceEqualityComparer.Instance);
        if (made.Any(m => !spare.Contains(m)))
        {
            var held = new List<Tensor>();
            Tidy.HeldTensors.Collect(unit, held);
            spare.UnionWith(held);
        }
        foreach (var handle in made)
            if (!spare.Contains(handle))
                handle.Dispose();
    }

    /// <summary>The handles the current scope gained since the mark.</summary>
    private List<IDisposable> MadeSince()
    {
        var now = Set!(_scope);
        var made = new List<IDisposable>();
        foreach (var d in now)
            if (!_before!.Contains(d))
                made.Add(d);
        return made;
    }

    /// <summary>For a mark whose post-hook never ran (the forward threw): closes an owned scope, its handles left unscoped.</summary>
    public void Abandon()
    {
        if (!Owned) return;
        _scope.Detach(_scope.DisposablesView);
        _scope.Dispose();
    }

    private static T? Getter<T>(Type type, string name, bool isStatic) where T : Delegate
    {
        var flags = BindingFlags.NonPublic | BindingFlags.Public | (isStatic ? BindingFlags.Static : BindingFlags.Instance);
        var getter = type.GetProperty(name, flags)?.GetGetMethod(nonPublic: true);
        if (getter is null) return null;
        try
        {
            return getter.CreateDelegate<T>();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
