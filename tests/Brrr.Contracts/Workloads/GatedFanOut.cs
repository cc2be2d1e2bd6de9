using System.Collections.Concurrent;
using Brrr.Tasks;

namespace Brrr.Contracts.Workloads;

/// <summary>The arguments of a fan-out: how many leaves, a tag that makes two roots' fan-outs different calls, and a salt.</summary>
public sealed record FanArgs(int Width, string Tag, string Salt);

/// <summary>The arguments of a leaf: its index and the salt of its fan-out (leaves do not depend on the tag: fan-outs share them).</summary>
public sealed record LeafArgs(int I, string Salt);

/// <summary>
/// A fan-out whose leaves wait on a gate the test opens, and count their runs per root: the workload of the
/// cascading-cancel tests (<see cref="CancelDuringFanOutAsync"/>), on every backend.
/// </summary>
public sealed class GatedFanOut
{
    /// <summary>The topic the workload is served on.</summary>
    public const string Topic = "it-fan-out";

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);

    /// <summary>Creates the workload's tasks.</summary>
    public GatedFanOut()
    {
        Leaf = BrrrTask.Create<LeafArgs, int>("gated-leaf", async (ctx, a) =>
        {
            _runs.AddOrUpdate(ctx.RootId, 1, static (_, n) => n + 1);
            await _gate.Task;
            return a.I;
        });
        Fan = BrrrTask.Create<FanArgs, int>("gated-fan", async (ctx, a) =>
            (await ctx.Gather(Enumerable.Range(0, a.Width).Select(i => ctx.Call(Leaf, new LeafArgs(i, a.Salt))))).Sum());
    }

    /// <summary>The fan-out: the sum of its leaves' indexes.</summary>
    public BrrrTask<FanArgs, int> Fan { get; }

    /// <summary>A leaf: returns its index once the gate is open.</summary>
    public BrrrTask<LeafArgs, int> Leaf { get; }

    /// <summary>The topic → tasks map a worker serving the workload needs.</summary>
    public IReadOnlyDictionary<string, TaskSet> Topics() =>
        new Dictionary<string, TaskSet>(StringComparer.Ordinal) { [Topic] = new TaskSet(Fan, Leaf) };

    /// <summary>Leaf runs started so far under <paramref name="rootId"/>.</summary>
    public int Runs(string rootId) => _runs.GetValueOrDefault(rootId);

    /// <summary>Lets every leaf, running or to come, return.</summary>
    public void Open() => _gate.TrySetResult();

    /// <summary>
    /// Root a fans out to 200 leaves; once each of the worker's <paramref name="parallelism"/> runners holds one of
    /// them at the gate, root b (a fan-out of 20 sharing a's first 20 leaves) is scheduled and root a cancelled, and
    /// the gate opens. The worker reads the cancel mark for every job (<c>brrr.cancel-check-interval = 0</c>), so every
    /// job it starts from then on sees the cancel: no further leaf of root a runs, and root b still completes.
    /// </summary>
    /// <param name="client">A client on the worker's backends.</param>
    /// <param name="parallelism">The runners of the worker's topic (one worker).</param>
    /// <param name="cancelledJobs">The worker's count of jobs acknowledged as cancelled.</param>
    public async Task CancelDuringFanOutAsync(BrrrClient client, int parallelism, Func<long> cancelledJobs)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(cancelledJobs);
        var salt = Guid.NewGuid().ToString("N");
        var (rootA, rootB) = (BrrrClient.NewRootId(), BrrrClient.NewRootId());
        var (argsA, argsB) = (new FanArgs(200, "a", salt), new FanArgs(20, "b", salt));
        try
        {
            await client.ScheduleAsync(client.Codec.EncodeCall(Fan.Name, argsA), Topic, rootA);
            await Eventually.HoldsAsync(() => Task.FromResult(Runs(rootA) >= parallelism), "every runner holds a leaf of root a");
            await client.ScheduleAsync(client.Codec.EncodeCall(Fan.Name, argsB), Topic, rootB);
            await client.CancelAsync(rootA);
            Assert.True(await client.IsCancelledAsync(rootA));
            Assert.False(await client.IsCancelledAsync(rootB));
            Open();

            await Eventually.HoldsAsync(async () => (await client.ReadAsync(Fan, argsB)).Found, "root b completes", TimeSpan.FromSeconds(60));
            Assert.Equal(Enumerable.Range(0, 20).Sum(), (await client.ReadAsync(Fan, argsB)).Value);

            // Only the leaves held at the gate when the cancel came ran under root a; its other leaf jobs were not run.
            await Eventually.HoldsAsync(() => Task.FromResult(cancelledJobs() >= 200 - parallelism), "the worker acknowledges root a's other leaf jobs as cancelled");
            Assert.True(Runs(rootA) <= parallelism, $"{Runs(rootA)} leaves ran under root a, more than the {parallelism} running when it was cancelled");
            Assert.True(Runs(rootB) <= 20, $"{Runs(rootB)} leaves ran under root b, which has 20");
            Assert.False((await client.ReadAsync(Fan, argsA)).Found);
        }
        finally
        {
            Open();
        }
    }
}
