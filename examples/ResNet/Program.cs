using AutoCkpt.Examples;
using AutoCkpt.Examples.ResNet;

// dotnet run -c Release --project examples/ResNet            profile, plan, train with the plan, compare (CPU)
// dotnet run -c Release --project examples/ResNet -- train   train with the plan the build keeps current
return ExampleProgram.Main(args, [new ResNetSmall(), new ResNetLarge()]);
