using Xunit;

// The end-to-end tests build, profile and bench an app in child processes whose timings and memory they read: one at
// a time, as in the profiler tests where they ran before.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
