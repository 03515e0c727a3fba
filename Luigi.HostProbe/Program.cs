using Luigi.HostProbe;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddLuigi(builder.Configuration);
builder.Services.AddLuigiPipeline<NightlyPipeline>();
var app = builder.Build();
app.MapLuigi("/luigi");
app.MapGet("/", () => Results.Redirect("/luigi/"));
app.MapGet("/hello", () => "Hello from the team's own endpoint."); // the team's, outside Luigi's prefix: no sign-in
app.Run();
