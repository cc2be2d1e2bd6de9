using Brrr;
using Brrr.ReadmeSamples;
using Brrr.TestKit;

namespace MyApp.Tests;

/// <summary>
/// README.md, "Failures a workflow can see": the careful workflow and the client calls on it
/// (samples/Brrr.ReadmeSamples/Failures.cs), on a worker serving its tasks.
/// </summary>
public sealed class CarefulSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Careful_falls_back_when_its_child_fails_and_the_client_sees_the_failure_and_retries_it()
    {
        await using var brrr = new LocalBrrr(Sys, "my-topic", SquareRoots.Sqrt, SquareRoots.Careful);

        var (value, status, rootId) = await Failures.CarefulAsync(brrr.Client);

        Assert.Equal(-1, value);
        Assert.Equal(CallState.Failed, status.State);
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, status.Error!.ErrorType);
        Assert.Equal("sqrt", status.Error.TaskName);
        Assert.Equal(3, status.Error.Attempts);
        Assert.Empty(status.Error.Causes);
        Assert.False(string.IsNullOrEmpty(rootId));

        // The retry cleared the error record and ran sqrt(-4) again: three more attempts, then it failed for good again.
        await AwaitAssertAsync(() => Assert.Equal(6, brrr.Executions["sqrt"]), TimeSpan.FromSeconds(30));
        var again = await Assert.ThrowsAsync<CallFailedException>(() => brrr.Client.WaitAsync(SquareRoots.Sqrt, -4, TimeSpan.FromSeconds(30)));
        Assert.Equal(rootId, again.Error.RootId);
        Assert.Equal(-1, (await brrr.Client.GetStatusAsync(SquareRoots.Careful, -4)).Value);   // careful keeps its fallback
    }

    [Fact]
    public async Task Careful_returns_its_childs_value_when_the_child_succeeds()
    {
        await using var brrr = new LocalBrrr(Sys, "my-topic", SquareRoots.Sqrt, SquareRoots.Careful);

        Assert.Equal(4, await brrr.RunAsync(SquareRoots.Careful, 16));
        Assert.Equal(CallState.Completed, (await brrr.Client.GetStatusAsync(SquareRoots.Sqrt, 16)).State);
        Assert.Equal(1, brrr.Executions["sqrt"]);
    }
}
