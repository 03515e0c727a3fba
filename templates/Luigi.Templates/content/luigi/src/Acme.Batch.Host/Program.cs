using Acme.Batch.Pipelines;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddLuigi(builder.Configuration);
builder.Services.AddLuigiPipeline<NightlySales>();

var app = builder.Build();
app.MapLuigi("/luigi");
app.MapGet("/", () => Results.Redirect("/luigi/"));
app.Run();
