using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace AutoCkpt.Formats.Tests;

/// <summary>
/// The house rules of docs/architecture.md, checked over the repository's sources: a namespace follows its folder
/// (the project's root namespace plus the folder path), and a file is named for a type it declares. A file that breaks
/// them fails here with its path, so the layout cannot drift commit by commit.
/// </summary>
public sealed partial class RepositoryLayoutTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "src", "tests" })
            foreach (var csproj in Directory.EnumerateFiles(Path.Combine(Root, dir), "*.csproj", SearchOption.AllDirectories))
                if (!csproj.Contains($"{Path.DirectorySeparatorChar}assets{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                    data.Add(Path.GetRelativePath(Root, csproj));
        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Namespaces_follow_folders(string project)
    {
        var (dir, rootNamespace) = Describe(project);
        var wrong = new List<string>();
        foreach (var file in Sources(dir))
        {
            var match = NamespaceLine().Match(File.ReadAllText(file));
            if (!match.Success) continue; // top-level statements (Program.cs) and assembly attributes
            var folder = Path.GetRelativePath(dir, Path.GetDirectoryName(file)!);
            var expected = folder == "." ? rootNamespace : rootNamespace + "." + folder.Replace(Path.DirectorySeparatorChar, '.');
            if (match.Groups[1].Value != expected)
                wrong.Add($"{Path.GetRelativePath(Root, file)}: namespace {match.Groups[1].Value}, expected {expected}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Files_are_named_for_a_type_they_declare(string project)
    {
        var (dir, _) = Describe(project);
        var wrong = new List<string>();
        foreach (var file in Sources(dir))
        {
            var types = TypeDeclaration().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
            var name = Path.GetFileNameWithoutExtension(file);
            if (types.Count > 0 && !types.Contains(name))
                wrong.Add($"{Path.GetRelativePath(Root, file)} declares {string.Join(", ", types)}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static (string Dir, string RootNamespace) Describe(string project)
    {
        var path = Path.Combine(Root, project);
        var rootNamespace = XDocument.Load(path).Descendants("RootNamespace").FirstOrDefault()?.Value
            ?? Path.GetFileNameWithoutExtension(path);
        return (Path.GetDirectoryName(path)!, rootNamespace);
    }

    private static IEnumerable<string> Sources(string dir) =>
        Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f =>
        {
            var rel = Path.GetRelativePath(dir, f).Split(Path.DirectorySeparatorChar);
            return rel[0] is not ("bin" or "obj") && !rel.Contains("buildTransitive") && !rel.Contains("build");
        });

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "AutoCkpt.sln"))) return d.FullName;
        throw new InvalidOperationException("AutoCkpt.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    // Top-level (column 0) type declarations; nested types are indented and belong to their outer type's file.
    [GeneratedRegex(@"^(?:(?:public|internal|file|sealed|static|abstract|partial|readonly|ref|unsafe)\s+)*(?:class|record(?:\s+struct|\s+class)?|struct|interface|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();
}
