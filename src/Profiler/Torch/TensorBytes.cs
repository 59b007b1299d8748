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

    /// <summary>
    /// Bytes of the gradients of <paramref name="parameters"/> that exist, each parameter once. Each <c>grad</c> read
    /// makes a handle that keeps the gradient alive; it is disposed here, or the memory would outlive the model until a
    /// finalizer ran, in the middle of some later measurement.
    /// </summary>
    public static long GradientBytes(IEnumerable<Tensor> parameters)
    {
        long sum = 0;
        foreach (var p in parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>())
        {
            using var grad = p.grad;
            if (grad is not null) sum += Of(grad);
        }
        return sum;
    }
}
