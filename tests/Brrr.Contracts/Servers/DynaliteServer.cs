using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Brrr.Contracts.Servers;

/// <summary>
/// A real, in-memory dynalite (a DynamoDB-compatible server on Node.js, pinned in <c>tools/dynalite</c>) on a free
/// 127.0.0.1 port, for an xunit collection fixture. <see cref="InitializeAsync"/> starts it and returns once it
/// answers a ListTables request; <see cref="Dispose"/> kills its process tree. Tests fail with a clear message when
/// node or dynalite is missing: they never pass without a server.
/// </summary>
public sealed class DynaliteServer : IAsyncLifetime, IDisposable
{
    private const string InstallHint = "run scripts/test.sh or `cd tools/dynalite && npm ci`";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private NodeServerProcess? _process;

    /// <summary>The port dynalite listens on; set once started.</summary>
    public int Port { get; private set; }

    /// <summary>The endpoint to give an AWS SDK client (<c>ServiceURL</c>), e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri ServiceUrl => Port == 0
        ? throw new InvalidOperationException("dynalite is not started yet: use the server through an xunit fixture.")
        : new Uri($"http://127.0.0.1:{Port}");

    /// <summary>Starts dynalite and waits until it answers (a ListTables loop, at most 60 s).</summary>
    public async Task InitializeAsync()
    {
        var cli = Path.Combine(RepositoryRoot.Find(), "tools", "dynalite", "node_modules", "dynalite", "cli.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"dynalite is not installed ({cli} is missing): {InstallHint}.");
        }

        // A port found free can be taken before dynalite binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            _process = new NodeServerProcess(
                "node",
                [cli, "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
                $"install Node.js, then {InstallHint}");
            if (await WaitUntilAnsweringAsync(_process).ConfigureAwait(false))
            {
                return;
            }

            var output = _process.Output();
            Kill();
            if (attempt == 3)
            {
                throw new InvalidOperationException(
                    $"dynalite did not answer on 127.0.0.1 within {s_startTimeout.TotalSeconds} s (3 attempts); its output:\n{output}\n" +
                    $"If it is not installed or broken: {InstallHint}.");
            }
        }
    }

    /// <summary>Kills dynalite.</summary>
    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills the dynalite process tree; its in-memory tables are gone.</summary>
    public void Dispose() => Kill();

    private async Task<bool> WaitUntilAnsweringAsync(NodeServerProcess process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var request = ListTablesRequest();
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK && body.Contains("TableNames", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return false;
    }

    // dynalite does not check signatures, only that the request looks signed.
    private HttpRequestMessage ListTablesRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ServiceUrl)
        {
            Content = new StringContent("{}", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.ListTables");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=dummy/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0");
        return request;
    }

    private void Kill()
    {
        _process?.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
