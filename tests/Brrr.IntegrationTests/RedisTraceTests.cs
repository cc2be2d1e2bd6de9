using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Redis;
using Brrr.TestKit;
using OpenTelemetry;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>Listeners of an activity source are process-wide: the tests that add one or need none run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityListenerCollection
{
    public const string Name = "activity listeners";
}

/// <summary>One trace per workflow over Redis: the root's trace context is kept at <c>brrr:trace:&lt;root_id&gt;</c>, and only while someone listens.</summary>
[Collection(ActivityListenerCollection.Name)]
public sealed class RedisTraceTests
{
    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.shutdown-timeout = 2s
        """);

    [Fact]
    public async Task Every_call_of_a_workflow_on_redis_is_a_child_of_its_schedule_in_one_trace_kept_at_its_root_s_key()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(BrrrDiagnostics.Name).AddInMemoryExporter(exported).Build())
        {
            await RunTwoWorkflowsAsync(redis);
        }

        var traces = WorkflowTraces.AssertOneTracePerRoot(exported, FibTask.Topic, callsPerRoot: 11);

        Assert.Equal(2, traces.Count);
        Assert.Equal(2, traces.Values.Distinct().Count());
        var schedules = exported.Where(a => a.OperationName == "brrr.schedule").ToDictionary(a => (string)a.GetTagItem("brrr.root_id")!);
        foreach (var root in traces.Keys)
        {
            Assert.Equal(schedules[root].Id, (string?)await redis.Multiplexer.GetDatabase().StringGetAsync("brrr:trace:" + root));
        }
    }

    [Fact]
    public async Task With_no_listener_a_workflow_on_redis_scheduled_under_an_activity_writes_no_trace_context()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });

        // An activity of the app (say, a request traced by another library): with nobody listening to Brrr, it is not recorded.
        using (new Activity("app").Start())
        {
            await RunTwoWorkflowsAsync(redis);
        }

        var server0 = redis.Multiplexer.GetServers().Single();
        Assert.NotEmpty(server0.Keys(pattern: "brrr:{*}:value"));
        Assert.Empty(server0.Keys(pattern: "brrr:trace:*"));
    }

    private static async Task RunTwoWorkflowsAsync(RedisBrrr redis)
    {
        using var system = ActorSystem.Create("redis-trace", WorkerConfig);
        await using var brrr = new LocalBrrr(system, FibTask.Topics(), new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));
        Assert.Equal(55, await brrr.RunAsync(FibTask.Fib, new FibArgs(10, "a")));
        Assert.Equal(55, await brrr.RunAsync(FibTask.Fib, new FibArgs(10, "b")));
    }
}
