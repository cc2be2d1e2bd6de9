using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Brrr.Inspection;
using Brrr.Tasks;

namespace Brrr.Cli;

public static partial class BrrrCli
{
    private static readonly Argument<string?> TaskArgument = new("task") { Description = "The task's name", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Argument<string[]> ArgsArgument = new("arguments") { Description = "The call's arguments: key=text (a string, as the demo webs pass them: n=30) or key:=json (n:=30 is a number)", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<string?> HashOption = new("--hash") { Description = "The call hash, instead of a task and its arguments" };
    private static readonly Option<string?> TopicOption = new("--topic") { Description = "The topic to schedule on" };
    private static readonly Option<string?> AtOption = new("--at") { Description = "Run not before this time: ISO 8601, e.g. 2026-05-01T09:00:00Z (a time without offset is local)" };
    private static readonly Option<string?> InOption = new("--in") { Description = "Run not before this long from now: 500ms, 30s, 2m, 1h" };
    private static readonly Option<string> TimeoutOption = new("--timeout") { Description = "How long to wait: 500ms, 30s, 2m", DefaultValueFactory = _ => "30s" };
    private static readonly Option<bool> YesOption = new("--yes") { Description = "Go ahead without asking (needed when not on a terminal)" };
    private static readonly Argument<string> RootArgument = new("root-id") { Description = "The workflow root id (as schedule prints it)" };

    private static Command StatusCommand() =>
        Sub("status", "Whether a call has a value, failed for good (with its error chain), or is pending.")
            .With(TaskArgument, ArgsArgument, HashOption)
            .Connected(async run =>
            {
                var (hash, task) = Target(run);
                var status = await run.Fleet.Client.GetStatusAsync(hash, run.CancellationToken);
                return await PrintStatusAsync(run, hash, task, status, pendingLine: $"pending: {task ?? hash} has no value and no error yet");
            });

    private static Command ReadCommand() =>
        Sub("read", "Prints a call's stored value (exit 4 when it has none yet, 3 when it failed for good).")
            .With(TaskArgument, ArgsArgument, HashOption)
            .Connected(async run =>
            {
                var (hash, task) = Target(run);
                var status = await run.Fleet.Client.GetStatusAsync(hash, run.CancellationToken);
                return await PrintStatusAsync(run, hash, task, status, pendingLine: $"no value for {task ?? hash} (not scheduled, or not done yet)", valueOnly: true);
            });

    private static Command WaitCommand() =>
        Sub("wait", "Waits until a call has a value (printed) or fails for good, polling with backoff.")
            .With(TaskArgument, ArgsArgument, HashOption, TimeoutOption)
            .Connected(async run =>
            {
                var (hash, task) = Target(run);
                var deadline = DateTimeOffset.UtcNow + Durations.Parse(run.Get(TimeoutOption));
                var delay = TimeSpan.FromMilliseconds(50);
                while (true)
                {
                    var status = await run.Fleet.Client.GetStatusAsync(hash, run.CancellationToken);
                    if (status.State != CallState.Pending || DateTimeOffset.UtcNow >= deadline)
                    {
                        return await PrintStatusAsync(run, hash, task, status, pendingLine: $"timed out: {task ?? hash} is still pending", valueOnly: true);
                    }

                    await Task.Delay(Min(delay, deadline - DateTimeOffset.UtcNow), run.CancellationToken);
                    delay = Min(delay * 2, TimeSpan.FromSeconds(1));
                }
            });

    private static Command ScheduleCommand() =>
        Sub("schedule", "Schedules a call as a new workflow root on a topic; prints the call hash and the root id.")
            .With(TaskArgument, ArgsArgument, TopicOption, AtOption, InOption)
            .Connected(async run =>
            {
                var (task, args) = TaskAndArgs(run, "schedule");
                var topic = run.Get(TopicOption) ?? throw new UsageException("schedule needs --topic: the topic the fleet's workers serve the task on");
                var notBefore = NotBefore(run.Get(AtOption), run.Get(InOption));
                var call = run.Fleet.Client.Codec.EncodeCall(task, args);
                var rootId = BrrrClient.NewRootId();
                if (notBefore is { } due)
                {
                    await run.Fleet.Client.ScheduleAsync(call, topic, due, rootId, run.CancellationToken);
                }
                else
                {
                    await run.Fleet.Client.ScheduleAsync(call, topic, rootId, run.CancellationToken);
                }

                var at = notBefore?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                run.Output.Write(
                    new JsonObject { ["task"] = task, ["topic"] = topic, ["call_hash"] = call.CallHash, ["root_id"] = rootId, ["not_before"] = at },
                    () => [$"scheduled {task} on {topic}{(at is null ? "" : $" not before {at}")} (call {call.CallHash}, root {rootId})"]);
                return ExitCodes.Ok;
            });

    /// <summary>The due time that <c>--at</c> or <c>--in</c> names (at most one), or null for none.</summary>
    internal static DateTimeOffset? NotBefore(string? at, string? delay)
    {
        if (at is not null && delay is not null)
        {
            throw new UsageException("give --at or --in, not both");
        }

        if (delay is not null)
        {
            return DateTimeOffset.UtcNow + Durations.Parse(delay);
        }

        if (at is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            ? time
            : throw new UsageException($"bad time '{at}' for --at: use ISO 8601, e.g. 2026-05-01T09:00:00Z or 2026-05-01T11:00:00+02:00");
    }

    private static Command RetryCommand() =>
        Sub("retry", "Retries a failed workflow: removes the error records along its failed chain and schedules it again under a new root; stored values are reused.")
            .With(TaskArgument, ArgsArgument, TopicOption, YesOption)
            .Connected(async run =>
            {
                var (task, args) = TaskAndArgs(run, "retry");
                var topic = run.Get(TopicOption) ?? throw new UsageException("retry needs --topic: the topic the fleet's workers serve the task on");
                Confirmation.Require(run.Get(YesOption), $"retry {task} on {topic}, removing its error records", run.Output);
                var rootId = await run.Fleet.Client.RetryAsync(BrrrTask.Ref<JsonObject, JsonNode?>(task), args, topic, run.CancellationToken);
                run.Output.Write(
                    new JsonObject { ["task"] = task, ["topic"] = topic, ["retried"] = rootId is not null, ["root_id"] = rootId },
                    () => [rootId is null ? $"{task} has a value already: nothing to retry" : $"retried {task} on {topic} (root {rootId}): its error records are gone, stored values are reused"]);
                return ExitCodes.Ok;
            });

    private static Command CancelCommand() =>
        Sub("cancel", "Cancels a workflow root: workers acknowledge its jobs without running them; calls shared with other roots keep running for those.")
            .With(RootArgument, YesOption)
            .Connected(async run =>
            {
                var rootId = CallHashes.CheckRootId(run.Get(RootArgument));

                Confirmation.Require(run.Get(YesOption), $"cancel root {rootId}", run.Output);
                await run.Fleet.Client.CancelAsync(rootId, run.CancellationToken);
                run.Output.Write(
                    new JsonObject { ["root_id"] = rootId, ["cancelled"] = true },
                    () => [$"cancelled root {rootId}: workers skip its jobs within {run.Fleet.Settings.Brrr.CancelCheckInterval.TotalMilliseconds:0} ms (brrr.cancel-check-interval)"]);
                return ExitCodes.Ok;
            });

    private static async Task<int> PrintStatusAsync(Invocation run, string hash, string? task, CallStatus<byte[]> status, string pendingLine, bool valueOnly = false)
    {
        var json = FleetJson.Status(hash, task, status);
        switch (status.State)
        {
            case CallState.Completed:
                var value = json["value"]?.ToJsonString() ?? "null";
                run.Output.Write(json, () => [valueOnly ? value : $"completed: {value}"]);
                return ExitCodes.Ok;
            case CallState.Failed:
                var lines = await FailureText.ChainLinesAsync(run.Fleet.Client, status.Error!);
                run.Output.Write(json, () => [FailureText.Summary(status.Error!), .. lines]);
                return ExitCodes.Failed;
            default:
                if (run.Output.Json)
                {
                    run.Output.Write(json, () => []);
                }
                else
                {
                    run.Output.Error.WriteLine(pendingLine);
                }

                return ExitCodes.NotDone;
        }
    }

    private static (string Hash, string? Task) Target(Invocation run)
    {
        var hash = run.Get(HashOption);
        var task = run.Get(TaskArgument);
        if (hash is not null)
        {
            if (task is not null || run.Get(ArgsArgument).Length > 0)
            {
                throw new UsageException("give either --hash or a task with its arguments, not both");
            }

            return (CallHashes.Check(hash), null);
        }

        var (name, args) = TaskAndArgs(run, run.Parsed.CommandResult.Command.Name);
        return (run.Fleet.Client.Codec.EncodeCall(name, args).CallHash, name);
    }

    private static (string Task, JsonObject Args) TaskAndArgs(Invocation run, string command)
    {
        var task = run.Get(TaskArgument);
        if (string.IsNullOrWhiteSpace(task))
        {
            throw new UsageException($"{command} needs a task and its arguments, e.g. `brrr {command} fib n=10`");
        }

        return (task, CallArguments.Parse(run.Get(ArgsArgument) ?? []));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Adds the arguments and options to <paramref name="command"/>.</summary>
    private static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument a:
                    command.Add(a);
                    break;
                case Option o:
                    command.Add(o);
                    break;
            }
        }

        return command;
    }
}
