using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Units whose forward modifies its input in place (<c>ReLU(inplace: true)</c> first): libtorch refuses that on a leaf
/// that requires grad ("a leaf Variable that requires grad is being used in an in-place operation"), so a pass that
/// feeds such a unit a leaf feeds it a non-leaf copy instead, from the first refusal on.
/// </summary>
internal static class InPlaceInput
{
    private static readonly ConditionalWeakTable<nn.Module, object> Seen = [];

    /// <summary>Whether <paramref name="unit"/> was seen to modify its input in place.</summary>
    public static bool Known(nn.Module unit) => Seen.TryGetValue(unit, out _);

    /// <summary>Records that <paramref name="unit"/> modifies its input in place.</summary>
    public static void Remember(nn.Module unit) => Seen.AddOrUpdate(unit, Seen);

    /// <summary>Whether <paramref name="e"/> is libtorch's refusal of an in-place op on a leaf that requires grad.</summary>
    public static bool IsLeafInPlaceError(Exception e) =>
        e.Message.Contains("leaf Variable that requires grad is being used in an in-place operation", StringComparison.Ordinal);
}
