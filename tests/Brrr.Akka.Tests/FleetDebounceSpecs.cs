using System.Numerics;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Contracts.Workloads;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>
/// The cross-process variant of the race tests: three worker systems with caches of their own share one set of
/// backends, and with children records on, a parent's job may be skipped by a worker that never saw the parent defer.
/// Many roots racing through the same shape of calls all complete, exact, whichever worker runs what.
/// </summary>
public sealed class FleetDebounceSpecs
{
    [Theory]
    [InlineData("on", "auto")]
    [InlineData("on", "actors")]
    [InlineData("off", "auto")]
    public async Task Roots_racing_on_three_worker_systems_all_complete_exact(string childrenRecord, string effects)
    {
        var config = ConfigurationFactory.ParseString($"""
            akka.loglevel = WARNING
            brrr.children-record = {childrenRecord}
            brrr.effects = {effects}
            brrr.topic-defaults.parallelism = 8
            """);
        var backends = BrrrBackends.InMemory();
        var systems = Enumerable.Range(0, 3).Select(i => ActorSystem.Create($"fleet-{i}", config)).ToArray();
        var workers = systems.Select(system => new LocalBrrr(system, FibTask.Topics(), backends)).ToArray();
        try
        {
            var salt = Guid.NewGuid().ToString("N");
            var roots = Enumerable.Range(0, 24)
                .Select(i => workers[i % 3].RunAsync(FibTask.Fib, new FibArgs(12 + (i % 4), $"{salt}-{i % 6}"), TimeSpan.FromSeconds(60)))
                .ToArray();
            var values = await Task.WhenAll(roots);

            for (var i = 0; i < values.Length; i++)
            {
                Assert.Equal(Fib(12 + (i % 4)), values[i]);
            }

            Assert.All(workers, worker => Assert.Equal(0, worker.Worker.Statistics.Failed));
            Assert.True(workers.Count(worker => worker.Worker.Statistics.Executions > 0) >= 2, "the roots ran on more than one worker");
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            await Task.WhenAll(systems.Select(system => system.Terminate()));
        }
    }

    private static BigInteger Fib(int n)
    {
        var (a, b) = (BigInteger.Zero, BigInteger.One);
        for (var i = 0; i < n; i++)
        {
            (a, b) = (b, a + b);
        }

        return a;
    }
}
