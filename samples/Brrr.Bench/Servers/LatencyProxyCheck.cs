using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Brrr.Bench.Servers;

/// <summary>
/// The <c>--smoke</c> check of <see cref="LatencyProxy"/>, against a loopback echo server behind it: a round trip takes
/// at least the configured delay; connections making one round trip each at the same time do not wait for one
/// another (together they take less than half the delay times their number, where one after the other would take it
/// all); bytes written in many small writes on several connections at once come back intact and in order; and a
/// client's end of stream reaches the server and comes back as the end of the echo.
/// </summary>
internal static class LatencyProxyCheck
{
    private const int Connections = 8;
    private const int BytesPerConnection = 200_000;
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(40);

    /// <summary>Runs the check; returns null when it holds, else what went wrong.</summary>
    public static async Task<string?> RunAsync()
    {
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        using var stop = new CancellationTokenSource();
        var serving = EchoAsync(echo, stop.Token);
        try
        {
            await using var proxy = LatencyProxy.Start("127.0.0.1", ((IPEndPoint)echo.LocalEndpoint).Port, RoundTrip);
            return await RoundTripsAsync(proxy.Port).ConfigureAwait(false) ?? await StreamsAsync(proxy.Port).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            echo.Stop();
            await serving.ConfigureAwait(false);
        }
    }

    private static async Task<string?> RoundTripsAsync(int port)
    {
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                clients.Add(await ConnectAsync(port).ConfigureAwait(false));
            }

            // Each connection once first, so the proxy's connections to the server are open before the clock starts.
            await Task.WhenAll(clients.Select(c => PingAsync(c, 0))).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var each = await Task.WhenAll(clients.Select((c, i) => PingAsync(c, (byte)(i + 1)))).ConfigureAwait(false);
            var all = clock.Elapsed;
            if (each.Min() < RoundTrip)
            {
                return $"latency proxy: a round trip took {each.Min().TotalMilliseconds:F1} ms, less than the {RoundTrip.TotalMilliseconds} ms it adds";
            }

            return all < RoundTrip * Connections / 2
                ? null
                : $"latency proxy: {Connections} connections' round trips at the same time took {all.TotalMilliseconds:F1} ms, as if they waited for one another ({RoundTrip.TotalMilliseconds} ms each)";
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Writes one byte and waits for its echo; returns how long that took.</summary>
    private static async Task<TimeSpan> PingAsync(Socket client, byte value)
    {
        var clock = Stopwatch.StartNew();
        await client.SendAsync(new[] { value }, SocketFlags.None).ConfigureAwait(false);
        var reply = new byte[1];
        var read = await client.ReceiveAsync(reply, SocketFlags.None).ConfigureAwait(false);
        return read == 1 && reply[0] == value
            ? clock.Elapsed
            : throw new InvalidOperationException($"latency proxy: sent {value}, got {(read == 0 ? "end of stream" : reply[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}");
    }

    private static async Task<string?> StreamsAsync(int port)
    {
        var failures = await Task.WhenAll(Enumerable.Range(0, Connections).Select(i => StreamAsync(port, i))).ConfigureAwait(false);
        return failures.FirstOrDefault(f => f is not null);
    }

    /// <summary>
    /// Sends <see cref="BytesPerConnection"/> bytes of a pattern of its own in writes of 1 to 997 bytes, then ends its
    /// stream, while reading the echo to its end; compares.
    /// </summary>
    private static async Task<string?> StreamAsync(int port, int connection)
    {
        var sent = new byte[BytesPerConnection];
        for (var i = 0; i < sent.Length; i++)
        {
            sent[i] = (byte)((i * 31) + (connection * 7) + (i / 251));
        }

        using var client = await ConnectAsync(port).ConfigureAwait(false);
        var writing = Task.Run(async () =>
        {
            for (int offset = 0, size = 1; offset < sent.Length; offset += size, size = (size * 7 % 997) + 1)
            {
                size = Math.Min(size, sent.Length - offset);
                await client.SendAsync(sent.AsMemory(offset, size), SocketFlags.None).ConfigureAwait(false);
            }

            client.Shutdown(SocketShutdown.Send);
        });
        using var received = new MemoryStream();
        var buffer = new byte[8192];
        for (int read; (read = await client.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false)) > 0;)
        {
            received.Write(buffer, 0, read);
        }

        await writing.ConfigureAwait(false);
        return received.ToArray().AsSpan().SequenceEqual(sent)
            ? null
            : $"latency proxy: connection {connection} sent {sent.Length} bytes and got back {received.Length} that differ";
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
        return client;
    }

    /// <summary>Echoes every connection's bytes until its end of stream, then ends the echo.</summary>
    private static async Task EchoAsync(TcpListener listener, CancellationToken stop)
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(stop).ConfigureAwait(false);
                connections.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[8192];
                        for (int read; (read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop).ConfigureAwait(false)) > 0;)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop).ConfigureAwait(false);
                        }

                        socket.Shutdown(SocketShutdown.Send);
                    }
                }, stop));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped: the connections end with the proxy's.
        }

        try
        {
            await Task.WhenAll(connections).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // A connection still open when the check stopped.
        }
    }
}
