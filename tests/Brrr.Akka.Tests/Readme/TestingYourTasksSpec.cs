using System.Numerics;
using Brrr.TestKit;
using MyApp;

namespace Brrr.Akka.Tests.Readme;

/// <summary>README.md, "Testing your tasks": the snippet, run as it reads (its Fib is the README's, linked from samples/Brrr.ReadmeSamples).</summary>
public sealed class TestingYourTasksSpec : global::Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task The_readme_testkit_snippet_runs_fib_30()
    {
        await using var brrr = new LocalBrrr(Sys, "fib-topic", Fib.Task);
        Assert.Equal(new BigInteger(832040), await brrr.RunAsync(Fib.Task, new FibArgs(30, "salt")));
        Assert.True(brrr.Executions["fib"] >= 31);   // handler executions per task are counted
    }
}
