using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Formats;

/// <summary>
/// Writes files so that readers see the old file or the whole new one, never a half-written one, and a write that
/// fails leaves nothing behind: no temporary file and no folder it made.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/> and renames it over the
    /// target, making the folders it lacks. Throws <see cref="AckptException"/> (ACKPT029) when the file cannot be
    /// written; then the target is unchanged and the folders it made are removed.
    /// </summary>
    public static void WriteAllText(string path, string text) => WriteAll([(path, text)]);

    /// <summary>
    /// Writes several files as one: every file goes to a temporary file first, and only when all are written are they
    /// renamed over their targets, so a failure to write one leaves every target unchanged. Throws
    /// <see cref="AckptException"/> (ACKPT029), after removing the temporary files and the folders it made.
    /// </summary>
    public static void WriteAll(IReadOnlyList<(string Path, string Text)> files)
    {
        var made = new List<string>();
        var temps = new List<(string Temp, string Full)>();
        string current = "";
        try
        {
            foreach (var (path, text) in files)
            {
                current = path;
                string full = current = Path.GetFullPath(path);
                string dir = Path.GetDirectoryName(full)!;
                MakeFolders(dir, made);
                string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
                temps.Add((tmp, full));
                File.WriteAllText(tmp, text);
            }
            for (int i = 0; i < temps.Count; i++)
            {
                current = temps[i].Full;
                File.Move(temps[i].Temp, temps[i].Full, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            foreach (var (tmp, _) in temps)
                try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            for (int i = made.Count - 1; i >= 0; i--)
                try { if (Directory.Exists(made[i]) && !Directory.EnumerateFileSystemEntries(made[i]).Any()) Directory.Delete(made[i]); }
                catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new AckptException(ErrorCodes.OutputNotWritable, $"cannot write '{current}': {e.Message}", current.Length == 0 ? null : current, e);
        }
    }

    /// <summary>Makes <paramref name="dir"/> and the folders above it that are missing, outermost first, and records them.</summary>
    private static void MakeFolders(string dir, List<string> made)
    {
        var missing = new Stack<string>();
        for (string? d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d)) missing.Push(d);
        while (missing.TryPop(out var d))
        {
            Directory.CreateDirectory(d);
            made.Add(d);
        }
    }

    /// <summary>Writes only when the content differs; returns true when the file was written.</summary>
    public static bool WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text) return false;
        WriteAllText(path, text);
        return true;
    }
}
