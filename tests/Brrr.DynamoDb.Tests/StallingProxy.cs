using System.Net;
using System.Net.Sockets;

namespace Brrr.DynamoDb.Tests;

/// <summary>
/// A TCP proxy on a free 127.0.0.1 port in front of a server. While <see cref="Stalled"/> it keeps accepting
/// connections and reading requests but forwards nothing, so no request gets an answer: an endpoint that hangs.
/// Once resumed, what clients send passes through again.
/// </summary>
internal sealed class StallingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _target;
    private readonly Task _accepting;
    private volatile bool _stalled;

    public StallingProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The endpoint to give the client under test instead of the server's.</summary>
    public Uri ServiceUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Whether requests are held back (true) or passed through (false, the start).</summary>
    public bool Stalled
    {
        get => _stalled;
        set => _stalled = value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            if (await IgnoringClosedConnectionsAsync(() => server.ConnectAsync(_target.Host, _target.Port, _stop.Token).AsTask()))
            {
                await Task.WhenAny(
                    PumpAsync(client.GetStream(), server.GetStream(), () => !Stalled),
                    PumpAsync(server.GetStream(), client.GetStream(), () => true));
            }
        }
    }

    private Task<bool> PumpAsync(NetworkStream from, NetworkStream to, Func<bool> forward) => IgnoringClosedConnectionsAsync(async () =>
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (forward())
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
    });

    // A client that gives up on a stalled request closes its connection, and stopping the proxy closes all of them:
    // either ends that relay, and nothing else.
    private static async Task<bool> IgnoringClosedConnectionsAsync(Func<Task> io)
    {
        try
        {
            await io();
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }
}
