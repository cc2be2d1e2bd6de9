using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Brrr.Contracts.Servers;

/// <summary>
/// A throwaway <c>redis-server</c> on a free 127.0.0.1 port, for tests. Without persistence it runs with
/// <c>--save '' --appendonly no</c>; with persistence it keeps an append-only file (fsync on every write) in a
/// temporary directory, so <see cref="Kill"/> then <see cref="Restart"/> keeps the data. Dispose stops it.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _executable;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private readonly IReadOnlyList<string> _extraArguments;

    private RedisServer(string executable, int port, string? dataDirectory, IReadOnlyList<string> extraArguments)
    {
        _executable = executable;
        Port = port;
        DataDirectory = dataDirectory;
        _extraArguments = extraArguments;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The append-only file's directory, or <c>null</c> without persistence.</summary>
    public string? DataDirectory { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Whether the server process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server and waits until it answers PING (or asks for authentication).</summary>
    /// <param name="persistent">Keep an append-only file so the data survives <see cref="Kill"/> and <see cref="Restart"/>.</param>
    /// <param name="extraArguments">More redis-server arguments, e.g. <c>--requirepass</c> or <c>--user</c> ACL rules.</param>
    /// <exception cref="InvalidOperationException">redis-server is not installed or does not start.</exception>
    public static RedisServer Start(bool persistent = false, IReadOnlyList<string>? extraArguments = null)
    {
        var executable = FindExecutable();
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // The free port may be taken between the probe and the start: try a few.
            var dataDirectory = persistent ? Directory.CreateTempSubdirectory("brrr-redis-").FullName : null;
            var server = new RedisServer(executable, FreePort(), dataDirectory, extraArguments ?? []);
            try
            {
                server.Launch();
                return server;
            }
            catch (InvalidOperationException e)
            {
                last = e;
                server.Dispose();
            }
        }

        throw new InvalidOperationException($"redis-server did not start after 3 attempts: {last?.Message}", last);
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
            _process = null;
        }
    }

    /// <summary>
    /// Stalls the server for <paramref name="duration"/> (<c>CLIENT PAUSE &lt;ms&gt; ALL</c>): it keeps every
    /// connection open and reads what clients send, but runs no client's command until the pause is over, as a
    /// server stuck on a slow disk or a long script would. Returns once the pause has begun.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server refused the pause.</exception>
    public void Pause(TimeSpan duration)
    {
        var milliseconds = ((long)duration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var reply = Send($"CLIENT PAUSE {milliseconds} ALL");
        if (!reply.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-server on port {Port} refused CLIENT PAUSE {milliseconds} ALL: {reply.Trim()}");
        }
    }

    /// <summary>Kills the server if it runs, then starts it again on the same port (and data directory).</summary>
    public void Restart()
    {
        Kill();
        Launch();
    }

    /// <summary>Stops the server and deletes its data directory.</summary>
    public void Dispose()
    {
        Kill();
        if (DataDirectory is not null && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private void Launch()
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        lock (_output)
        {
            _output.Clear();
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        WaitUntilItAnswers(process);
    }

    private IEnumerable<string> Arguments()
    {
        string[] common = ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", ""];
        string[] persistence = DataDirectory is null
            ? ["--appendonly", "no"]
            : ["--appendonly", "yes", "--appendfsync", "always", "--dir", DataDirectory];
        return [.. common, .. persistence, .. _extraArguments];
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private void WaitUntilItAnswers(Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited with code {process.ExitCode}: {Output()}");
            }

            if (AnswersPing())
            {
                return;
            }

            Thread.Sleep(20);
        }

        Kill();
        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s: {Output()}");
    }

    private bool AnswersPing()
    {
        try
        {
            // While it loads its append-only file the server answers -LOADING: not ready yet. A server that needs a
            // password (--requirepass, ACL users) answers -NOAUTH once it serves.
            var reply = Send("PING");
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }

    /// <summary>Sends one inline command on a connection of its own and returns the start of the reply.</summary>
    private string Send(string command)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, Port);
        client.ReceiveTimeout = 1000;
        var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[256];
        var read = stream.Read(buffer, 0, buffer.Length);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>A loopback port nothing listened on a moment ago (for a server to start on, or a closed port).</summary>
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

    private static string FindExecutable()
    {
        var configured = Environment.GetEnvironmentVariable("REDIS_SERVER");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"REDIS_SERVER is set to '{configured}', which does not exist.");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-server is not installed (not on PATH, nor in /usr/bin or /usr/local/bin): install Redis 7.0 or later (the backends use EXPIRE ... NX and SET ... NX GET; e.g. `apt-get install redis-server`) or set REDIS_SERVER to its path. The Redis tests need a real server.");
    }
}
