using Microsoft.Extensions.Logging;

namespace Brrr.Akka;

/// <summary>
/// Every log line of the runtime, with its stable event id and named fields (<c>Task</c>, <c>CallHash</c>,
/// <c>RootId</c>, <c>Topic</c>, <c>Outcome</c>, <c>Attempt</c>...). The runtime owns the ids 1000-1099: 1000-1009 the
/// worker's life (category <see cref="WorkerCategory"/>), 1010-1019 calls (<see cref="CallsCategory"/>), 1020-1029 the
/// queue (<see cref="QueueCategory"/>), 1040-1049 recurring schedules (<see cref="SchedulesCategory"/>). An id, once given, keeps its meaning; README.md lists them. Queue messages
/// appear only as <see cref="LogText.Excerpt"/>s.
/// </summary>
internal static partial class BrrrLog
{
    /// <summary>Start and stop of workers, and the runtime's own checks.</summary>
    public const string WorkerCategory = "Brrr.Akka.Worker";

    /// <summary>Calls that failed, and messages given back.</summary>
    public const string CallsCategory = "Brrr.Akka.Calls";

    /// <summary>Receiving and settling (acknowledge, release, dead-letter) that the queue refused for a while.</summary>
    public const string QueueCategory = "Brrr.Akka.Queue";

    /// <summary>Recurring schedules: ticks claimed, missed and failed.</summary>
    public const string SchedulesCategory = "Brrr.Akka.Schedules";

    [LoggerMessage(1000, LogLevel.Warning, "brrr: CoordinatedShutdown's phase times out after {PhaseTimeout}, before brrr.shutdown-timeout ({ShutdownTimeout}): in-flight calls may be cut on shutdown. Set akka.coordinated-shutdown.phases.{Phase}.timeout = {PhaseTimeoutMs}ms.")]
    public static partial void ShutdownPhaseTooShort(ILogger logger, TimeSpan phaseTimeout, TimeSpan shutdownTimeout, string phase, long phaseTimeoutMs);

    [LoggerMessage(1001, LogLevel.Information, "brrr: worker {Worker} serves topic {Topic} with tasks [{Tasks}], parallelism {Parallelism}")]
    public static partial void TopicServed(ILogger logger, string worker, string topic, string tasks, int parallelism);

    [LoggerMessage(1002, LogLevel.Information, "brrr: worker {Worker} stops receiving; {InFlight} call(s) in flight get up to {ShutdownTimeout} to finish")]
    public static partial void WorkerStopping(ILogger logger, string worker, int inFlight, TimeSpan shutdownTimeout);

    [LoggerMessage(1003, LogLevel.Warning, "brrr: worker {Worker}: {InFlight} call(s) still running after {ShutdownTimeout}; cancelling them")]
    public static partial void CallsCancelledOnShutdown(ILogger logger, string worker, int inFlight, TimeSpan shutdownTimeout);

    [LoggerMessage(1004, LogLevel.Warning, "brrr: worker {Worker} gives message {Message} back to topic {Topic} unfinished")]
    public static partial void MessageGivenBackUnfinished(ILogger logger, string worker, string message, string topic);

    [LoggerMessage(1005, LogLevel.Error, "brrr: worker {Worker} could not give message {Message} back to topic {Topic}; it stays with the consumer for redelivery")]
    public static partial void ShutdownGiveBackFailed(ILogger logger, Exception error, string worker, string message, string topic);

    [LoggerMessage(1006, LogLevel.Information, "brrr: worker {Worker} stopped")]
    public static partial void WorkerStopped(ILogger logger, string worker);

    [LoggerMessage(1010, LogLevel.Error, "brrr: call {CallHash} of task {Task} on topic {Topic} (root {RootId}) failed for good on run {Attempt}; its message is {Outcome} (dead-letter topic: {DeadLetterTopic}): {Error} [message: {Message}]")]
    public static partial void CallFailedForGood(
        ILogger logger, Exception exception, string callHash, string task, string topic, string rootId, int attempt, string outcome, string deadLetterTopic, string error, string message);

    /// <summary>Logged at <paramref name="level"/>: Warning, or Debug for the failures a throttled Warning line counts.</summary>
    [LoggerMessage(EventId = 1011, Message = "brrr: call {CallHash} of task {Task} on topic {Topic} (root {RootId}) failed (run {Attempt}); its message is {Outcome} to the queue{Times}: {ErrorType}: {Error}")]
    public static partial void CallFailedForNow(
        ILogger logger, LogLevel level, string callHash, string task, string topic, string rootId, int attempt, string outcome, string times, string errorType, string error);

