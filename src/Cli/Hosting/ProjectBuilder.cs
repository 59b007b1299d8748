using System.Text.Json;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Cli.Hosting;

/// <summary>Turns what the user gave to --project (a project file, its folder, or a built .dll) into a built app.</summary>
internal static class ProjectBuilder
{
    private static readonly string[] ProjectExtensions = [".csproj", ".fsproj", ".vbproj"];

    private static readonly string[] OutputProperties =
        ["-getProperty:TargetPath", "-getProperty:ProjectDepsFilePath", "-getProperty:ProjectRuntimeConfigFilePath"];

    /// <summary>
    /// Builds a project with <c>dotnet build</c> in <paramref name="configuration"/> and returns its outputs, or takes a
    /// .dll as built. With <paramref name="noBuild"/> the project is only evaluated (<c>dotnet msbuild -getProperty</c>)
    /// for where its outputs are, as <c>dotnet ef --no-build</c> does. <paramref name="log"/> receives progress lines.
    /// Throws <see cref="AckptException"/>: ACKPT030 when nothing is at the path, or with <paramref name="noBuild"/> when
    /// the project has not been built in <paramref name="configuration"/>; ACKPT023 when the build fails (the message
    /// carries the build's output as it was) or the project cannot be evaluated.
    /// </summary>
    public static AppAssembly Resolve(string path, string configuration, bool noBuild, Action<string> log)
    {
        string full = Path.GetFullPath(path);
        if (full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            return AppAssembly.FromDll(full);
        string project = FindProject(full);
        return noBuild ? Evaluate(project, configuration, log) : Build(project, configuration, log);
    }

    private static AppAssembly Build(string project, string configuration, Action<string> log)
    {
        log($"building {project} ({configuration})");
        var output = new List<string>();
        int exit = ProcessRunner.Run(Dotnet.Path,
            // AutoCkptSkipPlan=true: profiling and benchmarking need no new plan, and the project's profile may not
            // exist yet (ACKPT020); unlike AutoCkptEnabled=false it keeps the plan a build made beside the app.
            ["build", project, "-nologo", "-c", configuration, "-t:Build", "-p:AutoCkptSkipPlan=true", .. OutputProperties],
            output.Add, output.Add);
        string text = string.Join('\n', output);
        if (exit != 0)
            throw new AckptException(ErrorCodes.ProjectBuildFailed,
                $"the project did not build (dotnet build exited with {exit}):\n{string.Join('\n', WithoutProperties(output))}", project);
        var properties = ReadProperties(text, project);
        return AppAssembly.FromDll(properties["TargetPath"], Blank(properties, "ProjectDepsFilePath"), Blank(properties, "ProjectRuntimeConfigFilePath"));
    }

    /// <summary>--no-build: where the project's outputs are in <paramref name="configuration"/>, which must exist.</summary>
    private static AppAssembly Evaluate(string project, string configuration, Action<string> log)
    {
        log($"not building {project} (--no-build): using its {configuration} output");
        var output = new List<string>();
        int exit = ProcessRunner.Run(Dotnet.Path,
            ["msbuild", project, "-nologo", $"-p:Configuration={configuration}", .. OutputProperties], output.Add, output.Add);
        string text = string.Join('\n', output);
        if (exit != 0)
            throw new AckptException(ErrorCodes.ProjectBuildFailed,
                $"the project could not be evaluated (dotnet msbuild exited with {exit}):\n{string.Join('\n', WithoutProperties(output))}", project);
        var properties = ReadProperties(text, project);
        string? deps = Blank(properties, "ProjectDepsFilePath");
        foreach (var file in new[] { Blank(properties, "TargetPath"), deps })
            if (file is null || !File.Exists(file))
                throw new AckptException(ErrorCodes.ProjectMissing,
                    $"--no-build: the project has no {configuration} output ('{file ?? "TargetPath"}' does not exist): " +
                    $"build it first (dotnet build -c {configuration}) or drop --no-build.", project);
        return AppAssembly.FromDll(properties["TargetPath"], deps, Blank(properties, "ProjectRuntimeConfigFilePath"));
    }

    private static string FindProject(string full)
    {
        if (File.Exists(full) && ProjectExtensions.Contains(Path.GetExtension(full), StringComparer.OrdinalIgnoreCase))
            return full;
        if (Directory.Exists(full))
        {
            var projects = Directory.EnumerateFiles(full).Where(f => ProjectExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).ToList();
            if (projects.Count == 1) return projects[0];
            throw new AckptException(ErrorCodes.ProjectMissing, projects.Count == 0
                ? $"no project file in '{full}': give a .csproj or a built .dll."
                : $"'{full}' holds {projects.Count} project files: give one of them.", full);
        }
        throw new AckptException(ErrorCodes.ProjectMissing, $"'{full}' does not exist: give a .csproj to build or a built .dll.", full);
    }

    private static Dictionary<string, string> ReadProperties(string text, string project)
    {
        int start = text.IndexOf('{');
        int end = text.LastIndexOf('}');
        try
        {
            if (start < 0 || end < start) throw new JsonException("no JSON in the output");
            using var doc = JsonDocument.Parse(text[start..(end + 1)]);
            return doc.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new AckptException(ErrorCodes.ProjectBuildFailed, $"the project built but its output path could not be read ({e.Message}):\n{text}", project);
        }
    }

    /// <summary>The build's own lines: the "-getProperty" JSON block ("{" to "}") is ours, not the build's.</summary>
    private static IEnumerable<string> WithoutProperties(List<string> lines)
    {
        int start = lines.IndexOf("{");
        int end = lines.LastIndexOf("}");
        return start >= 0 && end > start ? lines.Take(start).Concat(lines.Skip(end + 1)) : lines;
    }

    private static string? Blank(Dictionary<string, string> p, string key) =>
        p.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
}
