using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Marks one symbol-version need of an ELF64 shared library as weak, so the dynamic loader
// accepts a host library that lacks that version. Runs only when the host library lacks it.
public sealed class WeakenElfVersionNeed : Task
{
    private const uint SectionTypeVersionNeed = 0x6ffffffe;
    private const ushort VersionFlagWeak = 0x2;

    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = "";

    [Required]
    public string HostLibrary { get; set; } = "";

    public override bool Execute()
    {
        if (HostProvides(VersionName))
        {
            return true;
        }

        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path))
            {
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            var changed = Weaken(bytes, path);
            if (changed is null)
            {
                return false;
            }

            if (changed.Value)
            {
                // Write a new file rather than writing through: the output copy may be a hard
                // link into the NuGet cache, which must stay as the package shipped it.
                var temporary = path + ".weakened";
                File.WriteAllBytes(temporary, bytes);
                File.Delete(path);
                File.Move(temporary, path);
                Log.LogMessage(MessageImportance.High, $"Marked the {VersionName} need of {path} as weak.");
            }
        }

        return true;
    }

    private bool HostProvides(string versionName)
    {
        var host = File.ReadAllBytes(HostLibrary);
        var needle = Encoding.ASCII.GetBytes(versionName + "\0");
        for (var i = 0; i + needle.Length <= host.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = host[i + j] == needle[j];
            }

            if (match)
            {
                return true;
            }
        }

        return false;
    }

    // Returns true when the file was changed, false when there was nothing to change, null on error.
    private bool? Weaken(byte[] elf, string path)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{path} is not a little-endian ELF64 file.");
            return null;
        }

        var sectionTable = (long)BitConverter.ToUInt64(elf, 0x28);
        int sectionSize = BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = BitConverter.ToUInt16(elf, 0x3C);

        for (var s = 0; s < sectionCount; s++)
        {
            var header = sectionTable + (long)s * sectionSize;
            if (BitConverter.ToUInt32(elf, (int)header + 4) != SectionTypeVersionNeed)
            {
                continue;
            }

            var offset = (long)BitConverter.ToUInt64(elf, (int)header + 24);
            var stringsSection = sectionTable + (long)BitConverter.ToUInt32(elf, (int)header + 40) * sectionSize;
            var strings = (long)BitConverter.ToUInt64(elf, (int)stringsSection + 24);
            var needCount = BitConverter.ToUInt32(elf, (int)header + 44);

            var need = offset;
            for (var n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadString(elf, strings + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (name == VersionName)
                    {
                        var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VersionFlagWeak) != 0)
                        {
                            return false;
                        }

                        var weakened = BitConverter.GetBytes((ushort)(flags | VersionFlagWeak));
                        elf[aux + 4] = weakened[0];
                        elf[aux + 5] = weakened[1];
                        return true;
                    }

                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }

                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }

        return false;
    }

    private static string ReadString(byte[] bytes, long start)
    {
        var end = start;
        while (bytes[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
    }
}
