namespace Brrr.Bench;

/// <summary>
/// The <c>--processes</c> worker processes of a bench session, started once on the session's Redis (and DynamoDB
/// endpoint) and given a fresh topic and table every run (<see cref="ProcessFleet"/>); disposing kills them.
/// </summary>
internal sealed class WorkerProcesses : IAsyncDisposable
{
    private readonly WorkerProcess?[] _all;

    private WorkerProcesses(WorkerProcess?[] all) => _all = all;

    public IEnumerable<WorkerProcess> All => _all.OfType<WorkerProcess>();

    public static async Task<WorkerProcesses> StartAsync(BenchOptions o, BenchBackends session)
    {
        var redis = session.RedisAddress ?? throw new ArgumentException("--processes needs the redis, redis-cluster or redis-dynamo backend.");
        var arguments = o.WorkerArguments(redis, session.DynamoUrl).ToArray();
        var started = new WorkerProcesses(new WorkerProcess[o.Processes]);
        try
        {
            for (var i = 0; i < o.Processes; i++)
            {
                started._all[i] = WorkerProcess.Start(i + 1, arguments);
            }

            return started;
        }
        catch
        {
            await started.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in All)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
