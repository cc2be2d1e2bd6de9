using System.Globalization;

namespace Brrr.Contracts.Servers;

/// <summary>
/// A real, in-memory fauxqs (an SQS-compatible server on Node.js, pinned in <c>tools/fauxqs</c> with the Node.js 22.5+
/// it needs) for an xunit collection fixture. <see cref="InitializeAsync"/> starts <c>tools/fauxqs/serve.mjs</c>, which
/// binds a port the OS picks and prints it, then waits until <c>/health</c> answers; <see cref="Dispose"/> kills it (it
/// also exits when its standard input closes, so it never outlives the test run). Tests fail with a clear message when
/// fauxqs is missing: they never pass without a server.
/// </summary>
public sealed class FauxqsServer : IAsyncLifetime, IDisposable
{
    private const string InstallHint = "run scripts/test.sh or `cd tools/fauxqs && npm ci`";
    private const string Ready = "fauxqs listening on port ";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NodeServerProcess? _process;

    /// <summary>The port fauxqs listens on; set once started.</summary>
    public int Port { get; private set; }

    /// <summary>The endpoint to give an AWS SDK client (<c>ServiceURL</c>), e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri ServiceUrl => Port == 0
        ? throw new InvalidOperationException("fauxqs is not started yet: use the server through an xunit fixture.")
        : new Uri($"http://127.0.0.1:{Port}");

    /// <summary>Starts fauxqs and waits until it answers its health check (at most 60 s).</summary>
    public async Task InitializeAsync()
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "tools", "fauxqs");
        var node = Path.Combine(folder, "node_modules", ".bin", "node");
        if (!File.Exists(node) || !File.Exists(Path.Combine(folder, "node_modules", "fauxqs", "package.json")))
        {
            throw new InvalidOperationException($"fauxqs or its Node.js is not installed under {folder}/node_modules: {InstallHint}.");
        }

        _process = new NodeServerProcess(node, ["serve.mjs", "--exit-with-stdin"], InstallHint, folder, OnLine);
        var started = await Task.WhenAny(_port.Task, Task.Delay(s_startTimeout)).ConfigureAwait(false);
        if (started != _port.Task || !_port.Task.IsCompletedSuccessfully)
        {
            var output = _process.Output();
            Kill();
            throw new InvalidOperationException(
                $"fauxqs did not start within {s_startTimeout.TotalSeconds} s; its output:\n{output}\nIf it is not installed or broken: {InstallHint}.");
        }

        Port = _port.Task.Result;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(ServiceUrl, "/health")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not answering yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                var output = _process.Output();
                Kill();
                throw new InvalidOperationException($"fauxqs printed its port ({Port}) but did not answer /health within {s_startTimeout.TotalSeconds} s; its output:\n{output}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Kills fauxqs.</summary>
    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills the fauxqs process; its in-memory queues are gone.</summary>
    public void Dispose() => Kill();

    private void Kill()
    {
        _process?.Dispose();
        _process = null;
    }

    private void OnLine(string line)
    {
        if (line.StartsWith(Ready, StringComparison.Ordinal) && int.TryParse(line.AsSpan(Ready.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            _port.TrySetResult(port);
        }
    }
}