    [LoggerMessage(1012, LogLevel.Error, "brrr: handling the failure of message {Message} on topic {Topic} failed; the message goes back to the queue")]
    public static partial void FailureHandlingFailed(ILogger logger, Exception error, string message, string topic);

    [LoggerMessage(1013, LogLevel.Information, "brrr: worker stopping; message {Message} on topic {Topic} is left for the shutdown's release")]
    public static partial void MessageLeftForShutdown(ILogger logger, string message, string topic);

    [LoggerMessage(1014, LogLevel.Error, "brrr: could not give message {Message} back to topic {Topic}; it stays with the consumer until it is redelivered")]
    public static partial void GiveBackFailed(ILogger logger, Exception error, string message, string topic);

    [LoggerMessage(1016, LogLevel.Debug, "brrr: could not read the trace context of message {Message} on topic {Topic}; its call is traced on its own: {Error}")]
    public static partial void TraceContextUnread(ILogger logger, string message, string topic, string error);

    [LoggerMessage(1020, LogLevel.Warning, "brrr: receiving from topic {Topic} failed ({ErrorType}: {Error}); retrying in {Wait}")]
    public static partial void ReceiveFailed(ILogger logger, string topic, string errorType, string error, TimeSpan wait);

    [LoggerMessage(1021, LogLevel.Warning, "brrr: could not {Operation} message {Message} on topic {Topic}; retrying in {Wait}{Times}: {ErrorType}: {Error}")]
    public static partial void SettleRetrying(ILogger logger, string operation, string message, string topic, TimeSpan wait, string times, string errorType, string error);

    /// <summary>Logged at <paramref name="level"/>: Warning, or Debug for the failures a throttled Warning line counts.</summary>
    [LoggerMessage(EventId = 1023, Message = "brrr: could not move the due delayed messages of topic {Topic} into it; trying again in {Interval}{Times}: {ErrorType}: {Error}")]
    public static partial void PromoteFailed(ILogger logger, LogLevel level, string topic, TimeSpan interval, string times, string errorType, string error);

    [LoggerMessage(1022, LogLevel.Debug, "brrr: could not {Operation} message {Message} on topic {Topic}")]
    public static partial void SettleFailed(ILogger logger, Exception error, string operation, string message, string topic);

    [LoggerMessage(1040, LogLevel.Information, "brrr: worker {Worker} ticks schedule {Schedule} ({Cron} in {TimeZone}): task {Task} on topic {Topic}, next tick {NextTick}")]
    public static partial void ScheduleTicking(ILogger logger, string worker, string schedule, string cron, string timeZone, string task, string topic, string nextTick);

    [LoggerMessage(1041, LogLevel.Debug, "brrr: worker {Worker} claimed tick {Tick} of schedule {Schedule} and pushed root {RootId} to topic {Topic}")]
    public static partial void ScheduleTickPushed(ILogger logger, string worker, string tick, string schedule, string rootId, string topic);

    [LoggerMessage(1046, LogLevel.Warning, "brrr: worker {Worker} pushed root {RootId} of tick {Tick} of schedule {Schedule} to topic {Topic}: its claimer never marked it pushed (it died between its claim and its push)")]
    public static partial void ScheduleTickRecovered(ILogger logger, string worker, string tick, string schedule, string rootId, string topic);

    [LoggerMessage(1042, LogLevel.Information, "brrr: schedule {Schedule} missed its ticks after {LastTick}, the latest at {Tick}: {Outcome}")]
    public static partial void ScheduleTicksMissed(ILogger logger, string schedule, string lastTick, string tick, string outcome);

    [LoggerMessage(1043, LogLevel.Warning, "brrr: schedule {Schedule}: {Step} failed ({ErrorType}: {Error}); retrying in {Wait}")]
    public static partial void ScheduleStepFailed(ILogger logger, string schedule, string step, string errorType, string error, TimeSpan wait);

    [LoggerMessage(1044, LogLevel.Warning, "brrr: schedule {Schedule} ({Cron}) has no tick after {After}: it stops ticking")]
    public static partial void ScheduleEnded(ILogger logger, string schedule, string cron, string after);

    [LoggerMessage(1045, LogLevel.Error, "brrr: schedule {Schedule} cannot tick on this worker: {Error}")]
    public static partial void ScheduleUnsupported(ILogger logger, string schedule, string error);
}
