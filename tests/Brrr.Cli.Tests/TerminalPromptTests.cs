using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Redis;

namespace Brrr.Cli.Tests;

/// <summary>A destructive action run on a terminal asks first: the tool as a real process on a pseudo-terminal, over a real redis-server.</summary>
public sealed class TerminalPromptTests : IAsyncLifetime
{
    private const string Root = "root-asked-about";

    private readonly RedisServer _server = RedisServer.Start();
    private RedisBrrr? _redis;

    private string Url => $"redis://127.0.0.1:{_server.Port}";

    private BrrrClient Client
    {
        get
        {
            var redis = _redis ?? throw new InvalidOperationException("not initialised");
            return new BrrrClient(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        }
    }

    public async Task InitializeAsync() => _redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = _server.Configuration });

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _server.Dispose();
    }

    [Fact]
    public async Task Cancel_on_a_terminal_asks_and_n_changes_nothing_while_y_cancels()
    {
        var declined = await BrrrTool.RunOnTerminalAsync(Url, "n", "cancel", Root);

        Assert.Contains($"cancel root {Root} [y/N]", declined.Out, StringComparison.Ordinal);
        Assert.Contains("not confirmed: nothing was changed", declined.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, declined.ExitCode);
        Assert.False(await Client.IsCancelledAsync(Root));

        var confirmed = await BrrrTool.RunOnTerminalAsync(Url, "y", "cancel", Root);

        Assert.Contains($"cancel root {Root} [y/N]", confirmed.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, confirmed.ExitCode);
        Assert.True(await Client.IsCancelledAsync(Root));
    }
}
