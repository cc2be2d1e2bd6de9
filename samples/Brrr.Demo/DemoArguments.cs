using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Brrr.Demo;

/// <summary>What is wrong with a call a user asked for: the message, and whether it is the task itself that is unknown.</summary>
/// <param name="Message">One line saying what is wrong and what is expected.</param>
/// <param name="UnknownTask">The task name is not a demo task (HTTP answers 404 for it, 400 for the rest).</param>
public sealed record ArgumentProblem(string Message, bool UnknownTask = false);

/// <summary>
/// The one validation of a demo call's keyword arguments, for the command line (<c>run</c>, <c>schedule</c>,
/// <c>read</c>) and HTTP alike: every value stays a string, as the reference webs pass query values, so the same
/// arguments give the same call hash whichever way they came in.
/// </summary>
public static class DemoArguments
{
    /// <summary>The largest |n|: JSON's safe integers, since a TypeScript demo worker reads n as a double.</summary>
    public const long MaxN = (1L << 53) - 1;

    /// <summary>The largest depth of boom: a failure chain stays readable (and well within the spawn limit).</summary>
    public const int MaxDepth = 50;

    private const int MaxQuoted = 40;
    private const long JobsPerStep = 5;

    private static readonly Dictionary<string, (string[] Required, string[] Optional)> Parameters = new(StringComparer.Ordinal)
    {
        ["hello"] = (["greetee"], []),
        ["fib"] = (["n"], ["salt"]),
        ["lucas"] = (["n"], ["salt"]),
        ["calc_and_print"] = (["op", "n"], ["salt"]),
        ["boom"] = (["message", "depth"], []),
    };

    /// <summary>The demo tasks' names, sorted.</summary>
    public static IEnumerable<string> TaskNames => Parameters.Keys.Order(StringComparer.Ordinal);

    /// <summary>
    /// Checks <paramref name="pairs"/> (key, value, in the order given) as the arguments of <paramref name="taskName"/>:
    /// the task is known, every argument it needs is there once, no other argument is, <c>op</c> is one of
    /// <see cref="DemoTasks.Ops"/>, <c>n</c> is a whole number in canonical form within ±<see cref="MaxN"/>, and, when
    /// <paramref name="spawnLimit"/> is given, the call graph pushes no more jobs than that.
    /// </summary>
    /// <param name="taskName">The task.</param>
    /// <param name="pairs">The arguments; values are kept as strings.</param>
    /// <param name="spawnLimit">The jobs a root may push (<c>brrr.spawn-limit</c>), for calls about to run; <c>null</c> for reads.</param>
    /// <param name="arguments">The keyword arguments as a JSON object of strings, when valid.</param>
    /// <param name="problem">What is wrong, when not.</param>
    /// <returns>Whether the arguments are valid.</returns>
    public static bool TryParse(
        string taskName,
        IEnumerable<KeyValuePair<string, string>> pairs,
        long? spawnLimit,
        [NotNullWhen(true)] out JsonObject? arguments,
        [NotNullWhen(false)] out ArgumentProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        ArgumentNullException.ThrowIfNull(pairs);
        problem = Check(taskName, pairs.ToList(), spawnLimit, out var args);
        arguments = problem is null ? args : null;
        return problem is null;
    }

    /// <summary>
    /// The jobs one root of <paramref name="taskName"/>(<paramref name="n"/>) is taken to push, with room for races: one
    /// job per distinct call plus one re-run of each parent per child that returns to it makes 3n - 1 for fib(n) when no
    /// two runs race, but a parent that registers on a child just after the child returned schedules it again (2 more
    /// jobs), and the embedded backends measure 3.4n to 3.8n. So fib(n) counts 5n, lucas(n) (which also calls fib(n + 1))
    /// 5n + 10, calc_and_print its op's count plus its own job and one return; n &lt; 2 returns at once (1 job).
    /// </summary>
    /// <param name="taskName">fib, lucas or calc_and_print.</param>
    /// <param name="op">calc_and_print's op (fib or lucas); ignored for the others.</param>
    /// <param name="n">The argument n.</param>
    public static long JobEstimate(string taskName, string? op, long n) => taskName switch
    {
        "fib" => n < 2 ? 1 : JobsPerStep * n,
        "lucas" => n < 2 ? 1 : JobsPerStep * (n + 2),
        "calc_and_print" => JobEstimate(op ?? "fib", null, n) + 2,
        _ => 1,
    };

