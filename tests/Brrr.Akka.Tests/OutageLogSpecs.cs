using Akka.Configuration;
using Akka.Event;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>An outage fails every call in flight: the worker logs a line per kind of failure and backoff step, not per message.</summary>
public sealed class OutageLogSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private const int Calls = 30;
    private const int FailedWrites = 60;

    private static readonly BrrrTask<int, int> Leaf = BrrrTask.Create<int, int>("leaf", (_, a) => Task.FromResult(a * 2));

    public OutageLogSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        brrr.retry-backoff-min = 10ms
        brrr.retry-backoff-max = 50ms
        """))
    {
    }

    [Fact]
    public async Task Calls_failing_while_the_store_is_down_are_logged_in_a_few_lines_that_count_them()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var store = new FaultyValueStore(new InMemoryStore(), (n, write) => n <= FailedWrites ? throw new IOException("store unavailable") : write());
        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { ["t"] = new TaskSet(Leaf) }, BrrrBackends.InMemory() with { Store = store });

        var results = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => brrr.RunAsync(Leaf, i)));
        Assert.Equal(Enumerable.Range(0, Calls).Select(i => i * 2), results);
        Assert.Equal(FailedWrites, brrr.Worker.Statistics.Released);

        var lines = new List<string>();
        while (warnings.HasMessages)
        {
            var message = warnings.ExpectMsg<Warning>().Message.ToString() ?? "";
            if (message.Contains("failed (run", StringComparison.Ordinal))
            {
                lines.Add(message);
            }
        }

        // One line per second of the outage at most (doubling): far fewer than the 60 failures.
        Assert.InRange(lines.Count, 1, 10);
        Assert.All(lines, line => Assert.Contains("IOException: store unavailable", line, StringComparison.Ordinal));
    }
}
