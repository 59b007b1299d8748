namespace AutoCkpt.InPlace;

/// <summary>
/// Set while a recompute (in a checkpoint's backward) calls units again through <c>call</c>: every unit hook then lets
/// the call pass through and counts nothing. Per thread, as autograd runs a custom function's backward on the thread
/// that called <c>backward()</c> on the CPU.
/// </summary>
internal static class Recomputing
{
    [ThreadStatic]
    private static int _depth;

    /// <summary>True inside a recompute on this thread.</summary>
    public static bool Active => _depth > 0;

    /// <summary>Marks a recompute until the returned scope is disposed.</summary>
    public static Scope Enter()
    {
        _depth++;
        return default;
    }

    /// <summary>Ends a recompute.</summary>
    public readonly struct Scope : IDisposable
    {
        public void Dispose() => _depth--;
    }
}
