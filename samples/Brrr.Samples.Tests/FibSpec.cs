using System.Numerics;
using Brrr.TestKit;
using MyApp;

namespace MyApp.Tests;

/// <summary>README.md, "Testing your tasks": the snippet, run as it reads (its Fib is the README's "A task in C#", samples/Brrr.ReadmeSamples/Fib.cs).</summary>
public sealed class FibSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task The_readme_testkit_snippet_runs_fib_30()
    {
        await using var brrr = new LocalBrrr(Sys, "fib-topic", Fib.Task);
        Assert.Equal(new BigInteger(832040), await brrr.RunAsync(Fib.Task, new FibArgs(30, "salt")));
        Assert.True(brrr.Executions["fib"] >= 31);   // handler executions per task are counted
    }
}
