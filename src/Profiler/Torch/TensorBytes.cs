using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Torch;

/// <summary>Bytes of tensors, each counted once however often it is listed.</summary>
internal static class TensorBytes
{
    /// <summary>Bytes of one tensor's elements.</summary>
    public static long Of(Tensor t) => t.NumberOfElements * t.ElementSize;

    /// <summary>
    /// Bytes of <paramref name="tensors"/>, each tensor once: <c>parameters()</c> lists a module registered in two places
    /// twice (a head tied to the embedding through a shared module), and such a parameter is one allocation.
    /// </summary>
    public static long Distinct(IEnumerable<Tensor> tensors)
    {
        var seen = new HashSet<IntPtr>();
        var objects = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        long sum = 0;
        foreach (var t in tensors)
            if (objects.Add(t) && seen.Add(t.Handle))
                sum += Of(t);
        return sum;
    }

    /// <summary>The gradients of <paramref name="parameters"/> that exist, each parameter once.</summary>
    public static IEnumerable<Tensor> Gradients(IEnumerable<Tensor> parameters) =>
        parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>().Select(p => p.grad).OfType<Tensor>();
}
