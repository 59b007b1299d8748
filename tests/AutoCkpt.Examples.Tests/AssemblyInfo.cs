using Xunit;

// Torch's random generator and the process's memory readings are global: tests here must not run at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
