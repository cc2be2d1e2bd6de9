namespace Brrr.Akka;

/// <summary>
/// Published on the ActorSystem's event stream when a message could not be handled. The worker goes on
/// serving other messages; <see cref="Released"/> says whether the message went back to the queue for a retry.
/// </summary>
/// <param name="Topic">The topic the message came from.</param>
/// <param name="Message">The raw queue message.</param>
/// <param name="RootId">The workflow root, when the message could be decoded.</param>
/// <param name="CallHash">The call, when the message could be decoded.</param>
/// <param name="TaskName">The task, when the call record could be read.</param>
/// <param name="Error">What went wrong.</param>
/// <param name="Released">
/// True when the message was given back to the queue for another run (a transient failure, or a task that threw fewer
/// than <c>brrr.task-attempts</c> times); false when it failed for good.
/// </param>
/// <param name="Attempt">The runs of this message on this worker that failed so far (1 unless its task threw before).</param>
/// <param name="DeadLetterTopic">
/// Where the message went as a <see cref="DeadLetter"/> when it failed for good; <c>null</c> when it was released, or
/// dropped because dead letters are off (<c>brrr.dead-letter-suffix = ""</c>).
/// </param>
public sealed record CallFailed(
    string Topic, string Message, string? RootId, string? CallHash, string? TaskName, Exception Error, bool Released, int Attempt, string? DeadLetterTopic);

/// <summary>
/// Published on the ActorSystem's event stream by the worker that claimed a tick of a recurring schedule, once it pushed
/// the tick's root (<c>brrr.schedules</c>). Across the fleet there is one per tick at most.
/// </summary>
/// <param name="Schedule">The schedule's name.</param>
/// <param name="Tick">The tick's time.</param>
/// <param name="Topic">Where the root was pushed.</param>
/// <param name="RootId">The root's id: <c>schedule:&lt;name&gt;:&lt;yyyyMMddTHHmmss&gt;Z</c>.</param>
/// <param name="CallHash">The root's call.</param>
/// <param name="Worker">The worker that claimed the tick.</param>
/// <param name="Missed">True when the tick was a missed one run late (<c>missed-ticks = run-once</c>).</param>
public sealed record ScheduleTicked(string Schedule, DateTimeOffset Tick, string Topic, string RootId, string CallHash, string Worker, bool Missed);
