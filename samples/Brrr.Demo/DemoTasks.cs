using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Brrr.Tasks;

namespace Brrr.Demo;

/// <summary>
/// The tasks of the reference brrr demo, with keyword arguments (a JSON object) in the demo JSON codec, so
/// Python and TypeScript demo workers can call them and be called.
/// </summary>
public static class DemoTasks
{
    /// <summary>The topic the C# demo worker serves.</summary>
    public const string Topic = "brrr-cs-demo";

    /// <summary>The ops calc_and_print may call: the tasks every language's demo worker serves.</summary>
    public static readonly IReadOnlyList<string> Ops = ["fib", "lucas"];

    /// <summary>hello(greetee) → "Hello, greetee!".</summary>
    public static readonly BrrrTask<JsonObject, string> Hello = BrrrTask.Create<JsonObject, string>("hello", (_, args) =>
    {
        var greeting = $"Hello, {Text(args, "greetee")}!";
        Console.WriteLine(greeting);
        return Task.FromResult(greeting);
    });

    /// <summary>fib(n, salt): the n-th Fibonacci number, each step a brrr call.</summary>
    public static readonly BrrrTask<JsonObject, BigInteger> Fib = BrrrTask.Create<JsonObject, BigInteger>("fib", async (ctx, args) =>
    {
        var n = Number(args, "n");
        if (n < 2)
        {
            return n;
        }

        var parts = await ctx.Gather(ctx.Call(Fib!, With(args, n - 1)), ctx.Call(Fib!, With(args, n - 2)));
        return parts[0] + parts[1];
    });

    /// <summary>lucas(n, salt) = fib(n-1) + fib(n+1); lucas(0) = 2, lucas(1) = 1.</summary>
    public static readonly BrrrTask<JsonObject, BigInteger> Lucas = BrrrTask.Create<JsonObject, BigInteger>("lucas", async (ctx, args) =>
    {
        var n = Number(args, "n");
        if (n < 2)
        {
            return 2 - n;
        }

        var parts = await ctx.Gather(ctx.Call(Fib, With(args, n - 1)), ctx.Call(Fib, With(args, n + 1)));
        return parts[0] + parts[1];
    });

    /// <summary>
    /// boom(message, depth): calls boom(message, depth - 1), and at depth 0 throws with <c>message</c>: a workflow that
    /// fails on purpose, depth + 1 calls deep (depth stays a string, as the command line and HTTP give it).
    /// </summary>
    public static readonly BrrrTask<JsonObject, string> Boom = BrrrTask.Create<JsonObject, string>("boom", async (ctx, args) =>
    {
        var depth = Number(args, "depth");
        if (depth <= 0)
        {
            throw new InvalidOperationException(Text(args, "message"));
        }

        var next = (JsonObject)args.DeepClone();
        next["depth"] = (depth - 1).ToString(CultureInfo.InvariantCulture);
        return await ctx.Call(Boom!, next);
    });

    /// <summary>The tasks of the demo topic; calc_and_print calls its ops on <paramref name="opsTopic"/>.</summary>
    public static TaskSet All(string opsTopic = Topic) => new(Hello, Fib, Lucas, CalcAndPrint(opsTopic), Boom);

    /// <summary>calc_and_print(op, n, salt): calls task <c>op</c> with n as a number on <paramref name="opsTopic"/> and prints the result.</summary>
    public static BrrrTask<JsonObject, JsonNode?> CalcAndPrint(string opsTopic) => BrrrTask.Create<JsonObject, JsonNode?>("calc_and_print", async (ctx, args) =>
    {
        var op = Text(args, "op");
        var n = Number(args, "n");
        var result = await ctx.Call(BrrrTask.Ref<JsonObject, JsonNode?>(op, opsTopic), With(args, n, "op"));
        Console.WriteLine($"{op}({n}) = {result?.ToJsonString()}");
        return result;
    });

    /// <summary>The keyword arguments of the next call: <paramref name="args"/> (minus <paramref name="drop"/>) with <c>n</c> replaced.</summary>
    private static JsonObject With(JsonObject args, long n, string? drop = null)
    {
        var next = new JsonObject();
        foreach (var (key, value) in args)
        {
            if (key != "n" && key != drop)
            {
                next[key] = value?.DeepClone();
            }
        }

        next["n"] = JsonValue.Create(n);
        return next;
    }

    private static string Text(JsonObject args, string name) =>
        args[name]?.ToString() ?? throw new ArgumentException($"missing argument '{name}'");

    private static long Number(JsonObject args, string name) =>
        NumberProblem(args, name) is { } problem ? throw new ArgumentException(problem) : long.Parse(args[name]!.ToString(), CultureInfo.InvariantCulture);

    private static string? NumberProblem(JsonObject args, string name)
    {
        var text = args[name]?.ToString();
        if (text is null)
        {
            return $"missing argument '{name}'";
        }

        if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return $"argument '{name}' must be a whole number, got '{text}'";
        }

        return BigInteger.Abs(n) > DemoArguments.MaxN ? $"argument '{name}' must be between -{DemoArguments.MaxN} and {DemoArguments.MaxN} (JSON's safe integers), got {text}" : null;
    }
}
