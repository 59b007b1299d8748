using Xunit;

// Memory probes read the whole process: tests that measure must not overlap.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
