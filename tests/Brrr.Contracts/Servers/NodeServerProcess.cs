using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Brrr.Contracts.Servers;

/// <summary>
/// A Node.js server process a fixture started (dynalite, fauxqs): its output is kept for the fixture's error messages,
/// and disposing it kills its process tree.
/// </summary>
internal sealed class NodeServerProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    /// <summary>Starts <paramref name="node"/> with <paramref name="arguments"/>; each line it prints also goes to <paramref name="onLine"/>.</summary>
    /// <exception cref="InvalidOperationException">The program could not be started; the message ends with <paramref name="installHint"/>.</exception>
    public NodeServerProcess(string node, IEnumerable<string> arguments, string installHint, string? workingDirectory = null, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(node)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data, onLine);
        _process.ErrorDataReceived += (_, e) => Append(e.Data, onLine);
        try
        {
            _process.Start();
        }
        catch (Win32Exception e)
        {
            _process.Dispose();
            throw new InvalidOperationException($"Could not start {node} ({e.Message}): {installHint}.", e);
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the process printed so far, or "(nothing)".</summary>
    public string Output()
    {
        lock (_output)
        {
            return _output.Length == 0 ? "(nothing)" : _output.ToString();
        }
    }

    /// <summary>Kills the process tree and waits (up to 5 s) for it to end.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line, Action<string>? onLine)
    {
        if (line is null)
        {
            return;
        }

        onLine?.Invoke(line);
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
