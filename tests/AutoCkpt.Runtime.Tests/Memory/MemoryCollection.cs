using Xunit;

namespace AutoCkpt.Runtime.Tests.Memory;

/// <summary>
/// Memory readings are process-wide, so tests that measure memory run in this collection, which xunit runs alone,
/// after the parallel collections, never beside another test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Memory measurements (run alone)";

    /// <summary>Lets finalizers of earlier tests' tensors run now rather than during a measurement.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
