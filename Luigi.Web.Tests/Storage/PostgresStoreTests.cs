using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Storage;

/// <summary>A test class whose tests make stores of their own on the shared PostgreSQL, with a folder of its own for the files its tasks write.</summary>
public abstract class PostgresStoreTests(PostgresServer postgres, string folderPrefix) : IClassFixture<PostgresServer>, IDisposable
{
    protected StoreFactory Stores { get; } = new(postgres);

    protected string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    public void Dispose()
    {
        Stores.Dispose();
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
