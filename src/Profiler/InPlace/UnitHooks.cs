using System.Reflection;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// Forward hooks on a module of any arity (TorchSharp's <c>Module&lt;T1, …, Tn, TResult&gt;</c>, n = 1..6), seen as
/// untyped arguments: the pre-hook gets the inputs and may return replacements, the post-hook gets the inputs and the
/// result and may return a replacement. Hooks fire only through <c>call()</c> (facts §8).
/// </summary>
internal static class UnitHooks
{
    /// <summary>
    /// Registers <paramref name="pre"/> and <paramref name="post"/> on <paramref name="module"/>; disposing the result
    /// removes both. <paramref name="pre"/> returns null to keep the inputs; <paramref name="post"/> returns the result
    /// to keep it.
    /// </summary>
    public static IDisposable Install(nn.Module module, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var typed = UnitSignature.BaseOf(module.GetType())
            ?? throw new ArgumentException($"{module.GetType().Name} has no typed forward of one to six inputs.", nameof(module));
        var args = typed.GetGenericArguments();
        var method = typeof(UnitHooks).GetMethod($"Install{args.Length - 1}", BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(args);
        return (IDisposable)method.Invoke(null, [module, pre, post])!;
    }

    /// <summary>Calls <paramref name="module"/> through <c>call()</c> with <paramref name="args"/>.</summary>
    public static object? Call(nn.Module module, object?[] args)
    {
        var typed = UnitSignature.BaseOf(module.GetType())
            ?? throw new ArgumentException($"{module.GetType().Name} has no typed forward.", nameof(module));
        var call = typed.GetMethod("call", typed.GetGenericArguments()[..^1])!;
        try
        {
            return call.Invoke(module, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose()
        {
            _remove?.Invoke();
            _remove = null;
        }
    }

    private static TR Post<TR>(Func<object?[], object?, object?> post, object?[] args, TR y) => post(args, y) is TR r ? r : y;

    private static IDisposable Install1<T1, TR>(nn.Module<T1, TR> m, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var a = m.register_forward_pre_hook((_, x1) => pre([x1]) is { } r ? (T1)r[0]! : x1);
        var b = m.register_forward_hook((_, x1, y) => Post(post, [x1], y));
        return new Removal(() => { a.remove(); b.remove(); });
    }

    private static IDisposable Install2<T1, T2, TR>(nn.Module<T1, T2, TR> m, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var a = m.register_forward_pre_hook((_, x1, x2) => pre([x1, x2]) is { } r ? ((T1)r[0]!, (T2)r[1]!) : null);
        var b = m.register_forward_hook((_, x1, x2, y) => Post(post, [x1, x2], y));
        return new Removal(() => { a.remove(); b.remove(); });
    }

    private static IDisposable Install3<T1, T2, T3, TR>(nn.Module<T1, T2, T3, TR> m, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var a = m.register_forward_pre_hook((_, x1, x2, x3) => pre([x1, x2, x3]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!) : null);
        var b = m.register_forward_hook((_, x1, x2, x3, y) => Post(post, [x1, x2, x3], y));
        return new Removal(() => { a.remove(); b.remove(); });
    }

    private static IDisposable Install4<T1, T2, T3, T4, TR>(nn.Module<T1, T2, T3, T4, TR> m, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var a = m.register_forward_pre_hook((_, x1, x2, x3, x4) => pre([x1, x2, x3, x4]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!, (T4)r[3]!) : null);
        var b = m.register_forward_hook((_, x1, x2, x3, x4, y) => Post(post, [x1, x2, x3, x4], y));
        return new Removal(() => { a.remove(); b.remove(); });
    }

    private static IDisposable Install5<T1, T2, T3, T4, T5, TR>(nn.Module<T1, T2, T3, T4, T5, TR> m, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var a = m.register_forward_pre_hook((_, x1, x2, x3, x4, x5) => pre([x1, x2, x3, x4, x5]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!, (T4)r[3]!, (T5)r[4]!) : null);
        var b = m.register_forward_hook((_, x1, x2, x3, x4, x5, y) => Post(post, [x1, x2, x3, x4, x5], y));
        return new Removal(() => { a.remove(); b.remove(); });
    }

    private static IDisposable Install6<T1, T2, T3, T4, T5, T6, TR>(nn.Module<T1, T2, T3, T4, T5, T6, TR> m, Func<object?[], object?[]?> pre, Func<object?[], object?, object?> post)
    {
        var a = m.register_forward_pre_hook((_, x1, x2, x3, x4, x5, x6) => pre([x1, x2, x3, x4, x5, x6]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!, (T4)r[3]!, (T5)r[4]!, (T6)r[5]!) : null);
        var b = m.register_forward_hook((_, x1, x2, x3, x4, x5, x6, y) => Post(post, [x1, x2, x3, x4, x5, x6], y));
        return new Removal(() => { a.remove(); b.remove(); });
    }
}
