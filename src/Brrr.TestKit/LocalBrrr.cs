using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Brrr.Akka;
using Brrr.Tasks;

namespace Brrr.TestKit;

/// <summary>
/// A brrr worker on in-memory backends inside a test's ActorSystem (for example an Akka TestKit's <c>Sys</c>):
/// run a task to completion, read results, and count executions per task.
/// </summary>
public sealed class LocalBrrr : IAsyncDisposable
{
    /// <summary>
    /// The longest wait between two reads of a result while this worker settles nothing: another worker on the same
    /// backends may store it.
    /// </summary>
    private static readonly TimeSpan OtherWorkersReadInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long RunAsync waits, once the root's error record is stored, for this worker's own report of the failure
    /// (published just after the record is written), before it takes the failure as another worker's.
    /// </summary>
    private static readonly TimeSpan OwnReportGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentQueue<CallFailed> _failures = new();
    private readonly ConcurrentQueue<Exception> _readFailures = new();
    private readonly IActorRef _collector;

    // Completed (and replaced) whenever the worker settles a message or reports a failure: what RunAsync waits on.
    private TaskCompletionSource _progress = NewProgress();

    /// <summary>Starts a worker in <paramref name="system"/> serving <paramref name="topics"/>.</summary>
    /// <param name="system">The ActorSystem to run in.</param>
    /// <param name="topics">Topic name → the tasks served there.</param>
    /// <param name="backends">The backends; default: fresh in-memory ones.</param>
    public LocalBrrr(ActorSystem system, IReadOnlyDictionary<string, TaskSet> topics, BrrrBackends? backends = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        Backends = backends ?? BrrrBackends.InMemory();
        _collector = system.ActorOf(Props.Create(() => new FailureCollector(_failures, Progressed)));
        system.EventStream.Subscribe(_collector, typeof(CallFailed));
        Worker = BrrrExtension.Get(system).StartWorker(Backends, topics);
        Worker.Statistics.Counted += Progressed;
        DefaultTopic = topics.Keys.First();
    }

    /// <summary>Starts a worker in <paramref name="system"/> serving one topic.</summary>
    public LocalBrrr(ActorSystem system, string topic, params ITaskHandler[] tasks)
        : this(system, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { [topic] = new TaskSet(tasks) })
    {
    }

    /// <summary>The backends the worker uses.</summary>
    public BrrrBackends Backends { get; }

    /// <summary>The running worker.</summary>
    public BrrrWorker Worker { get; }

    /// <summary>A client on the same backends.</summary>
    public BrrrClient Client => Worker.Client;

    /// <summary>The topic calls are scheduled on unless told otherwise: the first topic served.</summary>
    public string DefaultTopic { get; }

    /// <summary>Handler executions so far, per task name.</summary>
    public IReadOnlyDictionary<string, long> Executions => Worker.Statistics.ExecutionsByTask;

    /// <summary>Every failure the worker reported so far.</summary>
    public IReadOnlyCollection<CallFailed> Failures => _failures.ToArray();

    /// <summary>
    /// Schedules <paramref name="task"/>(<paramref name="args"/>) as a new root and waits until its value is
    /// stored; returns it. The result is read again each time the worker settles a message or reports a failure, and
    /// at least every 250 ms (another worker on the same backends may compute it).
    /// </summary>
    /// <exception cref="WorkflowFailedException">A call of this root failed on this worker (for example the spawn limit).</exception>
    /// <exception cref="CallFailedException">The root's error record is stored and this worker reported no failure of the root:
    /// another worker on the same backends ran the call that failed for good. Carries the error record and its chain.</exception>
    /// <exception cref="TimeoutException">No value within <paramref name="timeout"/> (default 30 s).</exception>
    public async Task<TResult> RunAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, TimeSpan? timeout = null, string? topic = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var rootId = BrrrClient.NewRootId();
        var call = Backends.Codec.EncodeCall(task.Name, args);
        await Client.ScheduleAsync(call, topic ?? task.Topic ?? DefaultTopic, rootId).ConfigureAwait(false);
        var bound = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        TimeSpan? errorSeenAt = null;
        while (true)
        {
            // Taken before the read: progress made during the read ends the next wait at once.
            var progress = Volatile.Read(ref _progress).Task;
            var status = await TryGetStatusAsync(task, args).ConfigureAwait(false);
            if (status.State == CallState.Completed)
            {
                return status.Value!;
            }

            var failure = _failures.FirstOrDefault(f => f.RootId == rootId && !f.Released);
            if (failure is not null)
            {
                throw new WorkflowFailedException(rootId, failure);
            }

            if (status.Error is { } error)
            {
                errorSeenAt ??= clock.Elapsed;
                if (clock.Elapsed - errorSeenAt >= OwnReportGrace)
                {
                    throw new CallFailedException(error);
                }
            }

            var left = bound - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{task.Name} (root {rootId}) did not complete within {bound}; executions so far: {string.Join(", ", Executions.Select(e => $"{e.Key}={e.Value}"))}; reads failed {_readFailures.Count} time(s){(_readFailures.TryPeek(out var first) ? $", first: {first.Message}" : "")}.");
            }

            await Task.WhenAny(progress, Task.Delay(left < OtherWorkersReadInterval ? left : OtherWorkersReadInterval)).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Progressed() => Interlocked.Exchange(ref _progress, NewProgress()).TrySetResult();

    /// <summary>Reads the result; a store that is unavailable for a moment (say, a restarting server) reads as not found yet.</summary>
    private async Task<CallStatus<TResult>> TryGetStatusAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args)
    {
        try
        {
            return await Client.GetStatusAsync(task, args).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not BrrrException)
        {
            _readFailures.Enqueue(e);
            return CallStatus<TResult>.Pending;
        }
    }

    /// <summary>Reads the stored result of <paramref name="task"/>(<paramref name="args"/>).</summary>
    public Task<ReadResult<TResult>> ReadAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args) => Client.ReadAsync(task, args);

    /// <summary>Stops the worker gracefully.</summary>
    public async ValueTask DisposeAsync()
    {
        await Worker.StopAsync().ConfigureAwait(false);
        Worker.Statistics.Counted -= Progressed;
        _collector.Tell(PoisonPill.Instance);
    }

    private sealed class FailureCollector : ReceiveActor
    {
        public FailureCollector(ConcurrentQueue<CallFailed> failures, Action progressed) => Receive<CallFailed>(failure =>
        {
            failures.Enqueue(failure);
            progressed();
        });
    }
}

/// <summary>A call of a workflow root failed for good (see <see cref="Failure"/>).</summary>
public sealed class WorkflowFailedException : BrrrException
{
    /// <summary>Creates the error.</summary>
    public WorkflowFailedException(string rootId, CallFailed failure)
        : base($"Workflow root {rootId} failed at call {failure?.CallHash} ({failure?.TaskName}): {failure?.Error.Message}", failure!.Error)
    {
        RootId = rootId;
        Failure = failure;
    }

    /// <summary>The failed root.</summary>
    public string RootId { get; }

    /// <summary>The failure the worker reported.</summary>
    public CallFailed Failure { get; }
}
