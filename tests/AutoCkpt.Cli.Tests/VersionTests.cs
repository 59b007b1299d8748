using System.Diagnostics;
using Xunit;

namespace AutoCkpt.Cli.Tests;

/// <summary>The tool's version comes from git (MinVer): each commit builds to its own version.</summary>
public sealed class VersionTests
{
    [Fact]
    public void Version_names_the_commit_it_was_built_from()
    {
        using var cli = new CliHarness();
        var (exit, output, _) = cli.Exec("--version");
        Assert.Equal(0, exit);
        string version = output.Trim();
        string? head = Git("rev-parse HEAD");
        Assert.NotNull(head);
        // "0.1.0-alpha.0.<height>+<sha>" with no release tag; "<tag>+<sha>" on a tagged commit.
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\+[0-9a-f]{40}$", version);
        Assert.EndsWith("+" + head, version);
        Assert.NotEqual("0.1.0", version.Split('+')[0]);
    }

    private static string? Git(string args)
    {
        var psi = new ProcessStartInfo("git", args)
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? text : null;
    }
}
