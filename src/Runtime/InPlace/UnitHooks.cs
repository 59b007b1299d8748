using System.Reflection;
using AutoCkpt.Units;
using TorchSharp;

namespace AutoCkpt.InPlace;

/// <summary>
/// Hooks on TorchSharp modules of any arity (one to six inputs). TorchSharp 0.107's <c>Module&lt;T1, …, Tn, TResult&gt;.call</c>
/// runs the untyped pre-hooks, the typed pre-hooks, <c>forward</c>, the typed post-hooks (each may replace the result)
/// and the untyped post-hooks; <c>forward</c> alone runs none. The typed hooks are registered here through one
/// generic method per arity, made for the module's own type arguments once per type.
/// </summary>
internal static class UnitHooks
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (MethodInfo Register, Func<torch.nn.Module, object?[], object?> Invoke)> ByType = new();

    /// <summary>Registers <paramref name="hook"/> on <paramref name="module"/>; the returned action removes it.</summary>
    public static Action Register(torch.nn.Module module, IUnitHook hook) =>
        (Action)Methods(module.GetType()).Register.Invoke(null, [module, hook])!;

    /// <summary>Calls <paramref name="module"/> through <c>call</c> (so hooks fire) with <paramref name="inputs"/>.</summary>
    public static object? Call(torch.nn.Module module, object?[] inputs) => Methods(module.GetType()).Invoke(module, inputs);

    private static (MethodInfo Register, Func<torch.nn.Module, object?[], object?> Invoke) Methods(Type type) => ByType.GetOrAdd(type, static t =>
    {
        var typed = UnitSignature.BaseOf(t) ?? throw new InvalidOperationException($"AutoCkpt: {t.Name} has no typed forward.");
        var args = typed.GetGenericArguments();
        int arity = args.Length - 1;
        var register = typeof(UnitHooks).GetMethod($"Register{arity}", BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(args);
        var invoker = typeof(UnitHooks).GetMethod($"Invoker{arity}", BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(args);
        return (register, (Func<torch.nn.Module, object?[], object?>)invoker.Invoke(null, null)!);
    });

    private static Action Register1<T1, TR>(torch.nn.Module<T1, TR> m, IUnitHook hook)
    {
        var pre = m.register_forward_pre_hook((_, i1) => hook.Before([i1]) is { } r ? (T1)r[0]! : i1);
        var post = m.register_forward_hook((_, i1, r) => (TR)hook.After([i1], r)!);
        return () => { pre.remove(); post.remove(); };
    }

    private static Func<torch.nn.Module, object?[], object?> Invoker1<T1, TR>() => static (m, a) => ((torch.nn.Module<T1, TR>)m).call((T1)a[0]!);

    private static Action Register2<T1, T2, TR>(torch.nn.Module<T1, T2, TR> m, IUnitHook hook)
    {
        var pre = m.register_forward_pre_hook((_, i1, i2) => hook.Before([i1, i2]) is { } r ? ((T1)r[0]!, (T2)r[1]!) : null);
        var post = m.register_forward_hook((_, i1, i2, r) => (TR)hook.After([i1, i2], r)!);
        return () => { pre.remove(); post.remove(); };
    }

    private static Func<torch.nn.Module, object?[], object?> Invoker2<T1, T2, TR>() => static (m, a) => ((torch.nn.Module<T1, T2, TR>)m).call((T1)a[0]!, (T2)a[1]!);

    private static Action Register3<T1, T2, T3, TR>(torch.nn.Module<T1, T2, T3, TR> m, IUnitHook hook)
    {
        var pre = m.register_forward_pre_hook((_, i1, i2, i3) => hook.Before([i1, i2, i3]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!) : null);
        var post = m.register_forward_hook((_, i1, i2, i3, r) => (TR)hook.After([i1, i2, i3], r)!);
        return () => { pre.remove(); post.remove(); };
    }

    private static Func<torch.nn.Module, object?[], object?> Invoker3<T1, T2, T3, TR>() => static (m, a) => ((torch.nn.Module<T1, T2, T3, TR>)m).call((T1)a[0]!, (T2)a[1]!, (T3)a[2]!);

    private static Action Register4<T1, T2, T3, T4, TR>(torch.nn.Module<T1, T2, T3, T4, TR> m, IUnitHook hook)
    {
        var pre = m.register_forward_pre_hook((_, i1, i2, i3, i4) => hook.Before([i1, i2, i3, i4]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!, (T4)r[3]!) : null);
        var post = m.register_forward_hook((_, i1, i2, i3, i4, r) => (TR)hook.After([i1, i2, i3, i4], r)!);
        return () => { pre.remove(); post.remove(); };
    }

    private static Func<torch.nn.Module, object?[], object?> Invoker4<T1, T2, T3, T4, TR>() => static (m, a) => ((torch.nn.Module<T1, T2, T3, T4, TR>)m).call((T1)a[0]!, (T2)a[1]!, (T3)a[2]!, (T4)a[3]!);

    private static Action Register5<T1, T2, T3, T4, T5, TR>(torch.nn.Module<T1, T2, T3, T4, T5, TR> m, IUnitHook hook)
    {
        var pre = m.register_forward_pre_hook((_, i1, i2, i3, i4, i5) => hook.Before([i1, i2, i3, i4, i5]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!, (T4)r[3]!, (T5)r[4]!) : null);
        var post = m.register_forward_hook((_, i1, i2, i3, i4, i5, r) => (TR)hook.After([i1, i2, i3, i4, i5], r)!);
        return () => { pre.remove(); post.remove(); };
    }

    private static Func<torch.nn.Module, object?[], object?> Invoker5<T1, T2, T3, T4, T5, TR>() => static (m, a) => ((torch.nn.Module<T1, T2, T3, T4, T5, TR>)m).call((T1)a[0]!, (T2)a[1]!, (T3)a[2]!, (T4)a[3]!, (T5)a[4]!);

    private static Action Register6<T1, T2, T3, T4, T5, T6, TR>(torch.nn.Module<T1, T2, T3, T4, T5, T6, TR> m, IUnitHook hook)
    {
        var pre = m.register_forward_pre_hook((_, i1, i2, i3, i4, i5, i6) => hook.Before([i1, i2, i3, i4, i5, i6]) is { } r ? ((T1)r[0]!, (T2)r[1]!, (T3)r[2]!, (T4)r[3]!, (T5)r[4]!, (T6)r[5]!) : null);
        var post = m.register_forward_hook((_, i1, i2, i3, i4, i5, i6, r) => (TR)hook.After([i1, i2, i3, i4, i5, i6], r)!);
        return () => { pre.remove(); post.remove(); };
    }

    private static Func<torch.nn.Module, object?[], object?> Invoker6<T1, T2, T3, T4, T5, T6, TR>() => static (m, a) => ((torch.nn.Module<T1, T2, T3, T4, T5, T6, TR>)m).call((T1)a[0]!, (T2)a[1]!, (T3)a[2]!, (T4)a[3]!, (T5)a[4]!, (T6)a[5]!);
}
