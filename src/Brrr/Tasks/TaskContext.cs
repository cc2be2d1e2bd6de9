using System.Collections.Concurrent;
using Brrr.Codecs;

namespace Brrr.Tasks;

/// <summary>
/// What a running task sees: its call, and <see cref="Call{TArgs,TResult}"/>/<see cref="Gather{TResult}(IEnumerable{Task{TResult}})"/>
/// to get children's values. A missing child never blocks: the run is aborted with a <see cref="DeferException"/>
/// and re-run once the child completes. One context serves one run; its methods are thread safe.
/// </summary>
public sealed class TaskContext
{
    private readonly Func<string, CancellationToken, Task<byte[]?>> _readValue;
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]?>>> _lookups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChildCall> _missing = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _missingOrder = new();

    internal TaskContext(Call call, string topic, string rootId, ICodec codec, Func<string, CancellationToken, Task<byte[]?>> readValue, CancellationToken cancellationToken)
    {
        CurrentCall = call;
        Topic = topic;
        RootId = rootId;
        Codec = codec;
        _readValue = readValue;
        CancellationToken = cancellationToken;
    }

    /// <summary>The call being run.</summary>
    public Call CurrentCall { get; }

    /// <summary>The topic the call arrived on; children go there unless told otherwise.</summary>
    public string Topic { get; }

    /// <summary>The workflow root of this run.</summary>
    public string RootId { get; }

    /// <summary>The codec of the worker.</summary>
    public ICodec Codec { get; }

    /// <summary>Cancelled when the worker is shutting down.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The value of <paramref name="task"/>(<paramref name="args"/>) if it is stored; otherwise the returned task
    /// fails with <see cref="DeferException"/> and the child is recorded for scheduling.
    /// </summary>
    /// <param name="task">The child task (a definition or a by-name reference).</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="topic">The topic the child runs on; default: the task's topic, else this run's topic.</param>
    public async Task<TResult> Call<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var child = Codec.EncodeCall(task.Name, args);
        var childTopic = topic ?? task.Topic ?? Topic;
        var value = await _lookups.GetOrAdd(child.CallHash, _ => new Lazy<Task<byte[]?>>(() => LookupAsync(child, childTopic))).Value.ConfigureAwait(false);
        return value is null
            ? throw new DeferException($"The value of {child} is missing: the run of {CurrentCall} is deferred.")
            : Codec.DecodeReturn<TResult>(task.Name, value);
    }

    /// <summary>
    /// Waits for every call in <paramref name="calls"/> so that all missing children of the run are recorded before
    /// it is deferred; then returns their values in order. A failure other than a missing child is rethrown.
    /// </summary>
    public async Task<TResult[]> Gather<TResult>(IEnumerable<Task<TResult>> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var all = calls.ToArray();
        await WhenAllOrDefer(all).ConfigureAwait(false);
        return all.Select(t => t.Result).ToArray();
    }

    /// <inheritdoc cref="Gather{TResult}(IEnumerable{Task{TResult}})"/>
    public Task<TResult[]> Gather<TResult>(params Task<TResult>[] calls) => Gather((IEnumerable<Task<TResult>>)calls);

    /// <summary>Waits for every one of <paramref name="work"/> (of any result type) the way <see cref="Gather{TResult}(IEnumerable{Task{TResult}})"/> does.</summary>
    public Task GatherAll(params Task[] work) => WhenAllOrDefer(work);

    /// <summary>The children found missing so far, in the order they were first asked for.</summary>
    internal IReadOnlyList<ChildCall> MissingChildren => _missingOrder.Select(h => _missing[h]).ToArray();

    /// <summary>Waits until every value lookup started by the run has finished (so every missing child is recorded).</summary>
    internal Task LookupsSettled() => Task.WhenAll(_lookups.Values.Select(l => l.Value));

    /// <summary>The first store failure met while reading a child's value, if any.</summary>
    internal Exception? LookupFailure { get; private set; }

    private async Task<byte[]?> LookupAsync(Call child, string childTopic)
    {
        byte[]? value;
        try
        {
            value = await _readValue(child.CallHash, CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LookupFailure ??= e;
            throw;
        }

        if (value is null && _missing.TryAdd(child.CallHash, new ChildCall(child, childTopic)))
        {
            _missingOrder.Enqueue(child.CallHash);
        }

        return value;
    }

    private static async Task WhenAllOrDefer(Task[] all)
    {
        try
        {
            await Task.WhenAll(all).ConfigureAwait(false);
        }
        catch (Exception)
        {
            var failure = all.Where(t => t.IsFaulted)
                .SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not DeferException);
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            if (all.Any(t => t.IsCanceled))
            {
                throw new OperationCanceledException("A gathered call was cancelled.");
            }

            throw new DeferException("Some gathered children are missing: the run is deferred.");
        }
    }
}
