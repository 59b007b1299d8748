namespace AutoCkpt.MSBuild.Tests.Support;

/// <summary>A temporary folder with a profile, a stand-in for autockpt.dll and a project file, for one unit test.</summary>
internal sealed class TaskFixture : IDisposable
{
    public TaskFixture(string profileAsset = "tiny.profile.yaml")
    {
        Directory.CreateDirectory(Path.Combine(Root, "cli"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "assets", profileAsset), ProfilePath);
        File.WriteAllText(CliPath, "not run: the tests run a fake tool in process");
        File.WriteAllText(HostPath, "not run: the tests run a fake tool in process");
        File.WriteAllText(ProjectPath, "<Project />");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "autockpt-msbuild-unit", Guid.NewGuid().ToString("N"));
    public string ProfilePath => Path.Combine(Root, "app.profile.yaml");
    public string CliPath => Path.Combine(Root, "cli", "autockpt.dll");
    public string ProjectPath => Path.Combine(Root, "app.csproj");
    public string HostPath => Path.Combine(Root, "dotnet-test");
    public string PlanPath => Path.Combine(Root, "bin", "autockpt.plan.yaml");
    public FakeBuildEngine Engine { get; } = new();

    public GeneratePlan Task(FakeTool tool, string cap = "1GiB") => Task(tool.Run, cap);

    public GeneratePlan Task(Func<IReadOnlyList<string>, string, (int, IReadOnlyList<string>)> tool, string cap = "1GiB") => new()
    {
        InProcessTool = tool,
        BuildEngine = Engine,
        ProfileFile = ProfilePath,
        MemoryCap = cap,
        PlanFile = PlanPath,
        CliAssembly = CliPath,
        DotnetHost = HostPath,
        ProjectFile = ProjectPath,
    };

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
