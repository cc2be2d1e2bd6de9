using System.Diagnostics;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Contracts.Workloads;
using Brrr.TestKit;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Brrr.Akka.Tests;

public sealed class WorkflowTraceSpecs() : global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.loglevel = OFF"))
{
    // Other specs run workers at the same time: only this spec's topic is looked at.
    private readonly string _topic = "trace-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Every_call_of_a_workflow_is_a_child_of_its_schedule_in_one_trace_and_each_workflow_has_its_own()
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(BrrrDiagnostics.Name).AddInMemoryExporter(exported).Build())
        {
            await using var brrr = new LocalBrrr(Sys, _topic, FibTask.Fib);
            Assert.Equal(55, await brrr.RunAsync(FibTask.Fib, new FibArgs(10, "a")));
            Assert.Equal(55, await brrr.RunAsync(FibTask.Fib, new FibArgs(10, "b")));
        }

        var traces = WorkflowTraces.AssertOneTracePerRoot(exported, _topic, callsPerRoot: 11);

        Assert.Equal(2, traces.Count);
        Assert.Equal(2, traces.Values.Distinct().Count());
    }
}
