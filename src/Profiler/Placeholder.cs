namespace AutoCkpt.Profiler; internal static class Placeholder {}
