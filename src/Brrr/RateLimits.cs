using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Brrr.Backends;

namespace Brrr;

/// <summary>
/// The fleet-wide rate limits of a worker's topics and tasks over a shared <see cref="IRateLimiter"/>: a call about to
/// run asks for its start in the scopes <c>topic:&lt;topic&gt;</c> and <c>task:&lt;name&gt;</c> that have a limit. The
/// ticket of a call is a digest of its message, so the message itself carries nothing new. Thread safe.
/// </summary>
internal sealed class RateLimits(IRateLimiter limiter, ImmutableDictionary<string, RateLimit> topics, ImmutableDictionary<string, RateLimit> tasks)
{
    /// <summary>Whether any topic or task has a limit.</summary>
    public bool Any => !topics.IsEmpty || !tasks.IsEmpty;

    /// <summary>
    /// Asks for the start of the call of <paramref name="delivery"/>, a call of <paramref name="taskName"/>: <c>null</c>
    /// when it may run now (or neither its topic nor its task is limited), else the wait until its reserved start.
    /// </summary>
    public async Task<TimeSpan?> AcquireAsync(QueueDelivery delivery, string taskName, CancellationToken cancellationToken)
    {
        var scopes = new List<RateLimitScope>(2);
        if (topics.TryGetValue(delivery.Topic, out var topicLimit))
        {
            scopes.Add(new RateLimitScope("topic:" + delivery.Topic, topicLimit));
        }

        if (tasks.TryGetValue(taskName, out var taskLimit))
        {
            scopes.Add(new RateLimitScope("task:" + taskName, taskLimit));
        }

        if (scopes.Count == 0)
        {
            return null;
        }

        var wait = await limiter.AcquireAsync(scopes, TicketOf(delivery.Message), cancellationToken).ConfigureAwait(false);
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>The first 128 bits of the message's SHA-256, in hex: the same message asks under the same ticket.</summary>
    internal static string TicketOf(string message) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message)).AsSpan(0, 16));
}
