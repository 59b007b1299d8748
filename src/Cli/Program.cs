using System.CommandLine;
using AutoCkpt.Cli.Commands;
using AutoCkpt.Cli.Common;

var root = new RootCommand("AutoCkpt: optimal activation checkpointing for TorchSharp models (profile -> plan -> run).");
root.Subcommands.Add(ProfileCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(ShowCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return CommandLineRun.Invoke(root, args);
