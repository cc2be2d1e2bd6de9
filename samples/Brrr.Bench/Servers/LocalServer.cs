using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Brrr.Bench.Servers;

/// <summary>
/// A server process the bench starts for itself on a free 127.0.0.1 port and kills when disposed (also on
/// Ctrl+C and process exit). <see cref="StartAsync"/> returns once the readiness probe answers.
/// </summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LocalServer(Process process, int port, string name)
    {
        _process = process;
        Port = port;
        Name = name;
    }

    public int Port { get; }

    public string Name { get; }

    /// <summary>The process id (to look at its memory or CPU from outside).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts <paramref name="fileName"/> with the arguments <paramref name="arguments"/> makes for a port, and waits until <paramref name="ready"/> says yes.</summary>
    public static async Task<LocalServer> StartAsync(string name, string fileName, Func<int, IEnumerable<string>> arguments, Func<int, Task<bool>> ready)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments(port))
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {name} ({fileName}): {e.Message}. Install it or pass the address of a running one.", e);
        }

        var server = new LocalServer(process, port, name);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        Console.CancelKeyPress += (_, _) => server.Kill();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before answering on port {port}: {server.Output()}");
            }

            if (await ready(port).ConfigureAwait(false))
            {
                return server;
            }

            await Task.Delay(25).ConfigureAwait(false);
        }

        server.Kill();
        throw new InvalidOperationException($"{name} did not answer on port {port} within {StartTimeout.TotalSeconds} s: {server.Output()}");
    }

    /// <summary>Whether a TCP connection to the port succeeds and the server answers <paramref name="request"/> with bytes starting with <paramref name="expected"/> (any answer when empty).</summary>
    public static async Task<bool> AnswersAsync(int port, byte[] request, string expected)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(request, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            return read > 0 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith(expected, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Kill()
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
            // Already gone or never started: nothing to stop.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 16_384)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>A loopback port nothing listened on a moment ago.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
