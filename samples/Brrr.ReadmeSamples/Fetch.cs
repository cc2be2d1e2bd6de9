// README.md, "Per-task policies". Run by samples/Brrr.Samples.Tests (FetchSpec, FetchPolicySpec), which compiles this file.
using Brrr.Tasks;

public static class Fetch
{
    public static readonly BrrrTask<string, string> Page = BrrrTask.Create<string, string>("fetch.page", async (ctx, url) =>
    {
        using var http = new HttpClient();
        // The context's token is cancelled after attempt-timeout (and on shutdown or brrr.call-timeout).
        return await http.GetStringAsync(new Uri(url), ctx.CancellationToken);
    }, new TaskOptions
    {
        Attempts = 5,                                  // runs that throw, in the whole fleet, before it fails for good
        BackoffMin = TimeSpan.FromMilliseconds(200),   // wait before the first retry
        BackoffMax = TimeSpan.FromSeconds(30),         // longest wait
        BackoffMultiplier = 2,                         // 200 ms, 400 ms, 800 ms, ... up to 30 s
        BackoffJitter = 0.2,                           // each wait d is drawn from [0.8 d, d]
        AttemptTimeout = TimeSpan.FromSeconds(10),     // a run over it is cancelled and counts as one attempt
        NonRetryable = [typeof(UriFormatException).FullName!], // and subtypes: fail for good at the first throw
    });
}
