using Luigi.Web;
using Luigi.Web.Cli;

if (CliApp.IsCliInvocation(args))
{
    return await CliApp.RunAsync(args, LuigiWebSetup.LoadConfiguration());
}

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseStaticWebAssets(); // the dashboard's framework script and styles when run from a build, in any environment
builder.Services.AddLuigi(builder.Configuration);

var app = builder.Build();
app.MapLuigi(); // the whole app: the dashboard at /, the API at /api
await app.RunAsync();
return 0;

/// <summary>The entry point; public so that tests can host it.</summary>
public partial class Program;
