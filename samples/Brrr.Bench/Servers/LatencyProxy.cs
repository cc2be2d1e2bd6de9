using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Brrr.Bench.Servers;

/// <summary>
/// A TCP proxy on a free 127.0.0.1 port in front of one server, adding network latency (<c>--latency-ms</c>): every
/// chunk read from either side is written to the other side half the round-trip delay after it was read, so one
/// request and its reply cost the whole delay more. It is latency, not a bandwidth limit: each direction of each
/// connection is an ordered pipeline (a reader queues the chunks with their due times, a writer writes each once due),
/// so chunks sent back to back, say pipelined commands, travel together, and connections never wait for one another.
/// Disposing stops accepting and closes every connection.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly TcpListener _listener;
    private readonly DnsEndPoint _target;
    private readonly DelayClock _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _bytes;

    private LatencyProxy(DnsEndPoint target, TimeSpan roundTrip)
    {
        _target = target;
        _clock = new DelayClock(roundTrip / 2);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The bytes it has forwarded so far, both directions (what the workers and the server sent each other).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Starts a proxy to <paramref name="host"/>:<paramref name="port"/> that adds <paramref name="roundTrip"/> to every round trip.</summary>
    public static LatencyProxy Start(string host, int port, TimeSpan roundTrip) => new(new DnsEndPoint(host, port), roundTrip);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _clock.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            connections.RemoveAll(c => c.IsCompleted);
            connections.Add(ServeAsync(client));
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    /// <summary>Connects to the server and pumps both ways until both sides are done, one fails, or the proxy stops.</summary>
    private async Task ServeAsync(Socket client)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (client)
        {
            try
            {
                client.NoDelay = true;
                server.NoDelay = true;
                await server.ConnectAsync(_target, connection.Token).ConfigureAwait(false);
                var up = PumpAsync(client, server, connection);
                var down = PumpAsync(server, client, connection);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The client, the server or the proxy went away: the connection ends, the other side sees it closed.
            }
        }
    }

    /// <summary>
    /// One direction: reads chunks from <paramref name="from"/> as they come and writes each to <paramref name="to"/>
    /// once its delay is over, in order. At the end of <paramref name="from"/> the rest is delivered, then
    /// <paramref name="to"/> is shut for sending; on an error both directions stop.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, CancellationTokenSource connection)
    {
        var chunks = Channel.CreateUnbounded<(byte[] Buffer, int Length, Task Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = WriteAsync(chunks.Reader, to, connection);
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, connection.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                Interlocked.Add(ref _bytes, read);
                chunks.Writer.TryWrite((buffer, read, _clock.Delay()));
            }

            chunks.Writer.TryComplete();
            await writing.ConfigureAwait(false);
            to.Shutdown(SocketShutdown.Send);
        }
        catch
        {
            chunks.Writer.TryComplete();
            await connection.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes each chunk once it is due, in order; a failed write stops both directions.</summary>
    private static async Task WriteAsync(ChannelReader<(byte[] Buffer, int Length, Task Due)> chunks, Socket to, CancellationTokenSource connection)
    {
        var cancel = connection.Token;
        try
        {
            await foreach (var (buffer, length, due) in chunks.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                try
                {
                    await due.WaitAsync(cancel).ConfigureAwait(false);
                    for (var sent = 0; sent < length;)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None, cancel).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch
        {
            await connection.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}
