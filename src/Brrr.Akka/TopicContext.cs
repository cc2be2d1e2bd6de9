using Brrr.Akka.Actors;
using Brrr.Backends;
using Brrr.Tasks;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka;

/// <summary>What the runners of one topic share.</summary>
internal sealed class TopicContext(BrrrWorker worker, string topic, TaskSet tasks, TopicSettings settings, IQueueConsumer consumer, Settlement settlement, InFlight inFlight, ILogger log)
{
    public BrrrWorker Worker { get; } = worker;

    public string Topic { get; } = topic;

    public TaskSet Tasks { get; } = tasks;

    public TopicSettings Settings { get; } = settings;

    public IQueueConsumer Consumer { get; } = consumer;

    public Settlement Settlement { get; } = settlement;

    public InFlight InFlight { get; } = inFlight;

    /// <summary>Where the runners log (<see cref="BrrrLog.CallsCategory"/>).</summary>
    public ILogger Log { get; } = log;

    /// <summary>Thins out the lines of failures that repeat on this topic (an outage fails every call in flight).</summary>
    public LogThrottle LogThrottle { get; } = LogThrottle.Default();
}
