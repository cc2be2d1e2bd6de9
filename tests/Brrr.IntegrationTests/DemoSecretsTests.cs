using Brrr.Demo;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>The demo's Redis URLs and the masking of their credentials in everything it prints.</summary>
public sealed class DemoSecretsTests
{
    private const string Password = "s3cret-Pa55";

    [Fact]
    public void A_user_and_password_in_the_url_become_the_acl_user_and_password_of_the_configuration()
    {
        var options = ConfigurationOptions.Parse(DemoEnvironment.RedisConfiguration($"redis://alice:{Password}@10.0.0.7:6380/3"));
        Assert.Equal("alice", options.User);
        Assert.Equal(Password, options.Password);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal("10.0.0.7:6380", Assert.Single(options.EndPoints).ToString());
        Assert.False(options.Ssl);
    }

    [Theory]
    [InlineData("redis://:p%40ss%3Aw%2Fd@host", null, "p@ss:w/d")]
    [InlineData("redis://justapassword@host", null, "justapassword")]
    [InlineData("redis://host", null, null)]
    public void Url_encoded_passwords_are_decoded_and_a_bare_userinfo_is_a_password(string url, string? user, string? password)
    {
        var options = ConfigurationOptions.Parse(DemoEnvironment.RedisConfiguration(url));
        Assert.Equal(user, options.User);
        Assert.Equal(password, options.Password);
        Assert.Equal("host:6379", Assert.Single(options.EndPoints).ToString()?.Replace("Unspecified/", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Rediss_turns_tls_on()
    {
        Assert.True(ConfigurationOptions.Parse(DemoEnvironment.RedisConfiguration($"rediss://alice:{Password}@redis.example.com:6380")).Ssl);
        Assert.False(ConfigurationOptions.Parse(DemoEnvironment.RedisConfiguration("redis://redis.example.com:6380")).Ssl);
    }

    [Theory]
    [InlineData("http://alice:s3cret-Pa55@host:6379")]
    [InlineData("redis://alice:s3cret-Pa55@host:6379/notadb")]
    [InlineData("redis://alice:s3cret-Pa55,x@host:6379")]
    public void A_bad_url_is_refused_without_its_password(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => DemoEnvironment.RedisConfiguration(url));
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.Contains("BRRR_DEMO_REDIS_URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parsed_url_shows_the_user_but_not_the_password()
    {
        Assert.Equal("redis://alice:***@host:6379/2", RedisUrl.Parse($"redis://alice:{Password}@host/2").ToString());
        Assert.Equal("rediss://:***@host:6380", RedisUrl.Parse($"rediss://:{Password}@host:6380").ToString());
        Assert.Equal("redis://host:6379", RedisUrl.Parse("redis://host").ToString());
    }

    [Theory]
    [InlineData("cannot reach Redis at redis://alice:s3cret-Pa55@127.0.0.1:6379: down", "cannot reach Redis at redis://alice:***@127.0.0.1:6379: down")]
    [InlineData("at redis://s3cret-Pa55@host now", "at redis://***@host now")]
    [InlineData("redis://:p@ss@host", "redis://:***@host")]
    [InlineData("127.0.0.1:6379,user=alice,password=s3cret-Pa55,ssl=true", "127.0.0.1:6379,user=alice,password=***,ssl=true")]
    [InlineData("Password = s3cret-Pa55; Timeout=5", "Password = ***; Timeout=5")]
    [InlineData("plain text, http://example.com/x and mail@example.com stay", "plain text, http://example.com/x and mail@example.com stay")]
    public void Redaction_masks_url_passwords_and_password_options(string text, string redacted)
    {
        Assert.Equal(redacted, Redaction.Redact(text));
    }

    [Fact]
    public void Redaction_masks_the_url_secret_wherever_it_appears()
    {
        var secrets = Redaction.SecretsOf("redis://alice:s3cret%2DPa55@host");
        Assert.Equal("AUTH *** failed (*** too)", Redaction.Redact("AUTH s3cret-Pa55 failed (s3cret%2DPa55 too)", secrets));
        Assert.Equal("ab", Redaction.Redact("ab", Redaction.SecretsOf("redis://:ab@host")));
    }

    [Fact]
    public void The_redacting_writer_masks_a_secret_split_over_writes_and_passes_flushed_progress_on()
    {
        using var inner = new StringWriter();
        using (var writer = new RedactingWriter(inner, Redaction.SecretsOf($"redis://:{Password}@host")))
        {
            writer.Write("redis://:s3c");
            writer.Write("ret-Pa55@host");
            writer.WriteLine(" is down");
            writer.Write($"\r... {Password[..4]}");
            writer.Flush();
            Assert.EndsWith("\r... s3cr", inner.ToString(), StringComparison.Ordinal);
            writer.Write(Password);
        }

        Assert.Equal($"redis://:***@host is down{Environment.NewLine}\r... s3cr***", inner.ToString());
    }
}
