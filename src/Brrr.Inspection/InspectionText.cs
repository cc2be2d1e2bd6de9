using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Brrr.Inspection;

/// <summary>An <see cref="InspectionReport"/> for people (a tree) and for scripts (JSON, snake_case).</summary>
public static class InspectionText
{
    /// <summary>The tree, one call per line (<c>├─</c>, <c>└─</c>), then the verdict.</summary>
    public static string Render(InspectionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        Line(text, report.Root, "", "");
        if (report.Truncated)
        {
            text.AppendLine($"(tree shortened: at most {BrrrInspector.MaxNodes} calls, {BrrrInspector.MaxDepth} deep)");
        }

        return text.Append("verdict: ").AppendLine(report.Verdict).ToString();
    }

    /// <summary>The report as JSON: the verdict, the truncation flag and the tree of nodes.</summary>
    public static JsonObject Json(InspectionReport report) => Json(report, BrrrInspector.MaxDepth);

    /// <summary>
    /// The report as JSON with at most <paramref name="depth"/> levels of children below the root (1: its children
    /// only); a node whose children are left out, here or by the walk's bounds, has <c>more_below</c>: inspect its
    /// <c>call_hash</c> for its subtree. The verdict is the whole walk's.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is below 1.</exception>
    public static JsonObject Json(InspectionReport report, int depth)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        return new JsonObject { ["verdict"] = report.Verdict, ["truncated"] = report.Truncated, ["root"] = Node(report.Root, depth) };
    }

    private static void Line(StringBuilder text, CallNode node, string lead, string childLead)
    {
        var parents = node.Parents.Count == 0 ? "" : $"; {node.Parents.Count} {(node.Parents.Count == 1 ? "parent waits" : "parents wait")}";
        var seen = node.SeenAbove ? " (shown above)" : node.MoreBelow ? " (more below)" : "";
        text.Append(lead).Append(node.Label).Append("  ").Append(node.Detail).Append(parents).AppendLine(seen);
        for (var i = 0; i < node.Children.Count; i++)
        {
            var last = i == node.Children.Count - 1;
            Line(text, node.Children[i], childLead + (last ? "└─ " : "├─ "), childLead + (last ? "   " : "│  "));
        }
    }

    private static JsonObject Node(CallNode node, int depth) => new()
    {
        ["call_hash"] = node.CallHash,
        ["task_name"] = node.TaskName,
        ["arguments"] = node.Arguments,
        ["topic"] = node.Topic,
        ["state"] = Verdicts.StateWord(node.State),
        ["detail"] = node.Detail,
        ["jobs"] = new JsonArray([.. node.Jobs.Select(j => (JsonNode)new JsonObject
        {
            ["topic"] = j.Topic,
            ["root_id"] = j.RootId,
            ["consumer_id"] = j.ConsumerId,
            ["consumer_alive"] = j.ConsumerAlive,
            ["since_heartbeat_ms"] = j.SinceHeartbeat is { } s ? Math.Round(s.TotalMilliseconds) : null,
        })]),
        ["dead_letter"] = node.DeadLetter is { } l ? new JsonObject
        {
            ["error_type"] = l.ErrorType,
            ["error"] = l.Error,
            ["failed_at"] = l.FailedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["attempts"] = l.Attempts,
        } : null,
        ["error"] = node.Error is { } e ? new JsonObject { ["error_type"] = e.RootCause.ErrorType, ["message"] = e.RootCause.Message, ["chain"] = FailureText.Json(e)["chain"]!.DeepClone() } : null,
        ["parents"] = new JsonArray([.. node.Parents.Select(p => (JsonNode)new JsonObject { ["call_hash"] = p.CallHash, ["root_id"] = p.RootId, ["topic"] = p.Topic })]),
        ["roots"] = new JsonArray([.. node.Roots.Select(r => (JsonNode)JsonValue.Create(r))]),
        ["children_known"] = node.ChildrenKnown,
        ["seen_above"] = node.SeenAbove,
        ["more_below"] = node.MoreBelow || (depth == 0 && node.Children.Count > 0),
        ["children"] = new JsonArray([.. (depth == 0 ? [] : node.Children).Select(c => (JsonNode)Node(c, depth - 1))]),
    };
}
