using System.Reflection;

namespace AutoCkpt.MSBuild.Tests.Support;

/// <summary>Where the repo and what its build made are, as the test project's build recorded them.</summary>
internal static class RepoPaths
{
    public static string Root => Metadata("AutoCkptRepoRoot");
    public static string CliAssembly => Metadata("AutoCkptCliAssembly");
    public static string Configuration => Metadata("AutoCkptConfiguration");
    public static string TaskAssembly => typeof(GeneratePlan).Assembly.Location;
    public static string Asset(string name) => Path.Combine(AppContext.BaseDirectory, "assets", name);

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"the test build recorded no {key}");
}
