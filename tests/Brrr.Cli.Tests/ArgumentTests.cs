using Brrr.Redis;

namespace Brrr.Cli.Tests;

/// <summary>How the tool reads call arguments, durations and where to connect.</summary>
public sealed class ArgumentTests
{
    [Fact]
    public void Key_value_words_are_strings_as_the_reference_webs_pass_them_and_colon_equals_takes_json()
    {
        var args = CallArguments.Parse(["n=30", "message=kaput", "empty=", "eq=a=b", "typed:=30", "big:=12345678901234567890", "flag:=true", "none:=null", "list:=[1,2]", "text:=\"7\""]);

        Assert.Equal(
            """{"n":"30","message":"kaput","empty":"","eq":"a=b","typed":30,"big":12345678901234567890,"flag":true,"none":null,"list":[1,2],"text":"7"}""",
            args.ToJsonString());
    }

    [Fact]
    public void A_colon_equals_value_that_is_no_json_is_refused() =>
        Assert.Contains("needs a JSON value", Assert.Throws<UsageException>(() => CallArguments.Parse(["n:=thirty"])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("novalue", "key=text")]
    [InlineData("=v", "key=text")]
    [InlineData(":=1", "key=text")]
    public void A_word_without_a_key_is_refused(string word, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => CallArguments.Parse([word])).Message, StringComparison.Ordinal);

    [Fact]
    public void A_repeated_key_is_refused() =>
        Assert.Contains("twice", Assert.Throws<UsageException>(() => CallArguments.Parse(["n=1", "n=2"])).Message, StringComparison.Ordinal);

    [Fact]
    public void The_dashboard_listens_on_loopback_unless_told_otherwise()
    {
        var listen = BrrrCli.DashboardCommand().Parse([]).GetValue(BrrrCli.ListenOption)!;

        var (host, port) = BrrrCli.Listen(listen);

        Assert.Equal(("127.0.0.1", 8081), (host, port));
        Assert.True(BrrrCli.IsLoopback(host));
        Assert.Equal(new[] { "localhost", "127.0.0.1" }, BrrrCli.LoopbackHosts(host));
        Assert.Equal(new[] { "localhost", "[::1]" }, BrrrCli.LoopbackHosts("::1"));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5", 1_500)]
    public void Durations_read_their_unit(string text, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("soon")]
    [InlineData("1e300h")]
    public void Bad_durations_are_refused(string text) => Assert.Throws<UsageException>(() => Durations.Parse(text));

    [Fact]
    public void The_option_wins_over_the_environment_and_the_layout_and_dynamodb_come_from_it()
    {
        var environment = new Dictionary<string, string> { ["BRRR_REDIS_URL"] = "redis://env-host:1234", ["BRRR_REDIS_LAYOUT"] = "legacy", ["AWS_REGION"] = "eu-west-1" };

        var fromEnvironment = ConnectionSettings.Resolve(null, null, null, n => environment.GetValueOrDefault(n));
        var fromOptions = ConnectionSettings.Resolve("redis://opt-host:99/2", "current", null, n => environment.GetValueOrDefault(n));

        Assert.Equal(("env-host", 1234, RedisLayout.Legacy, true), (fromEnvironment.RedisUrl!.Host, fromEnvironment.RedisUrl.Port, fromEnvironment.Redis.Layout, fromEnvironment.DynamoDb is not null));
        Assert.Equal(("opt-host", 99, 2, RedisLayout.Current), (fromOptions.RedisUrl!.Host, fromOptions.RedisUrl.Port, fromOptions.RedisUrl.Database, fromOptions.Redis.Layout));
        Assert.Equal(":dead-letters", fromOptions.Brrr.DeadLetterSuffix);
    }

    [Fact]
    public void A_hocon_file_sets_the_suffix_and_the_redis_settings_and_a_bad_one_is_a_usage_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "brrr.dead-letter-suffix = \":dl\"\nbrrr.redis.layout = legacy\nbrrr.redis.key-prefix = \"x:\"");
            var settings = ConnectionSettings.Resolve("redis://h", null, file, _ => null);
            Assert.Equal((":dl", RedisLayout.Legacy, "x:"), (settings.Brrr.DeadLetterSuffix, settings.Redis.Layout, settings.Redis.KeyPrefix));

            File.WriteAllText(file, "brrr.redis.layout = sideways");
            Assert.Contains("--config", Assert.Throws<UsageException>(() => ConnectionSettings.Resolve("redis://h", null, file, _ => null)).Message, StringComparison.Ordinal);
            Assert.Contains("cannot read", Assert.Throws<UsageException>(() => ConnectionSettings.Resolve("redis://h", null, file + ".missing", _ => null)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_hocon_file_alone_names_redis_and_dynamodb_and_the_environment_and_options_win_over_it()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                brrr.redis.configuration = "file-host:7000,password=Hidden-pw-9"
                brrr.dynamodb { table-name = file-table, region = eu-north-1, service-url = "http://file-dynamo:8000" }
                """);

            var fromFile = ConnectionSettings.Resolve(null, null, file, _ => null);
            Assert.Null(fromFile.RedisUrl);
            Assert.Equal("file-host:7000,password=Hidden-pw-9", fromFile.Redis.Configuration);
            Assert.DoesNotContain("Hidden-pw-9", fromFile.RedisTarget, StringComparison.Ordinal);
            Assert.Equal(("file-table", "eu-north-1", new Uri("http://file-dynamo:8000")), (fromFile.DynamoDb!.TableName, fromFile.DynamoDb.Region, fromFile.DynamoDb.ServiceUrl));

            var environment = new Dictionary<string, string> { ["BRRR_REDIS_URL"] = "redis://env-host:1234", ["AWS_REGION"] = "eu-west-1", ["DYNAMODB_TABLE_NAME"] = "env-table" };
            var fromEnvironment = ConnectionSettings.Resolve(null, null, file, n => environment.GetValueOrDefault(n));
            Assert.Equal("env-host:1234", fromEnvironment.Redis.Configuration.Split(',')[0]);
            Assert.Equal(("env-table", "eu-west-1", new Uri("http://file-dynamo:8000")), (fromEnvironment.DynamoDb!.TableName, fromEnvironment.DynamoDb.Region, fromEnvironment.DynamoDb.ServiceUrl));
            var fromOption = ConnectionSettings.Resolve("redis://opt-host:99", null, file, n => environment.GetValueOrDefault(n));
            Assert.Equal("opt-host:99", fromOption.Redis.Configuration.Split(',')[0]);

            File.WriteAllText(file, "brrr.dynamodb.consistent-reads = false");
            Assert.Contains("brrr.redis.configuration", Assert.Throws<UsageException>(() => ConnectionSettings.Resolve(null, null, file, _ => null)).Message, StringComparison.Ordinal);
            Assert.Null(ConnectionSettings.Resolve("redis://h", null, file, _ => null).DynamoDb);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_bad_url_is_refused_with_its_password_masked()
    {
        var e = Assert.Throws<UsageException>(() => ConnectionSettings.Resolve("http://:Hidden-pw-9@h:1", null, null, _ => null));
        Assert.DoesNotContain("Hidden-pw-9", e.Message, StringComparison.Ordinal);
        Assert.Contains("must look like", e.Message, StringComparison.Ordinal);
    }
}
