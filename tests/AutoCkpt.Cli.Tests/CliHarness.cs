using System.Diagnostics;
using System.Reflection;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests;

/// <summary>Tests that swap Console.Out run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>Runs the autockpt tool, in this process through its entry point or as a child process, in a temp folder.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Folder = Directory.CreateTempSubdirectory("autockpt-cli-").FullName;
    }

    public string Folder { get; }

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Writes a profile of <paramref name="stages"/> uniform stages to <paramref name="name"/>.</summary>
    public string WriteProfile(string name = "model.profile.yaml", Profile? profile = null)
    {
        ProfileFile.Write(PathOf(name), profile ?? TestProfiles.Random(new Random(21), 8), "test profile");
        return PathOf(name);
    }

    public (int Exit, string Out, string Err) Run(params string[] args)
    {
        var entry = Assembly.Load("autockpt").EntryPoint!;
        var (oldOut, oldErr, oldDir) = (Console.Out, Console.Error, Environment.CurrentDirectory);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            Environment.CurrentDirectory = Folder;
            int exit = (int)entry.Invoke(null, [args])!;
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Environment.CurrentDirectory = oldDir;
        }
    }

    /// <summary>Runs <c>dotnet exec autockpt.dll args</c>, as the MSBuild integration does.</summary>
    public (int Exit, string Out, string Err) Exec(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autockpt.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
