using ExpressionService.Classification;
using ExpressionService.Jobs;
using ExpressionService.Operations;
using ExpressionService.Registry;
using Prometheus;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceLogging();
builder.Services.AddProblemResponses();
builder.Services.AddOpenApiDocumentation();
builder.Services.AddOperations();
builder.Services.AddClassification();
builder.Services.AddRegistry();
builder.Services.AddJobs(builder.Configuration);

var app = builder.Build();

app.UseSerilogRequestLogging(options => options.GetLevel = Logging.RequestLevel);
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseHttpMetrics(options => options.SetMetricFactory(app.Services.GetRequiredService<ServiceMetrics>().Factory));
app.UseOpenApiDocumentation();

app.MapClassification();
app.MapModels();
app.MapJobs();
app.MapOperations();
app.MapMetrics(OpenApiDocumentation.MetricsPath, app.Services.GetRequiredService<ServiceMetrics>().Registry);

app.Run();

/// <summary>The service's entry point, visible to the integration tests' host factory.</summary>
public partial class Program;
