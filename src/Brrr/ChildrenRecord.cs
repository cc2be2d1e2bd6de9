using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Brrr;

/// <summary>
/// What a deferred call waits on: the children its last deferring run found missing (it registered its return address
/// on each and had their jobs pushed). Workers with <c>brrr.children-record = on</c> write it with each deferral, once
/// the registrations are done, so the inspector (<c>Brrr.Inspection</c>) can walk down from a call to the leaves that
/// hold it up, and any worker can skip a job of the call while a listed child is missing. Only BrrrAkka writes
/// and reads it (Redis <c>brrr:{hash}:children</c>, DynamoDB sk <c>children</c>); no reference record changes. It
/// lists at most <see cref="MaxChildren"/> children and counts the rest in <see cref="Omitted"/>.
/// </summary>
/// <param name="CallHash">The deferred call.</param>
/// <param name="RootId">The root of the run that deferred.</param>
/// <param name="DeferredAt">When it deferred.</param>
/// <param name="Children">The children it waits on, in the order it asked for them.</param>
/// <param name="Omitted">Further missing children not listed (over <see cref="MaxChildren"/>).</param>
public sealed record ChildrenRecord(string CallHash, string RootId, DateTimeOffset DeferredAt, IReadOnlyList<ChildLink> Children, int Omitted)
{
    /// <summary>The most children a record lists.</summary>
    public const int MaxChildren = 256;

    /// <summary>The record of a run of <paramref name="callHash"/> under <paramref name="rootId"/> that deferred on <paramref name="children"/>.</summary>
    internal static ChildrenRecord Of(string callHash, string rootId, IReadOnlyList<Tasks.ChildCall> children, DateTimeOffset deferredAt)
    {
        ArgumentNullException.ThrowIfNull(children);
        var listed = new ChildLink[Math.Min(children.Count, MaxChildren)];
        for (var i = 0; i < listed.Length; i++)
        {
            var child = children[i];
            listed[i] = new ChildLink(child.Call.TaskName, child.Call.CallHash, child.Topic);
        }

        return new ChildrenRecord(callHash, rootId, deferredAt, listed, children.Count - listed.Length);
    }

    /// <summary>The stored bytes: a JSON object (UTF-8).</summary>
    public byte[] Encode()
    {
        // Written on every deferral, on the hot path: the writer asks for worst-case escaping room per string, so a
        // fresh buffer would grow to kilobytes each time. One buffer and writer per thread are reused instead.
        var writer = Writer ??= new PerThreadWriter();
        writer.Buffer.ResetWrittenCount();
        var json = writer.Json;
        json.Reset(writer.Buffer);
        json.WriteStartObject();
        json.WriteString("call_hash", CallHash);
        json.WriteString("root_id", RootId);
        json.WriteString("deferred_at", DeferredAt.UtcDateTime);
        json.WriteStartArray("children");
        for (var i = 0; i < Children.Count; i++)
        {
            var child = Children[i];
            json.WriteStartObject();
            json.WriteString("task_name", child.TaskName);
            json.WriteString("call_hash", child.CallHash);
            json.WriteString("topic", child.Topic);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("omitted", Omitted);
        json.WriteEndObject();
        json.Flush();
        var bytes = writer.Buffer.WrittenSpan.ToArray();
        if (writer.Buffer.Capacity > 64 * 1024)
        {
            Writer = null;
        }

        return bytes;
    }

    /// <summary>Reads a record written by <see cref="Encode"/>.</summary>
    /// <exception cref="ProtocolException">The bytes are no children record; the message says what is wrong.</exception>
    public static ChildrenRecord Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var children = root.GetProperty("children").EnumerateArray()
                .Select(c => new ChildLink(Text(c, "task_name"), Text(c, "call_hash"), Text(c, "topic"))).ToArray();
            return new ChildrenRecord(
                Text(root, "call_hash"), Text(root, "root_id"),
                DateTimeOffset.Parse(Text(root, "deferred_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                children, root.GetProperty("omitted").GetInt32());
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ProtocolException($"Not a children record ({e.Message}): {LogText.Excerpt(Encoding.UTF8.GetString(bytes))}", e);
        }
    }

    [ThreadStatic]
    private static PerThreadWriter? Writer;

    private sealed class PerThreadWriter
    {
        public PerThreadWriter() => Json = new Utf8JsonWriter(Buffer);

        public ArrayBufferWriter<byte> Buffer { get; } = new(4096);

        public Utf8JsonWriter Json { get; }
    }

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null");
}

/// <summary>One child of a <see cref="ChildrenRecord"/>.</summary>
/// <param name="TaskName">The child's task.</param>
/// <param name="CallHash">The child's call hash.</param>
/// <param name="Topic">The topic its job was pushed to.</param>
public sealed record ChildLink(string TaskName, string CallHash, string Topic);
