using System.Diagnostics;
using System.Text;

namespace Brrr.Contracts;

/// <summary>A real <c>brrr-demo</c> process (the built binary, not an in-process host), its output captured.</summary>
public sealed class DemoProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly Task _rawOutput;

    private DemoProcess(Process process, bool rawOutput)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            AppendLine(e.Data);
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        if (rawOutput)
        {
            // Line reading would turn each carriage return into a line break.
            _rawOutput = CopyOutputAsync();
        }
        else
        {
            _process.OutputDataReceived += (_, e) => AppendLine(e.Data);
            _process.BeginOutputReadLine();
            _rawOutput = Task.CompletedTask;
        }
    }

    /// <summary>Everything the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>What the process printed on standard error so far (also in <see cref="Output"/>).</summary>
    public string ErrorOutput
    {
        get
        {
            lock (_output)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>The demo binary built next to this test assembly's configuration (Debug or Release).</summary>
    public static string Binary
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var path = Path.Combine(RepositoryRoot.Find(), "samples", "Brrr.Demo", "bin", configuration, "net10.0", "brrr-demo.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"The demo is not built at {path}: build BrrrAkka.sln first.");
        }
    }

    /// <summary>Starts <c>brrr-demo</c> with <paramref name="args"/> and extra environment variables.</summary>
    public static DemoProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Launch("dotnet", [Binary, .. args], environment, rawOutput: false);

    /// <summary>
    /// Starts the built sample <c>samples/<paramref name="project"/></c> (its dll of the same name) in its output folder,
    /// where its appsettings.json is, as <c>dotnet run</c> would find it.
    /// </summary>
    public static DemoProcess StartSample(string project, IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var folder = Path.Combine(RepositoryRoot.Find(), "samples", project, "bin", configuration, "net10.0");
        var dll = Path.Combine(folder, project + ".dll");
        return File.Exists(dll)
            ? Launch("dotnet", [dll], environment, rawOutput: false, folder)
            : throw new InvalidOperationException($"The sample is not built at {dll}: build BrrrAkka.sln first.");
    }

    /// <summary>Starts <paramref name="executable"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>, its output captured.</summary>
    public static DemoProcess StartCommand(string executable, IEnumerable<string> args, string workingDirectory) =>
        Launch(executable, args, new Dictionary<string, string>(), rawOutput: false, workingDirectory);

    /// <summary>Waits until the output holds <paramref name="text"/>; false when the process exits or <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>SIGTERM, as <c>docker stop</c> or systemd stop a service: the process shuts down gracefully.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>
    /// Starts <c>brrr-demo</c> with <paramref name="args"/> and extra environment variables on a pseudo-terminal (<c>script</c>), so that its
    /// standard output and error are a terminal; <see cref="Output"/> holds what the terminal showed, carriage returns included.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>script</c> is not installed.</exception>
    public static DemoProcess StartInTerminal(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        const string script = "/usr/bin/script";
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} (Debian's bsdutils, util-linux elsewhere) is needed to run brrr-demo on a terminal");
        }

        var command = string.Join(' ', new[] { "dotnet", Binary }.Concat(args).Select(a => $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        return Launch(script, ["-q", "-e", "-c", command, "/dev/null"], environment, rawOutput: true);
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit();
        await _rawOutput.WaitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, like a crashed machine.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static DemoProcess Launch(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, bool rawOutput, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");

        // No input: an end of file at once, as from /dev/null.
        process.StandardInput.Close();
        return new DemoProcess(process, rawOutput);
    }

    private void AppendLine(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task CopyOutputAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            lock (_output)
            {
                _output.Append(buffer, 0, read);
            }
        }
    }
}
