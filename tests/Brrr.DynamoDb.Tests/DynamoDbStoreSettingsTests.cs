using Akka.Configuration;
using Amazon.Runtime;
using Brrr.DynamoDb.Hosting;

namespace Brrr.DynamoDb.Tests;

public sealed class DynamoDbStoreSettingsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_store_reads_the_latest_writes_only_with_consistent_reads(bool consistent)
    {
        // A worker debounces parents only on a store whose reads see the latest writes (IStore.ReadsLatestWrites).
        using var client = new Amazon.DynamoDBv2.AmazonDynamoDBClient(
            new AnonymousAWSCredentials(), new Amazon.DynamoDBv2.AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9" });
        using var store = new DynamoDbStore(client, DynamoDbStoreSettings.Default with { ConsistentReads = consistent });
        Assert.Equal(consistent, ((Brrr.Backends.IStore)store).ReadsLatestWrites);
    }

    [Fact]
    public void Defaults_are_table_brrr_with_consistent_coalesced_reads()
    {
        var settings = DynamoDbStoreSettings.Default;

        Assert.Equal("brrr", settings.TableName);
        Assert.Null(settings.Region);
        Assert.Null(settings.ServiceUrl);
        Assert.True(settings.ConsistentReads);
        Assert.True(settings.Coalesce);
        Assert.Equal(8, settings.MaxErrorRetries);
        Assert.Equal(RequestRetryMode.Standard, settings.RetryMode);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.OperationTimeout);
        Assert.Equal(DynamoDbBillingMode.PayPerRequest, settings.BillingMode);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.TableReadyTimeout);
        Assert.Equal(TimeSpan.FromHours(24), settings.CounterExpiry);
        Assert.Equal(TimeSpan.FromDays(7), settings.CancelExpiry);
    }

    [Fact]
    public void Every_key_documented_in_reference_conf_shows_its_default()
    {
        using var stream = typeof(DynamoDbStoreHocon).Assembly.GetManifestResourceStream("Brrr.DynamoDb.Hosting.reference.conf")!;
        using var reader = new StreamReader(stream);
        var documented = ConfigurationFactory.ParseString(reader.ReadToEnd().Replace("#: ", "", StringComparison.Ordinal));

        Assert.Equal(15, documented.GetConfig(DynamoDbStoreSettings.ConfigPath).AsEnumerable().Count());
        Assert.Equal(DynamoDbStoreSettings.Default, DynamoDbStoreHocon.Create(documented));
        Assert.NotEqual(DynamoDbStoreSettings.Default, DynamoDbStoreHocon.Create(ConfigurationFactory.ParseString("brrr.dynamodb.max-error-retries = 3")));
    }

    [Fact]
    public void Create_reads_the_brrr_dynamodb_section_over_the_defaults()
    {
        var settings = DynamoDbStoreHocon.Create(ConfigurationFactory.ParseString("""
            brrr.dynamodb {
              table-name = my-table
              region = eu-west-1
              service-url = "http://127.0.0.1:8000"
              consistent-reads = false
              coalesce = off
              max-error-retries = 2
              retry-mode = adaptive
              request-timeout = 2s
              operation-timeout = 750ms
              billing-mode = PROVISIONED
              write-capacity-units = 9
              counter-expiry = 2h
              cancel-expiry = 3d
            }
            """));

        Assert.Equal("my-table", settings.TableName);
        Assert.Equal("eu-west-1", settings.Region);
        Assert.Equal(new Uri("http://127.0.0.1:8000"), settings.ServiceUrl);
        Assert.False(settings.ConsistentReads);
        Assert.False(settings.Coalesce);
        Assert.Equal(2, settings.MaxErrorRetries);
        Assert.Equal(RequestRetryMode.Adaptive, settings.RetryMode);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(750), settings.OperationTimeout);
        Assert.Equal(DynamoDbBillingMode.Provisioned, settings.BillingMode);
        Assert.Equal(5, settings.ReadCapacityUnits);
        Assert.Equal(9, settings.WriteCapacityUnits);
        Assert.Equal(TimeSpan.FromHours(2), settings.CounterExpiry);
        Assert.Equal(TimeSpan.FromDays(3), settings.CancelExpiry);
    }

    [Theory]
    [InlineData("max-error-retries = -1", "brrr.dynamodb.max-error-retries must be >= 0, got -1")]
    [InlineData("table-name = x", "brrr.dynamodb.table-name must be a DynamoDB table name")]
    [InlineData("service-url = \"not a url\"", "brrr.dynamodb.service-url must be an absolute http or https URL")]
    [InlineData("request-timeout = 0s", "brrr.dynamodb.request-timeout must be a duration > 0")]
    [InlineData("operation-timeout = 0s", "brrr.dynamodb.operation-timeout must be a duration > 0")]
    [InlineData("retry-mode = sometimes", "brrr.dynamodb.retry-mode must be one of standard, adaptive, got 'sometimes'")]
    [InlineData("billing-mode = FREE", "brrr.dynamodb.billing-mode must be one of PAY_PER_REQUEST, PROVISIONED")]
    [InlineData("counter-expiry = 0s", "brrr.dynamodb.counter-expiry must be a duration > 0")]
    [InlineData("cancel-expiry = 0s", "brrr.dynamodb.cancel-expiry must be a duration > 0")]
    [InlineData("read-capacity-units = 0", "brrr.dynamodb.read-capacity-units must be >= 1, got 0")]
    [InlineData("max-error-retries = lots", "brrr.dynamodb.max-error-retries has a bad value 'lots'")]
    [InlineData("coalesce = sometimes", "brrr.dynamodb.coalesce has a bad value 'sometimes'")]
    public void Create_names_the_bad_key_and_what_it_must_be(string hocon, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(
            () => DynamoDbStoreHocon.Create(ConfigurationFactory.ParseString($"brrr.dynamodb {{ {hocon} }}")));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_expressions_check_their_values()
    {
        var error = Assert.Throws<SettingOutOfRangeException>(() => DynamoDbStoreSettings.Default with { MaxErrorRetries = -3 });

        Assert.Equal(nameof(DynamoDbStoreSettings.MaxErrorRetries), error.ParamName);
    }

    [Fact]
    public void Environment_of_the_reference_demos_sets_endpoint_region_and_table()
    {
        var variables = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = "http://localhost:8000",
            ["AWS_REGION"] = "us-west-2",
            ["DYNAMODB_TABLE_NAME"] = "demo",
        };

        var settings = DynamoDbStoreSettings.FromEnvironment(variables.GetValueOrDefault);

        Assert.Equal(new Uri("http://localhost:8000"), settings.ServiceUrl);
        Assert.Equal("us-west-2", settings.Region);
        Assert.Equal("demo", settings.TableName);
    }

    [Fact]
    public void The_dynamodb_endpoint_variable_wins_over_the_general_one_as_in_the_aws_sdk()
    {
        var variables = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = "http://localhost:4566",
            ["AWS_ENDPOINT_URL_DYNAMODB"] = "http://localhost:8000",
        };

        Assert.Equal(new Uri("http://localhost:8000"), DynamoDbStoreSettings.FromEnvironment(variables.GetValueOrDefault).ServiceUrl);
        var error = Assert.Throws<SettingOutOfRangeException>(
            () => DynamoDbStoreSettings.FromEnvironment(name => name == "AWS_ENDPOINT_URL_DYNAMODB" ? "localhost" : null));
        Assert.Equal("AWS_ENDPOINT_URL_DYNAMODB", error.ParamName);
    }

    [Fact]
    public void Empty_environment_keeps_table_brrr_and_the_aws_endpoint()
    {
        var settings = DynamoDbStoreSettings.FromEnvironment(_ => null);

        Assert.Equal(DynamoDbStoreSettings.Default, settings);
        Assert.Equal("brrr", settings.TableName);
    }

    [Fact]
    public void Bad_environment_variable_is_named()
    {
        var error = Assert.Throws<SettingOutOfRangeException>(
            () => DynamoDbStoreSettings.FromEnvironment(name => name == "AWS_ENDPOINT_URL" ? "localhost" : null));

        Assert.Equal("AWS_ENDPOINT_URL", error.ParamName);
    }

    [Fact]
    public void Client_config_points_at_the_local_endpoint_and_uses_the_retry_settings()
    {
        var settings = DynamoDbStoreSettings.Default with { ServiceUrl = new Uri("http://127.0.0.1:8000"), MaxErrorRetries = 3, RetryMode = RequestRetryMode.Adaptive };

        var config = DynamoDbClientFactory.CreateConfig(settings);

        Assert.StartsWith("http://127.0.0.1:8000", config.ServiceURL, StringComparison.Ordinal);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
        Assert.Equal(3, config.MaxErrorRetry);
        Assert.Equal(RequestRetryMode.Adaptive, config.RetryMode);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Timeout);
    }

    [Fact]
    public void Client_config_uses_the_region_endpoint_without_a_service_url()
    {
        var config = DynamoDbClientFactory.CreateConfig(DynamoDbStoreSettings.Default with { Region = "eu-central-1" });

        Assert.Equal("eu-central-1", config.RegionEndpoint?.SystemName);
        Assert.Null(config.ServiceURL);
    }

    [Fact]
    public void Every_key_of_reference_conf_has_a_comment_above_it()
    {
        using var stream = typeof(DynamoDbStoreHocon).Assembly.GetManifestResourceStream("Brrr.DynamoDb.Hosting.reference.conf");
        Assert.NotNull(stream);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n').Select(l => l.Trim()).ToArray();

        var keys = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith("#: ", StringComparison.Ordinal)).ToArray();

        Assert.Equal(15, keys.Length);
        Assert.All(keys, i => Assert.Matches("^# [A-Z]", lines[i - 1]));
    }
}
