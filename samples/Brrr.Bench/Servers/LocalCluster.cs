using System.Diagnostics;
using System.Globalization;

namespace Brrr.Bench.Servers;

/// <summary>
/// A Redis Cluster the bench starts for itself: three primaries without replicas (redis-server in cluster mode, no
/// persistence, node files in a temporary directory) joined by <c>redis-cli --cluster create</c>.
/// <see cref="StartAsync"/> returns once every node says <c>cluster_state:ok</c>; disposing kills the nodes and
/// deletes the directory.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private const int Primaries = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly List<LocalServer> _nodes = [];
    private readonly string _directory;

    private LocalCluster(string directory) => _directory = directory;

    /// <summary>A StackExchange.Redis configuration string listing every primary.</summary>
    public string Configuration => string.Join(',', _nodes.Select(n => $"127.0.0.1:{n.Port.ToString(CultureInfo.InvariantCulture)}"));

    public static async Task<LocalCluster> StartAsync()
    {
        var cluster = new LocalCluster(Directory.CreateTempSubdirectory("brrr-bench-cluster-").FullName);
        try
        {
            for (var i = 0; i < Primaries; i++)
            {
                cluster._nodes.Add(await Launchers.StartRedisClusterNodeAsync(cluster._directory).ConfigureAwait(false));
            }

            await RedisCliAsync(["--cluster", "create", .. cluster.Configuration.Split(','), "--cluster-replicas", "0", "--cluster-yes"]).ConfigureAwait(false);
            await cluster.WaitUntilOkAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        _nodes.Clear();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task WaitUntilOkAsync()
    {
        var clock = Stopwatch.StartNew();
        var info = "";
        while (clock.Elapsed < StartTimeout)
        {
            // Every node must see every slot served, or a client that asks it first gets CLUSTERDOWN.
            var states = new List<string>();
            foreach (var node in _nodes)
            {
                states.Add(await RedisCliAsync(["-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"]).ConfigureAwait(false));
            }

            info = string.Join('\n', states);
            if (states.All(s => s.Split('\n').Any(l => l.Trim() == "cluster_state:ok")))
            {
                return;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"the bench's Redis cluster did not reach cluster_state:ok within {StartTimeout.TotalSeconds} s: {info}");
    }

    private static async Task<string> RedisCliAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Prepend("127.0.0.1").Prepend("-h"))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-cli.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start redis-cli: {e.Message}. The redis-cluster backend needs redis-cli to create the cluster.", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return process.ExitCode == 0
                ? output
                : throw new InvalidOperationException($"redis-cli {string.Join(' ', start.ArgumentList)} exited with code {process.ExitCode}: {output}{await error.ConfigureAwait(false)}");
        }
    }
}
