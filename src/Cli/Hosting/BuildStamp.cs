using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AutoCkpt.Cli.Hosting;

/// <summary>
/// What the last build autockpt ran of a project made, kept outside the project (in the user's cache folder), so
/// that <c>profile</c> and <c>bench</c> skip <c>dotnet build</c> when no input changed since (docs/profiler.md,
/// "No rebuild when nothing changed"). The inputs watched: every file under the project's folder and under the
/// folder of each project it references (transitively, from its project.assets.json), except <c>bin/</c>,
/// <c>obj/</c> and hidden folders and profiles (<c>*.profile.yaml</c>, autockpt's own output, which these builds do
/// not read), the project's sources outside those folders, and the build files (<c>Directory.*</c>, <c>global.json</c>, <c>NuGet.config</c>,
/// <c>.editorconfig</c>) in every folder above them. A file with a time at or after the start of that build means a
/// build; so does another AutoCkpt version, another configuration or a missing output.
/// </summary>
/// <param name="Project">The project file, full path.</param>
/// <param name="Configuration">The configuration it was built in.</param>
/// <param name="Version">The AutoCkpt version that built it.</param>
/// <param name="StartedUtc">When that build started: an input written since may not be in its outputs.</param>
/// <param name="TargetPath">The app's assembly.</param>
/// <param name="DepsFile">Its .deps.json, or null.</param>
/// <param name="RuntimeConfig">Its .runtimeconfig.json, or null.</param>
/// <param name="ProjectFolders">The project's folder and those of the projects it references, full paths.</param>
internal sealed record BuildStamp(string Project, string Configuration, string Version, DateTime StartedUtc, string TargetPath,
    string? DepsFile, string? RuntimeConfig, IReadOnlyList<string> ProjectFolders)
{
    private static readonly string[] BuildFiles = ["global.json", "nuget.config", ".editorconfig"];

    /// <summary>
    /// The project's own sources outside <see cref="ProjectFolders"/> (a linked <c>Compile Include="../x.cs"</c>), full
    /// paths; watched too. Generated sources under a <c>bin/</c> or <c>obj/</c> folder are not.
    /// </summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Of <paramref name="items"/>, those outside every folder of <paramref name="folders"/> and not under bin/ or obj/.</summary>
    public static IReadOnlyList<string> FilesOutside(IReadOnlyList<string> folders, IEnumerable<string> items) =>
        [.. items.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal)
            .Where(f => !folders.Any(d => f.StartsWith(Path.TrimEndingDirectorySeparator(d) + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))];

    /// <summary>The running AutoCkpt's version, with its commit: another version may build differently.</summary>
    public static string CurrentVersion { get; } =
        typeof(BuildStamp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// The folder stamps are kept in: <c>AUTOCKPT_CACHE</c>, else <c>$XDG_CACHE_HOME/autockpt</c>, else
    /// <c>~/.cache/autockpt</c>; then <c>builds/</c>.
    /// </summary>
    public static string Folder
    {
        get
        {
            string? root = Environment.GetEnvironmentVariable("AUTOCKPT_CACHE");
            if (string.IsNullOrEmpty(root))
            {
                string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                root = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg, "autockpt");
            }
            return Path.Combine(root, "builds");
        }
    }

    /// <summary>The stamp file of <paramref name="project"/> built in <paramref name="configuration"/>.</summary>
    public static string PathOf(string project, string configuration)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Path.GetFullPath(project)}|{configuration}"));
        return Path.Combine(Folder, Convert.ToHexString(hash, 0, 12).ToLowerInvariant() + ".json");
    }

    /// <summary>The stamp of the last build of the project in the configuration, or null (none, or unreadable).</summary>
    public static BuildStamp? Read(string project, string configuration)
    {
        string path = PathOf(project, configuration);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<BuildStamp>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Writes the stamp; a cache that cannot be written only costs a build next time.</summary>
    public void Write()
    {
        try
        {
            string path = PathOf(Project, Configuration);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(this));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal: the next call builds again.
        }
    }

    /// <summary>
    /// Null when the outputs are up to date for <paramref name="project"/> in <paramref name="configuration"/>; else
    /// why a build is needed, for the log.
    /// </summary>
    public string? WhyBuild(string project, string configuration)
    {
        if (!string.Equals(Project, Path.GetFullPath(project), StringComparison.Ordinal) || Configuration != configuration)
            return "no build of this project and configuration by autockpt is recorded";
        if (ProjectFolders.Count == 0)
            return "the inputs of the last build are not recorded";
        if (Version != CurrentVersion)
            return $"the last build was by AutoCkpt {Version}";
        foreach (var output in new[] { TargetPath, DepsFile, RuntimeConfig })
            if (output is not null && !File.Exists(output))
                return $"'{output}' is missing";
        var newer = NewestInput();
        return newer is { } n && n.Time >= StartedUtc ? $"'{n.Path}' changed since the last build" : null;
    }

    /// <summary>The newest input file and its last write time (UTC), or null when there is none.</summary>
    public (string Path, DateTime Time)? NewestInput()
    {
        (string, DateTime)? newest = null;
        void Consider(string file)
        {
            var t = File.GetLastWriteTimeUtc(file);
            if (newest is not { } n || t > n.Item2) newest = (file, t);
        }
        foreach (string file in Files)
            if (File.Exists(file)) Consider(file);
            else newest = (file, DateTime.MaxValue);
        var ancestors = new HashSet<string>(StringComparer.Ordinal);
        foreach (string folder in ProjectFolders)
        {
            if (!Directory.Exists(folder)) { newest = (folder, DateTime.MaxValue); continue; }
            foreach (string file in FilesUnder(folder)) Consider(file);
            for (var dir = Directory.GetParent(folder); dir is not null; dir = dir.Parent)
                if (ancestors.Add(dir.FullName))
                    foreach (string file in Directory.EnumerateFiles(dir.FullName).Where(IsBuildFile)) Consider(file);
        }
        return newest;
    }

    private static bool IsBuildFile(string file)
    {
        string name = Path.GetFileName(file);
        return name.StartsWith("Directory.", StringComparison.OrdinalIgnoreCase) || BuildFiles.Contains(name, StringComparer.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> FilesUnder(string folder)
    {
        var pending = new Stack<string>([folder]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            // A profile is autockpt's own output: the builds autockpt runs (AutoCkptSkipPlan) never read it.
            foreach (string file in Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(".profile.yaml", StringComparison.OrdinalIgnoreCase))) yield return file;
            foreach (string sub in Directory.EnumerateDirectories(dir))
            {
                string name = Path.GetFileName(sub);
                if (name is "bin" or "obj" || name.StartsWith('.')) continue;
                if (new DirectoryInfo(sub).LinkTarget is not null) continue; // a link may lead anywhere, even above
                pending.Push(sub);
            }
        }
    }

    /// <summary>
    /// The folders of <paramref name="project"/> and of every project it references, from its restore output
    /// (<paramref name="assetsFile"/>, whose project libraries are paths relative to the project's folder); null when
    /// that file cannot be read, so that no stamp is written and the next call builds.
    /// </summary>
    public static IReadOnlyList<string>? FoldersOf(string project, string? assetsFile)
    {
        string home = Path.GetDirectoryName(Path.GetFullPath(project))!;
        var folders = new List<string> { home };
        if (assetsFile is null || !File.Exists(assetsFile)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(assetsFile));
            if (doc.RootElement.TryGetProperty("libraries", out var libraries))
                foreach (var library in libraries.EnumerateObject())
                    if (library.Value.TryGetProperty("type", out var type) && type.GetString() == "project"
                        && library.Value.TryGetProperty("path", out var path) && path.GetString() is { } relative)
                        folders.Add(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(home, relative)))!);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return null;
        }
        return [.. folders.Distinct(StringComparer.Ordinal)];
    }
}
