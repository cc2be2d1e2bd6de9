using System.Text;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// The largest queue message, call record and value brrr writes or runs. A value or a call record over its limit
/// is refused before it is written (<see cref="SizeLimitException"/>), and a received queue message over its limit is
/// never decoded: a worker dead-letters it as a bounded excerpt. (The messages brrr writes stay far below any
/// allowed message limit: their identifiers are bounded by <see cref="Identifiers.MaxLength"/>.) The defaults stay well under DynamoDB's 400 KB item.
/// Workers read them from <c>brrr.max-message-bytes</c>, <c>brrr.max-record-bytes</c> and <c>brrr.max-value-bytes</c>.
/// </summary>
public sealed record BrrrLimits
{
    /// <summary>The smallest limit accepted: every valid ScheduleMessage (two identifiers of at most 128 characters) fits in it.</summary>
    public const int Minimum = 1024;

    /// <summary>The defaults: 4 KiB messages (a ScheduleMessage is under 600 bytes), 256 KiB call records and values.</summary>
    public static BrrrLimits Default { get; } = new();

    /// <summary>The largest queue message, in UTF-8 bytes (<c>brrr.max-message-bytes</c>; at least <see cref="Minimum"/>).</summary>
    public int MaxMessageBytes { get; init => field = AtLeastMinimum(value); } = 4 * 1024;

    /// <summary>The largest <c>call</c> record (task name plus argument payload), in bytes (<c>brrr.max-record-bytes</c>; at least <see cref="Minimum"/>).</summary>
    public int MaxRecordBytes { get; init => field = AtLeastMinimum(value); } = 256 * 1024;

    /// <summary>The largest value a task may return, in bytes (<c>brrr.max-value-bytes</c>; at least <see cref="Minimum"/>).</summary>
    public int MaxValueBytes { get; init => field = AtLeastMinimum(value); } = 256 * 1024;

    /// <summary>Throws, without decoding it, when a received <paramref name="message"/> is over <see cref="MaxMessageBytes"/>.</summary>
    internal void CheckIncoming(string message)
    {
        if (IsOversized(message, out var bytes))
        {
            throw Over($"A queue message is {bytes} bytes", MaxMessageBytes, "brrr.max-message-bytes", bytes, ": it was not decoded or run");
        }
    }

    /// <summary>Whether a received <paramref name="message"/> is over <see cref="MaxMessageBytes"/>; <paramref name="bytes"/> is its UTF-8 size.</summary>
    internal bool IsOversized(string message, out int bytes)
    {
        bytes = Encoding.UTF8.GetByteCount(message);
        return bytes > MaxMessageBytes;
    }

    /// <summary>Throws when the <c>call</c> record of <paramref name="call"/> would be over <see cref="MaxRecordBytes"/>.</summary>
    internal void CheckRecord(Call call)
    {
        var bytes = CallRecord.EncodedLength(call.TaskName, call.Payload.Length);
        if (bytes > MaxRecordBytes)
        {
            throw Over($"The call record of task '{call.TaskName}' (call {call.CallHash}) is {bytes} bytes", MaxRecordBytes, "brrr.max-record-bytes", bytes,
                ": pass smaller arguments (a reference to data kept elsewhere) or raise the limit");
        }
    }

    /// <summary>Throws when <paramref name="value"/>, the value of <paramref name="callHash"/>, is over <see cref="MaxValueBytes"/>.</summary>
    internal void CheckValue(string callHash, byte[] value, string? taskName = null)
    {
        if (value.Length > MaxValueBytes)
        {
            var whose = taskName is null ? $"The value of call {callHash}" : $"The value task '{taskName}' returned for call {callHash}";
            throw Over($"{whose} is {value.Length} bytes", MaxValueBytes, "brrr.max-value-bytes", value.Length,
                ": return less (a reference to data kept elsewhere) or raise the limit");
        }
    }

    /// <summary>Throws when a run's outcome would write a value or a child's call record over its limit, before any of it is written.</summary>
    internal void CheckOutcome(Call call, CallOutcome outcome)
    {
        switch (outcome)
        {
            case CallCompleted { AlreadyStored: false } completed:
                CheckValue(call.CallHash, completed.Value, call.TaskName);
                break;
            case CallDeferred deferred:
                foreach (var child in deferred.Children)
                {
                    CheckRecord(child.Call);
                }

                break;
        }
    }

    private static SizeLimitException Over(string what, int limit, string key, long size, string tail) =>
        new($"{what}, over the limit of {limit} bytes ({key}){tail}.", key, size, limit);

    private static int AtLeastMinimum(int value, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value >= Minimum ? value : throw new ArgumentOutOfRangeException(name, value, $"{nameof(BrrrLimits)}.{name} must be at least {Minimum} bytes.");
}
