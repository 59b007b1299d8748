using System.CommandLine;
using AutoCkpt.Cli.Commands;

var root = new RootCommand("AutoCkpt: optimal activation checkpointing for TorchSharp models (profile -> plan -> run).");
root.Subcommands.Add(ProfileCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(ShowCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return root.Parse(args).Invoke();
