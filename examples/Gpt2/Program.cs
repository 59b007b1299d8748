using AutoCkpt.Examples;
using AutoCkpt.Examples.Gpt2;

// dotnet run -c Release --project examples/Gpt2            profile, plan, train with the plan, compare (CPU, tiny)
// dotnet run -c Release --project examples/Gpt2 -- train   train with the plan the build keeps current
return ExampleProgram.Main(args, [new Gpt2Tiny(), new Gpt2Deep(), new Gpt2Small(), new Gpt2Medium()]);
