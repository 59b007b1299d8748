using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Units;
using TorchSharp;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// TorchSharp's <c>nn.TransformerEncoder</c>, <c>nn.TransformerDecoder</c> and <c>nn.Transformer</c> run in native code:
/// their layers are not managed modules, so they cannot be hooked one by one and the whole module can only be one
/// unit (facts §8). Profiling says so, with warning ACKPT038 and the way out.
/// </summary>
internal static class NativeModules
{
    private static readonly Type[] Native =
        [typeof(TorchSharp.Modules.TransformerEncoder), typeof(TorchSharp.Modules.TransformerDecoder), typeof(TorchSharp.Modules.Transformer)];

    /// <summary>One ACKPT038 warning per native module under <paramref name="model"/> (or the model itself).</summary>
    public static IReadOnlyList<AckptException> Warnings(torch.nn.Module model)
    {
        var found = UnitFinder.NamedModules(model).Prepend(("", model)).Where(m => Native.Contains(m.Item2.GetType()));
        return [.. found.Select(m => new AckptException(ErrorCodes.NativeModuleOneUnit,
            $"{(m.Item1.Length == 0 ? "the model" : $"'{m.Item1}'")} is a TorchSharp {m.Item2.GetType().Name}, which runs in native code: its layers are not " +
            "modules AutoCkpt can reach, so it can only be one unit as a whole (recomputed or kept all at once). To plan its layers one by one, " +
            "write them as managed modules (a ModuleList of your own encoder layers, each a Module<Tensor, Tensor> or with a mask input)."))];
    }
}
