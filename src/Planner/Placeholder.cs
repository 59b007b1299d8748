namespace AutoCkpt.Planner; internal static class Placeholder {}
