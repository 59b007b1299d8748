using Xunit;

namespace AutoCkpt.Runtime.Tests.Memory;

/// <summary>
/// Memory readings are process-wide, so tests that measure memory run in this collection, which xunit runs alone,
/// after the parallel collections, never beside another test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection : ICollectionFixture<MemoryCollection.SingleThreaded>
{
    public const string Name = "Memory measurements (run alone)";

    /// <summary>Lets finalizers of earlier tests' tensors run now rather than during a measurement.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// One libtorch thread while the collection runs: GEMM libraries keep per-thread buffers, allocated the first
    /// time a thread runs a given product, which with several threads can land in any measured step. The runtime's
    /// memory does not depend on the thread count.
    /// </summary>
    public sealed class SingleThreaded : IDisposable
    {
        private readonly int _threads = TorchSharp.torch.get_num_threads();

        public SingleThreaded() => TorchSharp.torch.set_num_threads(1);

        public void Dispose() => TorchSharp.torch.set_num_threads(_threads);
    }
}
