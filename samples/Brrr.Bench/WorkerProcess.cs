using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;

namespace Brrr.Bench;

/// <summary>
/// One worker process: this bench's own executable in <c>--serve-worker</c> mode (<see cref="WorkerHost"/>), kept for
/// all the runs of a session so that warm-up runs warm it up too. Each run, <c>serve TOPIC [TABLE]</c> on its stdin
/// starts a worker, which answers <c>ready PARALLELISM</c>; <c>stop</c> drains it and brings back its
/// <see cref="WorkerReport"/> as one JSON line. Its stderr is passed on to the bench's, line by line. Every wait is
/// bounded; disposing kills a process that is still there. A bench that dies closes the stdin, which ends the worker too.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    // The first ready includes the process's start-up and JIT on a busy machine.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    // brrr.shutdown-timeout (10 s by default) for the drain, plus the report.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Task<int> _exited;

    private WorkerProcess(Process process, int index)
    {
        _process = process;
        Index = index;
        _exited = ReadAsync();
    }

    /// <summary>The worker's number, from 1.</summary>
    public int Index { get; }

    /// <summary>Completes with the exit code when the process has exited and its stdout is read to the end.</summary>
    public Task<int> Exited => _exited;

    /// <summary>Starts the bench executable with <paramref name="arguments"/>: the apphost itself, or <c>dotnet brrr-bench.dll</c> when the bench runs under the dotnet host.</summary>
    public static WorkerProcess Start(int index, IEnumerable<string> arguments)
    {
        var host = Environment.ProcessPath ?? throw new WorkerProcessException("The bench cannot tell its own executable (Environment.ProcessPath is null), so it cannot start worker processes.");
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location ?? throw new WorkerProcessException("The bench runs under dotnet but its entry assembly has no path."));
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(info) ?? throw new WorkerProcessException($"Could not start worker process {index} ({host}).");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Console.Error.WriteLine($"worker process {index}: {e.Data}");
                }
            };
            process.BeginErrorReadLine();
            return new WorkerProcess(process, index);
        }
        catch (Win32Exception e)
        {
            throw new WorkerProcessException($"Could not start worker process {index} ({host}): {e.Message}", e);
        }
    }

    /// <summary>Starts the process's worker on <paramref name="topic"/> (and DynamoDB <paramref name="table"/>); returns its parallelism once it is ready.</summary>
    public async Task<int> ServeAsync(string topic, string? table)
    {
        await SendAsync(table is null ? $"serve {topic}" : $"serve {topic} {table}").ConfigureAwait(false);
        var line = await NextLineAsync(ReadyTimeout, "say ready").ConfigureAwait(false);
        return line.StartsWith("ready ", StringComparison.Ordinal) && int.TryParse(line["ready ".Length..], CultureInfo.InvariantCulture, out var parallelism)
            ? parallelism
            : throw new WorkerProcessException($"Worker process {Index} answered '{line}' instead of 'ready PARALLELISM'.");
    }

    /// <summary>Stops the process's worker and returns its report; the process stays for the next run.</summary>
    public async Task<WorkerReport> StopAsync()
    {
        await SendAsync("stop").ConfigureAwait(false);
        var line = await NextLineAsync(StopTimeout, "report after stop").ConfigureAwait(false);
        try
        {
            return WorkerReport.Parse(line);
        }
        catch (JsonException e)
        {
            throw new WorkerProcessException($"Worker process {Index} answered '{line}' instead of its report.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill: nothing left to stop.
            }
        }

        await _exited.ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task SendAsync(string command)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            var exited = _exited.IsCompleted ? $" (it exited with code {await _exited.ConfigureAwait(false)})" : "";
            throw new WorkerProcessException($"Worker process {Index} could not be sent '{command}'{exited}: {e.Message}", e);
        }
    }

    private async Task<string> NextLineAsync(TimeSpan timeout, string what)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw new WorkerProcessException($"Worker process {Index} did not {what} within {timeout.TotalSeconds} s.", e);
        }
        catch (ChannelClosedException e)
        {
            var code = await _exited.ConfigureAwait(false);
            throw new WorkerProcessException($"Worker process {Index} exited with code {code} (its stderr is above).", e);
        }
    }

    private async Task<int> ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            _lines.Writer.TryWrite(line);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _lines.Writer.TryComplete();
        return _process.ExitCode;
    }
}
