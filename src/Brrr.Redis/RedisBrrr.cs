using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// The three Redis backends over one shared multiplexer (one per process is enough: it pipelines every
/// non-blocking command). Create it with <see cref="ConnectAsync"/>; disposing it closes the multiplexer.
/// Queue consumers open their own blocking connections and close them when disposed. Needs Redis 7.0 or later
/// (<c>EXPIRE ... NX</c>, <c>SET ... NX GET</c>).
/// </summary>
public sealed class RedisBrrr : IAsyncDisposable
{
    private RedisBrrr(ConnectionMultiplexer multiplexer, RedisBrrrSettings settings, ILoggerFactory loggerFactory)
    {
        Multiplexer = multiplexer;
        Settings = settings;
        Store = new RedisStore(multiplexer, settings);
        Cache = new RedisCache(multiplexer, settings);
        Queue = new RedisQueue(multiplexer, settings, loggerFactory);
    }

    /// <summary>The shared multiplexer (owned by this object).</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The settings it was made with.</summary>
    public RedisBrrrSettings Settings { get; }

    /// <summary>The store (call records, values, pending returns).</summary>
    public RedisStore Store { get; }

    /// <summary>The spawn counters.</summary>
    public RedisCache Cache { get; }

    /// <summary>The queue.</summary>
    public RedisQueue Queue { get; }

    /// <summary>
    /// Opens the shared multiplexer. It does not fail when Redis is down (abortConnect=false): commands fail
    /// until Redis answers, and the multiplexer reconnects by itself.
    /// </summary>
    /// <param name="settings">The settings; see <see cref="RedisBrrrSettings.Default"/>.</param>
    /// <param name="loggerFactory">Where the backends log; none by default.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static async Task<RedisBrrr> ConnectAsync(RedisBrrrSettings settings, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var options = ConfigurationOptions.Parse(settings.Configuration);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "brrr";
        settings.ApplyIoTo(options);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        await LoadScriptsAsync(multiplexer, loggerFactory.CreateLogger<RedisBrrr>()).ConfigureAwait(false);
        return new RedisBrrr(multiplexer, settings, loggerFactory);
    }

    /// <summary>
    /// Disposes the queue consumers still open (they give back the messages they hold), then closes the shared
    /// multiplexer.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Queue.DisposeConsumersAsync().ConfigureAwait(false);
        var multiplexer = (ConnectionMultiplexer)Multiplexer;
        await multiplexer.CloseAsync().ConfigureAwait(false);
        await multiplexer.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task LoadScriptsAsync(ConnectionMultiplexer multiplexer, ILogger logger)
    {
        // Only an optimisation: a script the server does not know is sent with EVAL on first use.
        foreach (var endpoint in multiplexer.GetEndPoints())
        {
            var server = multiplexer.GetServer(endpoint);
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            try
            {
                await Task.WhenAll(Scripts.All.Select(script => script.LoadAsync(server))).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisErrors.IsCommandFailure(e))
            {
                logger.LogWarning(e, "Could not preload the brrr Lua scripts on {Endpoint}; they are loaded on first use.", endpoint);
            }
        }
    }
}
