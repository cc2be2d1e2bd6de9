using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Brrr.Inspection;

namespace Brrr.Cli;

public static partial class BrrrCli
{
    private static readonly Argument<string?> IdArgument = new("id") { Description = "A dead letter's id (as list prints it)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> FromTopicOption = new("--topic") { Description = "Only letters from this topic" };
    private static readonly Option<string?> TaskOption = new("--task") { Description = "Only letters of this task" };
    private static readonly Option<string?> RootOption = new("--root") { Description = "Only letters of this workflow root" };
    private static readonly Option<string?> ErrorTypeOption = new("--error-type") { Description = "Only letters of this error type (full or short name)" };
    private static readonly Option<string?> SinceOption = new("--since") { Description = "Only letters that failed at or after this time (ISO 8601) or this long ago (30m, 2h)" };
    private static readonly Option<string?> UntilOption = new("--until") { Description = "Only letters that failed before this time (ISO 8601) or this long ago (30m, 2h)" };
    private static readonly Option<bool> MalformedOption = new("--malformed") { Description = "Only the letters that cannot be read" };
    private static readonly Option<bool> AllOption = new("--all") { Description = "Every letter (requeue and purge need an id, a filter, or --all)" };
    private static readonly Option<int> LimitOption = new("--limit") { Description = "At most this many letters", DefaultValueFactory = _ => 100 };

    private static readonly Option<string[]> WatchTopicOption = new("--topic") { Description = "A topic to report even when the queue lists nothing of it; repeatable", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<bool> WatchOption = new("--watch") { Description = "Report again every --interval until Ctrl+C (with --json, one document per line)" };
    private static readonly Option<string> IntervalOption = new("--interval") { Description = "How often --watch reports: 500ms, 1s, 1m", DefaultValueFactory = _ => "1s" };
    private static readonly Option<int?> CountOption = new("--count") { Description = "With --watch, stop after this many reports" };

    private static Command TopicsCommand() =>
        Sub("topics", "Every topic with its waiting messages, messages in flight, consumers (heartbeat age, alive or expired) and dead letters; warns of messages waiting under the other Redis key layout.")
            .With(WatchTopicOption, WatchOption, IntervalOption, CountOption)
            .Connected(async run =>
            {
                var interval = Durations.Parse(run.Get(IntervalOption));
                var named = run.Get(WatchTopicOption) ?? [];
                var output = run.Get(WatchOption) ? run.Output with { Compact = true } : run.Output;
                var warned = new HashSet<string>(StringComparer.Ordinal);
                var left = run.Get(CountOption) is { } count ? (count > 0 ? count : throw new UsageException($"bad --count {count}: give 1 or more")) : int.MaxValue;
                do
                {
                    var listed = await run.Fleet.Topics.ListAsync(run.CancellationToken);
                    var extra = await Task.WhenAll(named.Except(listed.Select(r => r.Topic), StringComparer.Ordinal).Distinct(StringComparer.Ordinal)
                        .Select(t => run.Fleet.Topics.ReportAsync(t, run.CancellationToken)));
                    var reports = listed.Concat(extra).OrderBy(r => r.Topic, StringComparer.Ordinal).ToList();
                    foreach (var r in reports)
                    {
                        if (await run.Fleet.Redis.Queue.FindLayoutMismatchAsync(r.Topic) is { } mismatch && warned.Add(mismatch))
                        {
                            output.Fail($"warning: {mismatch}");
                        }
                    }

                    output.Write(
                        new JsonArray([.. reports.Select(FleetJson.Topic)]),
                        () => run.Get(WatchOption) ? TopicLines(reports).Prepend($"--- {DateTime.UtcNow:HH:mm:ss}Z") : TopicLines(reports));
                    if (!run.Get(WatchOption) || --left == 0)
                    {
                        break;
                    }

                    await Task.Delay(interval, run.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                while (!run.CancellationToken.IsCancellationRequested);
                return ExitCodes.Ok;
            });

    private static Command DeadLettersCommand()
    {
        var filters = new Symbol[] { FromTopicOption, TaskOption, RootOption, ErrorTypeOption, SinceOption, UntilOption, MalformedOption };
        var list = Sub("list", "Lists dead letters, oldest first per topic, with their ids.")
            .With([.. filters, LimitOption])
            .Connected(async run =>
            {
                var letters = await run.Fleet.DeadLetters.ListAsync(Filter(run, id: null), run.Get(LimitOption), run.CancellationToken);
                run.Output.Write(new JsonArray([.. letters.Select(l => FleetJson.Letter(l, withMessage: false))]), () => LetterLines(letters));
                return ExitCodes.Ok;
            });
        var show = Sub("show", "Shows one dead letter whole, with its raw message.")
            .With(IdArgument)
            .Connected(async run =>
            {
                var id = run.Get(IdArgument) ?? throw new UsageException("show needs a dead letter's id, as `brrr dead-letters list` prints it");
                if (await run.Fleet.DeadLetters.ShowAsync(CallHashes.Check(id), run.CancellationToken) is not { } letter)
                {
                    run.Output.Fail($"no dead letter has the id {id}");
                    return ExitCodes.NotDone;
                }

                run.Output.Write(FleetJson.Letter(letter, withMessage: true), () => ShowLines(letter));
                return ExitCodes.Ok;
            });
        var requeue = Sub("requeue", "Runs dead letters again: takes each out, clears its call's error records, and pushes its message back to its topic.")
            .With([IdArgument, .. filters, AllOption, YesOption])
            .Connected(run => ActAsync(run, "requeue", (admin, filter, ct) => admin.RequeueAsync(filter, ct)));
        var purge = Sub("purge", "Deletes dead letters for good.")
            .With([IdArgument, .. filters, AllOption, YesOption])
            .Connected(run => ActAsync(run, "purge", (admin, filter, ct) => admin.PurgeAsync(filter, ct)));
        return new Command("dead-letters", "List, show, requeue and purge the fleet's dead letters (messages that failed for good).\n" + ExitCodes.Help) { list, show, requeue, purge };
    }

    private static async Task<int> ActAsync(Invocation run, string verb, Func<DeadLetterAdmin, DeadLetterFilter, CancellationToken, Task<DeadLetterActionResult>> act)
    {
        var id = run.Get(IdArgument);
        var filter = Filter(run, id is null ? null : CallHashes.Check(id));
        if (filter == DeadLetterFilter.All && !run.Get(AllOption))
        {
            throw new UsageException($"{verb} needs a letter id, a filter (--topic, --task, --root, --error-type, --since, --until, --malformed) or --all");
        }

        var matched = await run.Fleet.DeadLetters.ListAsync(filter, int.MaxValue, run.CancellationToken);
        if (matched.Count == 0)
        {
            run.Output.Write(new JsonObject { ["matched"] = 0, ["done"] = 0, ["skipped"] = new JsonArray() }, () => [$"no dead letter matches: nothing to {verb}"]);
            return id is null ? ExitCodes.Ok : ExitCodes.NotDone;
        }

        Confirmation.Require(run.Get(YesOption), $"{verb} {matched.Count} dead letter(s)", run.Output);
        var result = await act(run.Fleet.DeadLetters, filter, run.CancellationToken);
        run.Output.Write(
            FleetJson.Action(result),
            () => [$"{verb}: {result.Done} of {result.Matched} matching dead letter(s)", .. result.Skipped.Select(s => $"  left {s.Id}: {s.Reason}")]);
        return ExitCodes.Ok;
    }

    private static DeadLetterFilter Filter(Invocation run, string? id) => new()
    {
        Id = id,
        Topic = run.Get(FromTopicOption),
        TaskName = run.Get(TaskOption),
        RootId = run.Get(RootOption),
        ErrorType = run.Get(ErrorTypeOption),
        Since = Instant(run.Get(SinceOption), "--since"),
        Until = Instant(run.Get(UntilOption), "--until"),
        Malformed = run.Get(MalformedOption) ? true : null,
    };

    /// <summary>An ISO 8601 time, or a duration ago (<c>30m</c>).</summary>
    private static DateTimeOffset? Instant(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }

        try
        {
            return DateTimeOffset.UtcNow - Durations.Parse(text);
        }
        catch (UsageException)
        {
            throw new UsageException($"bad {option} '{text}': give an ISO 8601 time (2026-12-04T10:00:00Z) or a duration ago (30m, 2h)");
        }
    }

    private static IEnumerable<string> TopicLines(IReadOnlyList<TopicReport> reports)
    {
        if (reports.Count == 0)
        {
            yield return "no topics: nothing waits, nobody consumes";
            yield break;
        }

        foreach (var r in reports)
        {
            var rate = r.RatePerMinute is { } n ? $", {n:0} acknowledged in the last minute" : "";
            yield return $"{r.Topic}: waiting {r.Waiting}{(r.Delayed > 0 ? $", delayed {r.Delayed}" : "")}, in flight {r.InFlight}, dead letters {r.DeadLetters}, consumers {r.Consumers.Count - r.DeadConsumers} alive, {r.DeadConsumers} expired{rate}";
            foreach (var c in r.Consumers)
            {
                var beat = c.SinceHeartbeat is { } s ? $"heartbeat {s.TotalSeconds:0.0} s ago" : "no heartbeat";
                yield return $"  {c.Id}: holds {c.Held}, {(c.Alive ? "alive" : "expired")}, {beat}";
            }
        }
    }

    private static IEnumerable<string> LetterLines(IReadOnlyList<StoredDeadLetter> letters)
    {
        if (letters.Count == 0)
        {
            yield return "no dead letters";
        }

        foreach (var l in letters)
        {
            yield return l.Letter is { } d
                ? $"{l.Id}  {d.FailedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {d.Topic}  {d.TaskName ?? "?"}  {d.ErrorType}: {Excerpt(d.Error)}"
                : $"{l.Id}  malformed in {l.DeadLetterTopic}: {Excerpt(l.Problem ?? "")}";
        }
    }

    private static IEnumerable<string> ShowLines(StoredDeadLetter l)
    {
        yield return $"id:          {l.Id}";
        yield return $"held in:     {l.DeadLetterTopic}";
        if (l.Letter is not { } d)
        {
            yield return $"malformed:   {l.Problem}";
            yield return $"text:        {l.Text}";
            yield break;
        }

        yield return $"topic:       {d.Topic}";
        yield return $"task:        {d.TaskName ?? "(unknown)"}";
        yield return $"call hash:   {d.CallHash ?? "(unknown)"}";
        yield return $"root:        {d.RootId ?? "(unknown)"}";
        yield return $"failed at:   {d.FailedAt.UtcDateTime:O}";
        yield return $"attempts:    {d.Attempts}";
        yield return $"error:       {d.ErrorType}: {d.Error}";
        yield return $"message:     {d.Message}" + (d.MessageBytes is { } b ? $" (first part of {b} bytes)" : "");
    }

    private static string Excerpt(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
