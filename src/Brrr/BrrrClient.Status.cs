using Brrr.Codecs;
using Brrr.Tasks;

namespace Brrr;

public sealed partial class BrrrClient
{
    private static readonly TimeSpan s_firstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_longestPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The status of <paramref name="task"/>(<paramref name="args"/>): completed with its value, failed with its error
    /// record, or pending. One read when the value is stored; the error record is read only when it is not.
    /// </summary>
    public async Task<CallStatus<TResult>> GetStatusAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var call = Codec.EncodeCall(task.Name, args);
        var status = await GetStatusAsync(call.CallHash, cancellationToken).ConfigureAwait(false);
        return status.State == CallState.Completed ? CallStatus<TResult>.Completed(Codec.Decode<TResult>(call, status.Value!))
            : status.Error is { } error ? CallStatus<TResult>.Failed(error)
            : CallStatus<TResult>.Pending;
    }

    /// <summary>The status of the call <paramref name="callHash"/>, its value as stored bytes (see <see cref="CallState.Cancelled"/>).</summary>
    /// <exception cref="ProtocolException"><paramref name="callHash"/> is not a call hash, or its error record is malformed.</exception>
    public async Task<CallStatus<byte[]>> GetStatusAsync(string callHash, CancellationToken cancellationToken = default)
    {
        if (await Memory.GetValueAsync(callHash, cancellationToken).ConfigureAwait(false) is { } value)
        {
            return CallStatus<byte[]>.Completed(value);
        }

        return await Memory.GetErrorAsync(callHash, cancellationToken).ConfigureAwait(false) is { } error
            ? CallStatus<byte[]>.Failed(error)
            : CallStatus<byte[]>.Pending;
    }

    /// <summary>
    /// Waits for <paramref name="task"/>(<paramref name="args"/>) and returns its value. Polls its status with backoff
    /// (20 ms, doubling up to 1 s) and stops as soon as an error record is stored. Traced as the activity
    /// <c>brrr.wait</c> of the source <c>Brrr</c> when it has a listener.
    /// </summary>
    /// <exception cref="CallFailedException">The call failed for good; carries its error record and chain.</exception>
    /// <exception cref="TimeoutException">Neither a value nor an error record within <paramref name="timeout"/>.</exception>
    public async Task<TResult> WaitAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var call = Codec.EncodeCall(task.Name, args);
        using var activity = BrrrTracing.Source.StartActivity("brrr.wait");
        activity?.SetTag("brrr.task", call.TaskName).SetTag("brrr.call_hash", call.CallHash);
        try
        {
            return await PollAsync<TResult>(call, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (activity is not null)
        {
            BrrrTracing.Failed(activity, e);
            throw;
        }
    }

    private async Task<TResult> PollAsync<TResult>(Call call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        for (var wait = s_firstPoll; ; wait = Backoff.Next(wait, s_longestPoll))
        {
            var status = await GetStatusAsync(call.CallHash, cancellationToken).ConfigureAwait(false);
            if (status.State == CallState.Completed)
            {
                return Codec.Decode<TResult>(call, status.Value!);
            }

            if (status.Error is { } error)
            {
                throw new CallFailedException(error);
            }

            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{call.TaskName} has neither a value nor an error record after {timeout}.");
            }

            await Task.Delay(wait < left ? wait : left, cancellationToken).ConfigureAwait(false);
        }
    }
}
