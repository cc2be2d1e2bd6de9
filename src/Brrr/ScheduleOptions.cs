namespace Brrr;

/// <summary>
/// How <see cref="IBrrrClient.ScheduleAsync{TArgs, TResult}(Tasks.TaskRef{TArgs, TResult}, TArgs, ScheduleOptions, CancellationToken)"/>
/// schedules a workflow root: where, and not before when. Set at most one of <see cref="NotBefore"/> and
/// <see cref="Delay"/>; with neither the root runs as soon as a worker is free.
/// </summary>
public sealed record ScheduleOptions
{
    /// <summary>The topic of the root's job; default: the task's topic.</summary>
    public string? Topic { get; init; }

    /// <summary>
    /// The earliest time the root may run (the producer's clock). A time already past runs it at once. The job waits
    /// in the queue's delayed set (<see cref="Backends.IDelayedQueue"/>) and is delivered within about
    /// <c>brrr.delayed.poll-interval</c> after it, while some brrr worker serves the topic.
    /// </summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>How long from now the root must wait before it may run (at least zero); see <see cref="NotBefore"/>.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>The earliest run as a point in time on <paramref name="time"/>'s clock, or null when none was asked for.</summary>
    /// <exception cref="ArgumentException">Both <see cref="NotBefore"/> and <see cref="Delay"/> are set, or the delay is negative.</exception>
    internal DateTimeOffset? DueAt(TimeProvider time)
    {
        if (NotBefore is not null && Delay is not null)
        {
            throw new ArgumentException($"Set {nameof(NotBefore)} or {nameof(Delay)} of {nameof(ScheduleOptions)}, not both.");
        }

        if (Delay is { } delay)
        {
            return delay >= TimeSpan.Zero
                ? time.GetUtcNow() + delay
                : throw new ArgumentException($"{nameof(ScheduleOptions)}.{nameof(Delay)} must be >= 0, got {delay}.");
        }

        return NotBefore;
    }
}
