namespace AutoCkpt.Profiler.Torch;

/// <summary>Recognises libtorch's out-of-memory errors, which TorchSharp rethrows as plain exceptions.</summary>
public static class OutOfMemory
{
    /// <summary>True when <paramref name="e"/> or an inner exception says the device ran out of memory.</summary>
    public static bool Is(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OutOfMemoryException or InsufficientMemoryException) return true;
            string m = x.Message;
            if (m.Contains("out of memory", StringComparison.OrdinalIgnoreCase) ||
                m.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase) ||
                m.Contains("CUDA_ERROR_OUT_OF_MEMORY", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
