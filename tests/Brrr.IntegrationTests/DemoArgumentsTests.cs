using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Demo;

namespace Brrr.IntegrationTests;

/// <summary>The demo's one validation of call arguments, shared by the command line and HTTP.</summary>
public sealed class DemoArgumentsTests
{
    private const long SpawnLimit = 10_000;

    [Fact]
    public void Command_line_words_give_the_string_arguments_http_gives_so_the_call_hash_is_the_same()
    {
        Assert.True(DemoArguments.TryParse("fib", Brrr.Demo.Cli.ParseArguments(["n=10", "salt=abcd"]), SpawnLimit, out var fromCli, out _));

        // The web passes query values as strings, as the reference webs do.
        var fromHttp = new JsonObject { ["n"] = "10", ["salt"] = "abcd" };
        Assert.Equal(fromHttp.ToJsonString(), fromCli.ToJsonString());
        Assert.Equal(JsonCodec.Default.EncodeCall("fib", fromHttp).CallHash, JsonCodec.Default.EncodeCall("fib", fromCli).CallHash);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("-9007199254740991")]
    [InlineData("2000")]
    public void Canonical_whole_numbers_are_accepted_as_they_were_written(string n)
    {
        Assert.True(DemoArguments.TryParse("fib", [new("n", n)], SpawnLimit, out var args, out var problem), problem?.Message);
        Assert.Equal(n, args["n"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("+5")]
    [InlineData("00005")]
    [InlineData("-0")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1e3")]
    [InlineData("5.0")]
    [InlineData("0x10")]
    [InlineData("٣")]
    [InlineData("eleven")]
    public void Other_spellings_of_n_are_refused_with_the_canonical_form_expected(string n)
    {
        Assert.False(DemoArguments.TryParse("fib", [new("n", n)], SpawnLimit, out _, out var problem));
        Assert.Contains("argument 'n' must be a whole number in canonical form", problem.Message, StringComparison.Ordinal);
        Assert.False(problem.UnknownTask);
    }

    [Theory]
    [InlineData("9007199254740992")]
    [InlineData("-9007199254740992")]
    [InlineData("99999999999999999999")]
    public void N_beyond_the_safe_integers_is_refused_even_for_reads(string n)
    {
        Assert.False(DemoArguments.TryParse("fib", [new("n", n)], spawnLimit: null, out _, out var problem));
        Assert.Contains("argument 'n' must be between -9007199254740991 and 9007199254740991", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope", new[] { "x=1" }, "unknown task 'nope' (known: boom, calc_and_print, fib, hello, lucas)")]
    [InlineData("hello", new string[0], "missing argument 'greetee': hello takes greetee")]
    [InlineData("calc_and_print", new[] { "op=fib" }, "missing argument 'n'")]
    [InlineData("fib", new[] { "n=5", "m=3" }, "unknown argument 'm': fib takes n, [salt]")]
    [InlineData("hello", new[] { "greetee=Jim", "salt=x" }, "unknown argument 'salt': hello takes greetee")]
    [InlineData("fib", new[] { "n=5", "n=5" }, "argument 'n' given more than once")]
    [InlineData("fib", new[] { "n=5", "salt=a", "salt=b" }, "argument 'salt' given more than once")]
    [InlineData("calc_and_print", new[] { "op=nope", "n=1" }, "argument 'op' must be one of fib, lucas, got 'nope'")]
    [InlineData("calc_and_print", new[] { "op=Fib", "n=1" }, "argument 'op' must be one of fib, lucas, got 'Fib'")]
    [InlineData("boom", new[] { "message=kaput" }, "missing argument 'depth': boom takes message, depth")]
    [InlineData("boom", new[] { "message=kaput", "depth=51" }, "argument 'depth' must be a whole number from 0 to 50, got '51'")]
    [InlineData("boom", new[] { "message=kaput", "depth=-1" }, "argument 'depth' must be a whole number from 0 to 50, got '-1'")]
    [InlineData("boom", new[] { "message=kaput", "depth=03" }, "argument 'depth' must be a whole number from 0 to 50, got '03'")]
    public void Each_mistake_gets_a_message_that_names_it(string task, string[] words, string message)
    {
        Assert.False(DemoArguments.TryParse(task, Brrr.Demo.Cli.ParseArguments(words), SpawnLimit, out var args, out var problem));
        Assert.Null(args);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal(task == "nope", problem.UnknownTask);
    }

    [Theory]
    [InlineData("fib", null, 2000)]
    [InlineData("lucas", null, 1998)]
    [InlineData("calc_and_print", "fib", 1999)]
    [InlineData("calc_and_print", "lucas", 1997)]
    public void Calls_whose_graph_would_outgrow_the_spawn_limit_are_refused_naming_the_largest_n(string task, string? op, long largest)
    {
        KeyValuePair<string, string>[] Words(long n) =>
            op is null ? [new("n", $"{n}")] : [new("op", op), new("n", $"{n}")];

        Assert.True(DemoArguments.TryParse(task, Words(largest), SpawnLimit, out _, out var fits), fits?.Message);
        Assert.False(DemoArguments.TryParse(task, Words(largest + 1), SpawnLimit, out _, out var problem));
        Assert.Contains("over the spawn limit of 10000 jobs per root (brrr.spawn-limit)", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith($"n must be at most {largest}", problem.Message, StringComparison.Ordinal);
        Assert.False(DemoArguments.TryParse(task, Words(DemoArguments.MaxN), SpawnLimit, out _, out _));

        // Reading cannot run anything: only the number rules apply.
        Assert.True(DemoArguments.TryParse(task, Words(DemoArguments.MaxN), spawnLimit: null, out _, out _));
    }

    [Fact]
    public void Negative_n_returns_at_once_so_it_fits_any_spawn_limit()
    {
        Assert.True(DemoArguments.TryParse("fib", [new("n", "-9007199254740991")], spawnLimit: 1, out _, out var problem), problem?.Message);
        Assert.False(DemoArguments.TryParse("calc_and_print", [new("op", "fib"), new("n", "-5")], spawnLimit: 2, out _, out var tooSmall));
        Assert.EndsWith("no n fits", tooSmall.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_validated_tasks_are_the_tasks_the_demo_worker_serves()
    {
        Assert.Equal(DemoTasks.All().Names.Order(StringComparer.Ordinal), DemoArguments.TaskNames);
    }

    [Fact]
    public void Long_values_are_quoted_shortened_in_messages()
    {
        var huge = new string('x', 10_000);
        Assert.False(DemoArguments.TryParse("calc_and_print", [new("op", huge), new("n", "1")], SpawnLimit, out _, out var problem));
        Assert.True(problem.Message.Length < 200, problem.Message);
    }
}
