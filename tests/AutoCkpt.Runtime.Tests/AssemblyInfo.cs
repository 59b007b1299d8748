using Xunit;

// The tests share process-wide state: libtorch's global CPU generator (bit-identity relies on seeding it) and
// process memory (the memory tests read it). They run one at a time; the whole project takes seconds.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
