using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MyApp.Tests;

/// <summary>
/// A web page on 127.0.0.1 that answers 503 to its first <c>failures</c> requests, then 200 with its body; it notes
/// when each request came, on one clock.
/// </summary>
public sealed class StubSite : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<TimeSpan> _requests = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly int _failures;
    private readonly string _body;
    private readonly Task _serving;

    /// <summary>Starts serving at once.</summary>
    /// <param name="failures">How many requests fail (503) before the page answers; <see cref="int.MaxValue"/> for a page that never does.</param>
    /// <param name="body">What the page says once it answers.</param>
    public StubSite(int failures, string body)
    {
        _failures = failures;
        _body = body;
        Url = $"http://127.0.0.1:{FreePort()}/page";
        _listener.Prefixes.Add(Url[..(Url.LastIndexOf('/') + 1)]);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The page's address.</summary>
    public string Url { get; }

    /// <summary>When each request came, since the site started.</summary>
    public IReadOnlyList<TimeSpan> Requests => [.. _requests];

    /// <summary>Stops serving.</summary>
    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;   // Closed.
            }

            _requests.Enqueue(_clock.Elapsed);
            var fail = _requests.Count <= _failures;
            context.Response.StatusCode = fail ? 503 : 200;
            var bytes = Encoding.UTF8.GetBytes(fail ? "busy" : _body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
