using System.Diagnostics;
using System.Globalization;
using AutoCkpt.Profiler.Host;
using Spectre.Console;

namespace AutoCkpt.Cli.Output;

/// <summary>
/// Shows the host's progress: a Spectre.Console progress bar on a terminal, plain lines otherwise (CI, logs,
/// redirected output). Phases: "warm-up", then "stage" i of n, then "check", then "step time".
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, giving it the callback that shows each progress message.</summary>
    public static T Run<T>(IAnsiConsole console, string title, Func<Action<HostMessage>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            long start = Stopwatch.GetTimestamp();
            return work(m =>
            {
                if (Describe(m) is { } text)
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {text} ({Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s)"));
            });
        }
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                var result = work(m => Update(task, title, m));
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>A line for a progress message, or null for other messages.</summary>
    public static string? Describe(HostMessage m) => m.Kind != "progress" ? null : m.Phase switch
    {
        "stage" => $"stage {m.Index + 1}/{m.Count} {m.Item}",
        "gradients" or "warm-up round" or "timed round" or "trace" => $"{m.Phase} {m.Index + 1}/{m.Count}: {m.Item}",
        "check" => "self-check (whole forward and step)",
        "step time" => "step time (whole steps: plain, every unit recomputed alone, the units in one segment)",
        _ => m.Phase,
    };

    private static void Update(ProgressTask task, string title, HostMessage m)
    {
        if (m.Kind != "progress" || Describe(m) is not { } text) return;
        int count = m.Count ?? 0;
        task.MaxValue = count + 2;
        task.Value = m.Phase switch { "stage" => 1 + (m.Index ?? 0), "check" => count + 1, "step time" => count + 2, _ => 0 };
        task.Description = Markup.Escape($"{title}: {text}");
    }
}
