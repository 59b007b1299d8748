namespace AutoCkpt.MSBuild; internal static class Placeholder {}
