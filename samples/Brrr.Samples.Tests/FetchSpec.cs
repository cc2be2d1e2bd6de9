using Brrr;
using Brrr.TestKit;

namespace MyApp.Tests;

/// <summary>README.md, "Per-task policies": the Fetch task's policy (samples/Brrr.ReadmeSamples/Fetch.cs), run against a local page.</summary>
public sealed class FetchSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task A_page_that_fails_twice_is_fetched_on_the_third_attempt_after_growing_backoffs()
    {
        using var site = new StubSite(failures: 2, body: "hello");
        await using var brrr = new LocalBrrr(Sys, "fetch-topic", Fetch.Page);

        Assert.Equal("hello", await brrr.RunAsync(Fetch.Page, site.Url));

        var requests = site.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(3, brrr.Executions["fetch.page"]);
        // BackoffMin 200 ms, multiplier 2, jitter 0.2: the waits are drawn from [160, 200] ms, then [320, 400] ms.
        Assert.True(requests[1] - requests[0] >= TimeSpan.FromMilliseconds(160), $"first retry after {requests[1] - requests[0]}");
        Assert.True(requests[2] - requests[1] >= TimeSpan.FromMilliseconds(320), $"second retry after {requests[2] - requests[1]}");
    }

    [Fact]
    public async Task A_page_that_never_answers_fails_for_good_after_five_attempts()
    {
        using var site = new StubSite(failures: int.MaxValue, body: "never");
        await using var brrr = new LocalBrrr(Sys, "fetch-topic", Fetch.Page);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Fetch.Page, site.Url));

        var thrown = Assert.IsType<TaskFailedException>(failed.Failure.Error);
        Assert.IsType<HttpRequestException>(thrown.InnerException);
        Assert.False(failed.Failure.Released);
        Assert.Equal(5, thrown.Policy!.Attempts);
        Assert.Equal(5, site.Requests.Count);
        Assert.Equal(5, brrr.Executions["fetch.page"]);
    }

    [Fact]
    public async Task A_url_that_does_not_parse_fails_for_good_at_the_first_throw()
    {
        await using var brrr = new LocalBrrr(Sys, "fetch-topic", Fetch.Page);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Fetch.Page, "not a url"));

        var thrown = Assert.IsType<TaskFailedException>(failed.Failure.Error);
        Assert.IsType<UriFormatException>(thrown.InnerException);
        Assert.False(failed.Failure.Released);
        Assert.Equal(1, brrr.Executions["fetch.page"]);
    }
}
