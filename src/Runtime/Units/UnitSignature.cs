using System.Collections.Concurrent;
using TorchSharp;

namespace AutoCkpt.Units;

/// <summary>
/// The forward signature of a module type: TorchSharp's <c>Module&lt;T1, …, Tn, TResult&gt;</c> base (n from 1 to 6)
/// gives the input types and the result type. A module with no such base (<c>ModuleList</c>, <c>ModuleDict</c>, a
/// plain <c>Module</c>) has no inputs and no output: it cannot be called, so it cannot be a unit.
/// </summary>
internal sealed record UnitSignature(IReadOnlyList<Type> Inputs, Type? Output)
{
    /// <summary>TorchSharp's typed module bases, by arity.</summary>
    internal static readonly Type[] Bases =
    [
        typeof(torch.nn.Module<,>), typeof(torch.nn.Module<,,>), typeof(torch.nn.Module<,,,>),
        typeof(torch.nn.Module<,,,,>), typeof(torch.nn.Module<,,,,,>), typeof(torch.nn.Module<,,,,,,>),
    ];

    private static readonly ConcurrentDictionary<Type, UnitSignature> Cache = new();

    /// <summary>The signature of <paramref name="type"/>.</summary>
    public static UnitSignature Of(Type type) => Cache.GetOrAdd(type, static t =>
    {
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType)
        {
            if (!c.IsGenericType) continue;
            var definition = c.GetGenericTypeDefinition();
            if (Array.IndexOf(Bases, definition) < 0) continue;
            var args = c.GetGenericArguments();
            return new UnitSignature(args[..^1], args[^1]);
        }
        return new UnitSignature([], null);
    });

    /// <summary>The typed base type of <paramref name="type"/> (e.g. <c>Module&lt;Tensor, Tensor, Tensor&gt;</c>), or null.</summary>
    public static Type? BaseOf(Type type)
    {
        for (var c = type; c is not null && c != typeof(object); c = c.BaseType)
            if (c.IsGenericType && Array.IndexOf(Bases, c.GetGenericTypeDefinition()) >= 0)
                return c;
        return null;
    }
}
