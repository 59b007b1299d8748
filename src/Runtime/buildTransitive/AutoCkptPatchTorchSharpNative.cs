// Compiled by MSBuild's RoslynCodeTaskFactory (see AutoCkpt.Runtime.targets): keep it to one self-contained class.
//
// TorchSharp 0.107.0's libLibTorchSharp.so names GLIBCXX_3.4.32 (GCC 13) for one unused symbol, so it does not
// load on Debian 12 (libstdc++ up to 3.4.30). Marking that version requirement WEAK in .gnu.version_r makes glibc
// only warn. The edit is 2 bytes, idempotent, and harmless where libstdc++ is new enough.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class AutoCkptPatchTorchSharpNative : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;
    private const string Version = "GLIBCXX_3.4.32";

    /// <summary>Files to patch; files that are missing or not ELF are skipped.</summary>
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            try
            {
                var result = Patch(path);
                if (result == "patched") Log.LogMessage(MessageImportance.Normal, "AutoCkpt: marked " + Version + " weak in " + path);
            }
            catch (UnauthorizedAccessException)
            {
                Log.LogMessage(MessageImportance.Low, "AutoCkpt: cannot write " + path + "; left as is");
            }
            catch (IOException e)
            {
                Log.LogWarning(null, "ACKPT090", null, path, 0, 0, 0, 0, "AutoCkpt: could not patch libLibTorchSharp.so: " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Returns "patched", "already" or "absent".</summary>
    public static string Patch(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F' || bytes[4] != 2 || bytes[5] != 1)
            return "absent"; // not a little-endian ELF64 file
        long shoff = (long)BitConverter.ToUInt64(bytes, 0x28);
        int shentsize = BitConverter.ToUInt16(bytes, 0x3A);
        int shnum = BitConverter.ToUInt16(bytes, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(bytes, (int)sh + 4) != ShtGnuVerneed) continue;
            long off = (long)BitConverter.ToUInt64(bytes, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(bytes, (int)sh + 0x28);
            uint count = BitConverter.ToUInt32(bytes, (int)sh + 0x2C);
            long strOff = (long)BitConverter.ToUInt64(bytes, (int)(shoff + (long)link * shentsize) + 0x18);
            long vn = off;
            for (uint n = 0; n < count; n++)
            {
                int cnt = BitConverter.ToUInt16(bytes, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(bytes, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    long nameOff = strOff + BitConverter.ToUInt32(bytes, (int)aux + 8);
                    if (ReadCString(bytes, nameOff) == Version)
                    {
                        int flagsAt = (int)aux + 4;
                        ushort flags = BitConverter.ToUInt16(bytes, flagsAt);
                        if ((flags & VerFlgWeak) != 0) return "already";
                        flags |= VerFlgWeak;
                        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                        {
                            fs.Seek(flagsAt, SeekOrigin.Begin);
                            fs.Write(BitConverter.GetBytes(flags), 0, 2);
                        }
                        return "patched";
                    }
                    aux += BitConverter.ToUInt32(bytes, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(bytes, (int)vn + 12);
            }
        }
        return "absent";
    }

    private static string ReadCString(byte[] bytes, long at)
    {
        int end = (int)at;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)at, end - (int)at);
    }
}
