using System.CommandLine;

namespace AutoCkpt.Cli.Commands;

/// <summary>
/// The build options <c>profile</c> and <c>bench</c> share, so that both measure the same code: one configuration
/// (Release unless given) and <c>--no-build</c>.
/// </summary>
internal static class BuildOptions
{
    /// <summary>The configuration both commands build in unless <c>--configuration</c> says otherwise.</summary>
    public const string DefaultConfiguration = "Release";

    /// <summary><c>-c, --configuration</c>: the configuration to build (or, with --no-build, to find) the project in.</summary>
    public static Option<string> Configuration() => new("--configuration", "-c")
    {
        Description = "The configuration to build the project in; profile and bench default to the same one, so that both measure the same code.",
        DefaultValueFactory = _ => DefaultConfiguration,
    };

    /// <summary><c>--no-build</c>: use the project's existing output in the configuration instead of building it.</summary>
    public static Option<bool> NoBuild() => new("--no-build")
    {
        Description = "Use the project's existing output in --configuration instead of building it. [default: off]",
    };
}
