using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Luigi.Web.Tests;

public sealed class HostTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Healthz_AnswersHealthy()
    {
        var response = await factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Home_ListsThePipelines()
    {
        var html = await factory.CreateClient().GetStringAsync("/");

        Assert.Contains("<strong>ComplexExample</strong>", html);
        Assert.Contains("<strong>DailySales</strong>", html);
    }
}
