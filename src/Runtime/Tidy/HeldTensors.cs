using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Tidy;

/// <summary>
/// The tensors a module tree holds for later use: its registered buffers and every tensor reachable from the
/// modules' instance fields (a <c>Tensor</c>, a collection or dictionary of tensors, or a field of a helper object of
/// the user's own, a few levels deep). Field lists are found by reflection once per type, and a unit's module tree
/// once per unit (a module added under a unit after its first tidy run is not walked).
/// </summary>
internal static class HeldTensors
{
    private const int MaxDepth = 4;
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> Fields = new();
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, nn.Module[]> Trees = new();
    private static readonly Assembly TorchSharpAssembly = typeof(Tensor).Assembly;

    /// <summary>Adds to <paramref name="sink"/> every tensor <paramref name="root"/> and the modules under it hold.</summary>
    public static void Collect(nn.Module root, List<Tensor> sink)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        // The module tree is read once per unit: TorchSharp's modules() builds every path name on each call.
        foreach (var module in Trees.GetValue(root, static r => [.. r.modules().Prepend(r).Distinct()]))
        {
            if (!visited.Add(module)) continue;
            sink.AddRange(module.buffers(recurse: false));
            Walk(module, sink, visited, 0);
        }
    }

    private static void Walk(object owner, List<Tensor> sink, HashSet<object> visited, int depth)
    {
        foreach (var field in FieldsOf(owner.GetType()))
            Value(field.GetValue(owner), sink, visited, depth);
    }

    private static void Value(object? value, List<Tensor> sink, HashSet<object> visited, int depth)
    {
        switch (value)
        {
            case null or string or Delegate or Type:
                return;
            case Tensor t:
                sink.Add(t);
                return;
            case nn.Module:
                return; // registered submodules are walked by Collect; others belong to their own owner
            case IDictionary dictionary when depth < MaxDepth:
                if (!visited.Add(dictionary)) return;
                foreach (DictionaryEntry entry in dictionary) Value(entry.Value, sink, visited, depth + 1);
                return;
            case IEnumerable items when depth < MaxDepth && value.GetType().Assembly != TorchSharpAssembly:
                if (!visited.Add(items)) return;
                foreach (var item in items) Value(item, sink, visited, depth + 1);
                return;
        }
        var type = value.GetType();
        if (depth >= MaxDepth || type.IsPrimitive || type.IsEnum || IsFramework(type)) return;
        if (!type.IsValueType && !visited.Add(value)) return;
        Walk(value, sink, visited, depth + 1);
    }

    private static bool IsFramework(Type type) =>
        type.Assembly == typeof(object).Assembly || type.Assembly == TorchSharpAssembly && !typeof(nn.Module).IsAssignableFrom(type)
        || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true;

    /// <summary>
    /// Instance fields of <paramref name="type"/> and its base types, up to TorchSharp's <c>nn.Module</c> itself (whose
    /// own fields hold registrations, read through <c>buffers()</c>), of types that can hold a tensor.
    /// </summary>
    private static FieldInfo[] FieldsOf(Type type) => Fields.GetOrAdd(type, static t =>
    {
        var list = new List<FieldInfo>();
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType)
        {
            if (c.Assembly == TorchSharpAssembly && c.Namespace == "TorchSharp" || c == typeof(nn.Module)) break;
            foreach (var f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!f.FieldType.IsPrimitive && !f.FieldType.IsEnum && f.FieldType != typeof(string) && !f.FieldType.IsPointer && f.FieldType != typeof(IntPtr)
                    && !typeof(nn.Module).IsAssignableFrom(f.FieldType) && !typeof(Delegate).IsAssignableFrom(f.FieldType))
                    list.Add(f);
        }
        return [.. list];
    });
}