    private static ArgumentProblem? Check(string taskName, List<KeyValuePair<string, string>> pairs, long? spawnLimit, out JsonObject arguments)
    {
        var args = arguments = [];
        if (!Parameters.TryGetValue(taskName, out var parameters))
        {
            return new ArgumentProblem($"unknown task '{Quote(taskName)}' (known: {string.Join(", ", TaskNames)})", UnknownTask: true);
        }

        var takes = $"{taskName} takes {string.Join(", ", parameters.Required.Concat(parameters.Optional.Select(o => $"[{o}]")))}";
        foreach (var (key, value) in pairs)
        {
            if (!parameters.Required.Contains(key, StringComparer.Ordinal) && !parameters.Optional.Contains(key, StringComparer.Ordinal))
            {
                return new ArgumentProblem($"unknown argument '{Quote(key)}': {takes}");
            }

            if (args.ContainsKey(key))
            {
                return new ArgumentProblem($"argument '{key}' given more than once");
            }

            args[key] = value;
        }

        if (parameters.Required.FirstOrDefault(name => !args.ContainsKey(name)) is { } missing)
        {
            return new ArgumentProblem($"missing argument '{missing}': {takes}");
        }

        var op = args["op"]?.GetValue<string>();
        if (op is not null && !DemoTasks.Ops.Contains(op, StringComparer.Ordinal))
        {
            return new ArgumentProblem($"argument 'op' must be one of {string.Join(", ", DemoTasks.Ops)}, got '{Quote(op)}'");
        }

        if (args["depth"]?.GetValue<string>() is { } depth && DepthProblem(depth) is { } badDepth)
        {
            return badDepth;
        }

        if (args["n"]?.GetValue<string>() is not { } text)
        {
            return null;
        }

        if (NumberProblem(text, out var n) is { } bad)
        {
            return bad;
        }

        var jobs = JobEstimate(taskName, op, n);
        if (spawnLimit is not { } limit || jobs <= limit)
        {
            return null;
        }

        var call = op is null ? $"{taskName}(n)" : $"{taskName} of {op}(n)";
        var allowed = LargestN(taskName, op, limit) is { } largest ? $"n must be at most {largest}" : "no n fits";
        return new ArgumentProblem(string.Create(CultureInfo.InvariantCulture,
            $"{call} with n = {n} would push about {jobs} jobs, over the spawn limit of {limit} jobs per root (brrr.spawn-limit): {allowed}"));
    }

    /// <summary>Accepts only a whole number from 0 to <see cref="MaxDepth"/> in canonical form.</summary>
    private static ArgumentProblem? DepthProblem(string text) =>
        NumberProblem(text, out var depth) is null && depth is >= 0 and <= MaxDepth
            ? null
            : new ArgumentProblem(string.Create(CultureInfo.InvariantCulture, $"argument 'depth' must be a whole number from 0 to {MaxDepth}, got '{Quote(text)}'"));

    /// <summary>Accepts only <c>0</c> or an optional <c>-</c> and digits without a leading zero, within ±<see cref="MaxN"/>.</summary>
    private static ArgumentProblem? NumberProblem(string text, out long n)
    {
        n = 0;
        var digits = text.StartsWith('-') ? text[1..] : text;
        var canonical = text == "0" || (digits.Length > 0 && digits[0] is >= '1' and <= '9' && digits.All(c => c is >= '0' and <= '9'));
        if (!canonical)
        {
            return new ArgumentProblem(
                $"argument 'n' must be a whole number in canonical form (0, or digits without leading zeros after an optional '-'; no '+', spaces or -0), got '{Quote(text)}'");
        }

        if (digits.Length > 16 || long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) > MaxN)
        {
            return new ArgumentProblem($"argument 'n' must be between -{MaxN} and {MaxN} (JSON's safe integers), got {Quote(text)}");
        }

        n = long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>The largest n whose call graph fits <paramref name="limit"/>, or <c>null</c> when not even n = 1 does.</summary>
    private static long? LargestN(string taskName, string? op, long limit)
    {
        // MaxJobs grows by 3 per step of n from n = 2 on: step down from just over the linear estimate.
        var n = Math.Max(1, (limit / 3) + 2);
        while (n > 1 && JobEstimate(taskName, op, n) > limit)
        {
            n--;
        }

        return JobEstimate(taskName, op, n) <= limit ? n : null;
    }

    private static string Quote(string text) => text.Length <= MaxQuoted ? text : text[..MaxQuoted] + "...";
}
