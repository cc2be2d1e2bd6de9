using System.Net;

namespace Brrr.IntegrationTests;

public sealed partial class DemoProcessTests
{
    [Fact]
    public async Task The_webs_healthz_answers_200_while_Redis_is_up_and_503_once_it_is_killed()
    {
        var servers = StartServers(useDynamo: false);
        await WaitUntilServingAsync(servers.Web);
        using (var up = await _http.GetAsync(servers.Web + "/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        }

        servers.Redis.Kill();

        await WaitUntilAsync(
            async () =>
            {
                using var down = await _http.GetAsync(servers.Web + "/healthz");
                return down.StatusCode == HttpStatusCode.ServiceUnavailable;
            },
            TimeSpan.FromSeconds(30),
            "/healthz answers 503 with Redis down");
    }
}
