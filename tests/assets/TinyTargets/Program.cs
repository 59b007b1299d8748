// A training app would train here; the profiler only needs the targets in Targets.cs.
System.Console.WriteLine("TinyTargets: run 'autockpt profile --project tests/assets/TinyTargets' to profile its targets.");
