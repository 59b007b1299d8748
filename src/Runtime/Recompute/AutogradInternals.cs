using System.Reflection;
using AutoCkpt.Formats.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// Two memory fixes that reach into TorchSharp 0.107's custom-function node by reflection. Both are optional: on a
/// TorchSharp laid out differently they do nothing, and checkpointing stays correct but saves less; applying a plan
/// that recomputes then says so once, with warning ACKPT013 (<see cref="Warning"/>).
/// <list type="bullet">
/// <item>The node keeps <c>empty_like(output)</c> per output (<c>_outputCache</c>) while it lives, only to shape
/// zero gradients; for a checkpoint that is one extra activation per segment. It is swapped for a one-element
/// tensor expanded to the same shape, which serves the same purpose.</item>
/// <item>Saved tensors are only released when the node is destroyed (at the end of the step); releasing them
/// right after the segment's backward frees the segment's input as a built-in node would.</item>
/// </list>
/// </summary>
internal static class AutogradInternals
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly FieldInfo? NodeField = typeof(autograd.AutogradContext).GetField("_node", Private);
    private static readonly FieldInfo? SavedField = typeof(autograd.AutogradContext).GetField("_savedVariables", Private);

    private static readonly FieldInfo? OutputCacheField =
        typeof(autograd.AutogradContext).Assembly.GetType("TorchSharp.torch+autograd+Node`1")?.GetField("_outputCache", Private);

    /// <summary>True when this TorchSharp has the fields both fixes use.</summary>
    public static bool Supported => Missing.Count == 0;

    /// <summary>The TorchSharp members the fixes use that this TorchSharp lacks; empty when both fixes apply.</summary>
    public static IReadOnlyList<string> Missing
    {
        get
        {
            var missing = new List<string>();
            if (NodeField is null) missing.Add("AutogradContext._node");
            if (SavedField is null) missing.Add("AutogradContext._savedVariables");
            else if (ResetData is null) missing.Add("SavedVariable.reset_data()");
            if (OutputCacheField is null) missing.Add("Node<T>._outputCache");
            return missing;
        }
    }

    /// <summary>
    /// Warning ACKPT013 for a plan that recomputes on a TorchSharp that lacks <paramref name="missing"/> (see
    /// <see cref="Missing"/>), or null when nothing is missing. A parameter so that tests can give any list.
    /// </summary>
    public static string? Warning(IReadOnlyList<string> missing, string? planFile)
    {
        if (missing.Count == 0) return null;
        string version = typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        string message =
            $"this TorchSharp ({version}) lacks {string.Join(", ", missing)}, which AutoCkpt's checkpoint memory fixes use " +
            "(made for TorchSharp 0.107). Checkpointing stays correct, but each recomputed segment keeps one extra " +
            "output-sized tensor and its saved input until the step ends, so the step's peak can exceed the plan's prediction. " +
            "Use the TorchSharp version this AutoCkpt was built with, or check the peak with 'autockpt bench'.";
        return planFile is null ? $"warning {ErrorCodes.AutogradInternalsMissing}: {message}" : $"{planFile}: warning {ErrorCodes.AutogradInternalsMissing}: {message}";
    }

    /// <summary>Replaces the node's full-size output cache with expanded one-element tensors.</summary>
    public static void ShrinkOutputCache(autograd.AutogradContext ctx)
    {
        if (NodeField?.GetValue(ctx) is not { } node) return;
        var field = node.GetType().GetField("_outputCache", Private);
        if (field?.GetValue(node) is not List<Tensor> cache) return;
        for (int i = 0; i < cache.Count; i++)
        {
            if (cache[i] is not { } full || full.IsInvalid) continue;
            using var one = torch.zeros(Array.Empty<long>(), dtype: full.dtype, device: full.device);
            cache[i] = one.expand(full.shape).DetachFromDisposeScope();
            full.Dispose();
        }
    }

    private static readonly MethodInfo? ResetData = SavedField?.FieldType.GetGenericArguments().FirstOrDefault()
        ?.GetMethod("reset_data", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);

    /// <summary>Drops the data of the tensors the node saved for backward.</summary>
    public static void ReleaseSaved(autograd.AutogradContext ctx)
    {
        if (ResetData is null || SavedField?.GetValue(ctx) is not System.Collections.IEnumerable saved) return;
        foreach (var v in saved)
            if (v is not null)
                ResetData.Invoke(v, null);
    }
}
