using System.Diagnostics;
using System.Globalization;

namespace Brrr.Bench;

/// <summary>Peak resident memory of this process, per run where Linux allows resetting the peak.</summary>
internal static class ProcessMemory
{
    /// <summary>Resets the kernel's peak RSS (VmHWM) by writing 5 to /proc/self/clear_refs; false when that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmHWM from /proc/self/status (since the last reset), else the process's peak working set since start.</summary>
    public static long PeakRssBytes(bool wasReset)
    {
        if (wasReset && File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
