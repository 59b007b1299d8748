// The targets are profiled and benched by the CLI (docs/benchmarks.md, "Accuracy on models written elsewhere").
System.Console.WriteLine("AccuracyTargets: run 'autockpt profile --project tests/assets/AccuracyTargets --target byte-transformer' (or conv-bn-net, mobilenet-chain).");
