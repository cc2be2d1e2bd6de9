namespace Brrr.Akka;

/// <summary>
/// One topic stream of a worker, as <see cref="BrrrWorker.GetTopicStreams"/> sees it now: for health checks and dashboards.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Running">The stream runs: it has not ended and the worker is not stopping.</param>
/// <param name="Dead">The stream ended while the worker was not stopping: the topic is no longer served by this worker.</param>
/// <param name="SinceQueueAnswered">
/// While the stream waits for messages, how long ago the queue last answered a receive (with messages or none); a
/// healthy stream stays under about <c>brrr.poll-timeout</c>, and it grows while the queue fails or hangs. <c>null</c>
/// when no receive is under way: every slot is busy (the stream waits for a call to finish, not for the queue), or it
/// has ended.
/// </param>
/// <param name="InFlight">Messages received and not yet settled.</param>
public sealed record TopicStreamState(string Topic, bool Running, bool Dead, TimeSpan? SinceQueueAnswered, int InFlight);
