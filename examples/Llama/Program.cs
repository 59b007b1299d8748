using AutoCkpt.Examples;
using AutoCkpt.Examples.Llama;

// dotnet run -c Release --project examples/Llama                                 profile, plan, train with the plan, compare (CPU, tiny)
// dotnet run -c Release --project examples/Llama -- --target llama-lora-tiny     the same for the LoRA fine-tune
// dotnet run -c Release --project examples/Llama -- own-loop [--profile | --check-peak]   an app's own loop, no target class (OwnLoop.cs)
if (args is ["own-loop", .. var rest])
{
    ProcessSetup.BeforeTorch();
    OwnLoop.Run(steps: 20, rest.Contains("--profile") ? OwnLoop.ProfilePath : null, Console.WriteLine, checkPeak: rest.Contains("--check-peak"));
    return 0;
}
return ExampleProgram.Main(args, [new LlamaTiny(), new LlamaLoraTiny(), new Llama1B(), new LlamaLora1B()]);
