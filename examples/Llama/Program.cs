using AutoCkpt.Examples;
using AutoCkpt.Examples.Llama;

// dotnet run -c Release --project examples/Llama                                 profile, plan, train with the plan, compare (CPU, tiny)
// dotnet run -c Release --project examples/Llama -- --target llama-lora-tiny     the same for the LoRA fine-tune
return ExampleProgram.Main(args, [new LlamaTiny(), new LlamaLoraTiny(), new Llama1B(), new LlamaLora1B()]);
