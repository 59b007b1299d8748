using System.Text.Json;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Cli.Hosting;

/// <summary>Turns what the user gave to --project (a project file, its folder, or a built .dll) into a built app.</summary>
internal static class ProjectBuilder
{
    private static readonly string[] ProjectExtensions = [".csproj", ".fsproj", ".vbproj"];

    private static readonly string[] OutputProperties =
        ["-getProperty:TargetPath", "-getProperty:ProjectDepsFilePath", "-getProperty:ProjectRuntimeConfigFilePath", "-getProperty:ProjectAssetsFile"];

    /// <summary>
    /// Builds a project with <c>dotnet build</c> in <paramref name="configuration"/> and returns its outputs, or takes a
    /// .dll as built. The build is skipped when the last one autockpt ran of the project in that configuration is still
    /// up to date (<see cref="BuildStamp"/>: no input written since it started, its outputs there). With <paramref name="noBuild"/> the project is only evaluated (<c>dotnet msbuild -getProperty</c>)
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
        var stamp = BuildStamp.Read(project, configuration);
        string? why = stamp is null ? "no build of this project and configuration by autockpt is recorded" : stamp.WhyBuild(project, configuration);
        if (why is null)
        {
            log($"not building {project} ({configuration}): up to date, no input changed since autockpt built it at {stamp!.StartedUtc.ToLocalTime():HH:mm:ss}");
            return AppAssembly.FromDll(stamp.TargetPath, stamp.DepsFile, stamp.RuntimeConfig);
        }
        log($"building {project} ({configuration}): {why}");
        var started = DateTime.UtcNow;
        var output = new List<string>();
        int exit = ProcessRunner.Run(Dotnet.Path,
            // AutoCkptSkipPlan=true: profiling and benchmarking need no new plan, and the project's profile may not
            // exist yet (ACKPT020); unlike AutoCkptEnabled=false it keeps the plan a build made beside the app.
            ["build", project, "-nologo", "-c", configuration, "-t:Build", "-p:AutoCkptSkipPlan=true", .. OutputProperties, .. SourceItems],
            output.Add, output.Add);
        string text = string.Join('\n', output);
        if (exit != 0)
            throw new AckptException(ErrorCodes.ProjectBuildFailed,
                $"the project did not build (dotnet build exited with {exit}):\n{string.Join('\n', WithoutProperties(output))}", project);
        var properties = ReadProperties(text, project);
        var app = AppAssembly.FromDll(properties["TargetPath"], Blank(properties, "ProjectDepsFilePath"), Blank(properties, "ProjectRuntimeConfigFilePath"));
        if (BuildStamp.FoldersOf(project, Blank(properties, "ProjectAssetsFile")) is { } folders)
            new BuildStamp(project, configuration, BuildStamp.CurrentVersion, started, app.AssemblyPath, app.DepsFile, app.RuntimeConfig, folders)
            {
                Files = BuildStamp.FilesOutside(folders, ReadItemPaths(text)),
            }.Write();
        return app;
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

    /// <summary>The project's own sources, which may lie outside its folder (a linked <c>Compile Include</c>).</summary>
    private static readonly string[] SourceItems = ["-getItem:Compile", "-getItem:EmbeddedResource"];

    /// <summary>The full paths of the items in the "-getItem" JSON; none when it cannot be read.</summary>
    private static IReadOnlyList<string> ReadItemPaths(string text)
    {
        int start = text.IndexOf('{'), end = text.LastIndexOf('}');
        if (start < 0 || end < start) return [];
        try
        {
            using var doc = JsonDocument.Parse(text[start..(end + 1)]);
            if (!doc.RootElement.TryGetProperty("Items", out var items)) return [];
            return [.. items.EnumerateObject().SelectMany(kind => kind.Value.EnumerateArray())
                .Select(item => item.TryGetProperty("FullPath", out var path) ? path.GetString() : null).OfType<string>()];
        }
        catch (JsonException)
        {
            return [];
        }
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
