using Brrr.Codecs;

namespace Brrr.Tasks;

/// <summary>
/// The built-in timer task behind <see cref="TaskContext.Sleep"/>: every brrr worker serves it on every topic without
/// registration (<see cref="CallProcessor"/> runs it before looking a task up). Its call is unique per sleeping call and
/// per sleep; its value, stored once it is due, is its due time in Unix milliseconds.
/// </summary>
internal static class SleepTimer
{
    /// <summary>The task name of the timers (reference workers do not serve it).</summary>
    public const string TaskName = "brrr.sleep";

    /// <summary>The timer's call: the sleeping call's hash, the sleep's rank in its run, and the delay.</summary>
    public static Call CallOf(ICodec codec, string parentHash, int ordinal, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(codec);
        return codec.EncodeCall(TaskName, new SleepTimerArgs(parentHash, ordinal, (long)delay.TotalMilliseconds));
    }

    /// <summary>The delay of a timer call, from its arguments.</summary>
    /// <exception cref="ProtocolException">The arguments are not a timer's.</exception>
    public static TimeSpan DelayOf(ICodec codec, Call call)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var args = codec.DecodeArgs<SleepTimerArgs>(call);
        return args.DelayMs >= 0
            ? TimeSpan.FromMilliseconds(args.DelayMs)
            : throw new ProtocolException($"The timer call {call.CallHash} has a negative delay ({args.DelayMs} ms).");
    }
}

/// <summary>The arguments of a <see cref="SleepTimer"/> call.</summary>
/// <param name="Parent">The call hash of the sleeping call.</param>
/// <param name="Ordinal">The sleep's rank among the sleeps of one run of that call, from 0.</param>
/// <param name="DelayMs">The delay, in whole milliseconds.</param>
internal sealed record SleepTimerArgs(string Parent, int Ordinal, long DelayMs);
