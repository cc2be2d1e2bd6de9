using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Amazon.Runtime;

namespace Brrr.Sqs;

/// <summary>
/// Immutable settings of <see cref="SqsQueue"/>, with their defaults (the one place they are written: the HOCON section
/// <c>brrr.sqs</c> of Brrr.Sqs.Hosting only overrides them); start from <see cref="Default"/> and change values with a
/// <c>with</c> expression. Every property checks its value and throws <see cref="ArgumentException"/> when it is out of
/// range. Holds no credentials: the client uses the standard AWS credential chain unless it is given some.
/// </summary>
public sealed partial record SqsQueueSettings
{
    /// <summary>The HOCON path of the section these settings are read from.</summary>
    public const string ConfigPath = "brrr.sqs";

    /// <summary>The longest delay SQS applies itself (<c>DelaySeconds</c> of 15 minutes); a longer one is re-delayed by the consumer that receives it early.</summary>
    public static readonly TimeSpan MaxNativeDelay = TimeSpan.FromMinutes(15);

    /// <summary>The longest long poll SQS allows (<c>WaitTimeSeconds</c> of 20).</summary>
    public static readonly TimeSpan MaxLongPoll = TimeSpan.FromSeconds(20);

    private SqsQueueSettings() { }

    /// <summary>The defaults: queues <c>brrr-&lt;topic&gt;</c> created on first use in the region of the AWS chain, 30 s visibility.</summary>
    public static SqsQueueSettings Default { get; } = new();

    /// <summary>The AWS region name, or <c>null</c> to resolve it from the standard AWS chain (<c>brrr.sqs.region</c>).</summary>
    public string? Region
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>The endpoint of a local server such as fauxqs, or <c>null</c> for the AWS endpoint of the region (<c>brrr.sqs.service-url</c>).</summary>
    public Uri? ServiceUrl
    {
        get;
        init => field = value is null || (value.IsAbsoluteUri && (value.Scheme == Uri.UriSchemeHttp || value.Scheme == Uri.UriSchemeHttps))
            ? value
            : throw new ArgumentException($"{nameof(ServiceUrl)} must be an absolute http or https URL, got '{value}'.", nameof(ServiceUrl));
    }

    /// <summary>
    /// What a topic's queue name starts with (<c>brrr.sqs.queue-name-prefix</c>): the queue of topic <c>t</c> is
    /// <c>&lt;prefix&gt;t</c> (see <see cref="QueueName"/>). At most 40 characters of <c>[A-Za-z0-9_-]</c>; may be empty.
    /// </summary>
    public string QueueNamePrefix
    {
        get;
        init => field = value is not null && value.Length <= 40 && QueueNameChars().IsMatch(value)
            ? value
            : throw new ArgumentException($"{nameof(QueueNamePrefix)} must be at most 40 characters of A-Z a-z 0-9 _ -, got '{value}'.", nameof(QueueNamePrefix));
    } = "brrr-";

    /// <summary>
    /// Queue names chosen per topic (<c>brrr.sqs.queue-names</c>), over the prefix rule: for a topic whose name does not
    /// map well (too long, or two topics that would share a queue), or to use queues that already exist. Each value is a
    /// valid SQS standard queue name (1 to 80 characters of <c>[A-Za-z0-9_-]</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> QueueNames
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var (topic, name) in value)
            {
                CheckQueueName(name, $"{nameof(QueueNames)}[{topic}]");
            }

            field = value.ToFrozenDictionary(StringComparer.Ordinal);
        }
    } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// Whether a topic's queue is created when it is first pushed to or consumed and does not exist
    /// (<c>brrr.sqs.create-queues</c>); off: the queues must exist (made by infrastructure code) and a missing one is an error.
    /// </summary>
    public bool CreateQueues { get; init; } = true;

    /// <summary>
    /// How long a received message stays hidden from other consumers (<c>brrr.sqs.visibility-timeout</c>; whole seconds,
    /// 2 s to 12 h). A consumer extends it every third of it while it holds the message, so a long call keeps its message;
    /// a consumer that dies gives its messages back after at most this long.
    /// </summary>
    public TimeSpan VisibilityTimeout
    {
        get;
        init => field = value >= TimeSpan.FromSeconds(2) && value <= TimeSpan.FromHours(12) && value.Ticks % TimeSpan.TicksPerSecond == 0
            ? value
            : throw new ArgumentException($"{nameof(VisibilityTimeout)} must be whole seconds from 2 s to 12 h, got {value}.", nameof(VisibilityTimeout));
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest message accepted, in UTF-8 bytes (<c>brrr.sqs.max-message-bytes</c>; 1 to 1,048,576, SQS's limit): a
    /// larger one is refused before it is sent, with an error naming the topic and the size.
    /// </summary>
    public int MaxMessageBytes
    {
        get;
        init => field = value is >= 1 and <= 1_048_576
            ? value
            : throw new ArgumentException($"{nameof(MaxMessageBytes)} must be from 1 to 1048576, got {value}.", nameof(MaxMessageBytes));
    } = 1_048_576;

    /// <summary>How many times the AWS SDK retries a throttled or transiently failed request, &gt;= 0 (<c>brrr.sqs.max-error-retries</c>).</summary>
    public int MaxErrorRetries
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentException($"{nameof(MaxErrorRetries)} must be >= 0, got {value}.", nameof(MaxErrorRetries));
    } = 8;

    /// <summary>The AWS SDK retry mode (<c>brrr.sqs.retry-mode</c>): standard or adaptive.</summary>
    public RequestRetryMode RetryMode { get; init; } = RequestRetryMode.Standard;

    /// <summary>
    /// Time limit of one HTTP request beyond its long poll (<c>brrr.sqs.request-timeout</c>, &gt; 0): a receive may wait
    /// up to 20 s for messages, so its request is given that plus this.
    /// </summary>
    public TimeSpan RequestTimeout
    {
        get;
        init => field = value > TimeSpan.Zero ? value : throw new ArgumentException($"{nameof(RequestTimeout)} must be > 0, got {value}.", nameof(RequestTimeout));
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The SQS queue of <paramref name="topic"/>: its entry in <see cref="QueueNames"/>, else <see cref="QueueNamePrefix"/>
    /// followed by the topic with every character SQS does not allow in a name (all but <c>[A-Za-z0-9_-]</c>) turned into
    /// <c>-</c>. So the dead-letter topic <c>t:dead-letters</c> lives in <c>brrr-t-dead-letters</c>. Two topics that
    /// differ only in such characters would share a queue: name one of them in <see cref="QueueNames"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name would be longer than SQS's 80 characters.</exception>
    public string QueueName(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (QueueNames.TryGetValue(topic, out var chosen))
        {
            return chosen;
        }

        var name = QueueNamePrefix + NotAQueueNameChar().Replace(topic, "-");
        return name.Length <= 80
            ? name
            : throw new ArgumentException(
                $"The topic '{topic}' maps to the SQS queue name '{name}', longer than SQS's 80 characters: choose its queue in brrr.sqs.queue-names (SqsQueueSettings.QueueNames).",
                nameof(topic));
    }

    private static void CheckQueueName(string? name, string what)
    {
        if (name is null || name.Length is 0 or > 80 || !QueueNameChars().IsMatch(name))
        {
            throw new ArgumentException($"{what} must be an SQS standard queue name (1 to 80 characters of A-Z a-z 0-9 _ -), got '{name}'.", nameof(QueueNames));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]*$")]
    private static partial Regex QueueNameChars();

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex NotAQueueNameChar();
}
