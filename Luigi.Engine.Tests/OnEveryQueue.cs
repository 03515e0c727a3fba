using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

// The engine's semantics suite, run on every run queue of the one executor: in memory and on the store's SQL queue
// (SQLite here; the concurrency cases run on PostgreSQL in Luigi.Web.Tests).

public sealed class LuigiEngineTestsInMemory() : LuigiEngineTests(QueueKind.Memory);

public sealed class LuigiEngineTestsOnSqlite() : LuigiEngineTests(QueueKind.Sqlite);

public sealed class RunExecutionTestsInMemory() : RunExecutionTests(QueueKind.Memory);

public sealed class RunExecutionTestsOnSqlite() : RunExecutionTests(QueueKind.Sqlite);

public sealed class ExecutionObserverTestsInMemory() : ExecutionObserverTests(QueueKind.Memory);

public sealed class ExecutionObserverTestsOnSqlite() : ExecutionObserverTests(QueueKind.Sqlite);

public sealed class ExecutionSummaryTestsInMemory() : ExecutionSummaryTests(QueueKind.Memory);

public sealed class ExecutionSummaryTestsOnSqlite() : ExecutionSummaryTests(QueueKind.Sqlite);

public sealed class ExternalTaskTestsInMemory() : ExternalTaskTests(QueueKind.Memory);

public sealed class ExternalTaskTestsOnSqlite() : ExternalTaskTests(QueueKind.Sqlite);

public sealed class WrapperTaskTestsInMemory() : WrapperTaskTests(QueueKind.Memory);

public sealed class WrapperTaskTestsOnSqlite() : WrapperTaskTests(QueueKind.Sqlite);

public sealed class AttemptLoggerTestsInMemory() : AttemptLoggerTests(QueueKind.Memory);

public sealed class AttemptLoggerTestsOnSqlite() : AttemptLoggerTests(QueueKind.Sqlite);

public sealed class GraphBuilderTestsInMemory() : GraphBuilderTests(QueueKind.Memory);

public sealed class GraphBuilderTestsOnSqlite() : GraphBuilderTests(QueueKind.Sqlite);

public sealed class ReadyQueueTestsInMemory() : ReadyQueueTests(QueueKind.Memory);

public sealed class ReadyQueueTestsOnSqlite() : ReadyQueueTests(QueueKind.Sqlite);

public sealed class GraphOrderTestsInMemory() : GraphOrderTests(QueueKind.Memory);

public sealed class GraphOrderTestsOnSqlite() : GraphOrderTests(QueueKind.Sqlite);

public sealed class TaskExclusionTestsInMemory() : TaskExclusionTests(QueueKind.Memory);

public sealed class TaskExclusionTestsOnSqlite() : TaskExclusionTests(QueueKind.Sqlite);

public sealed class DynamicRequirementTestsInMemory() : DynamicRequirementTests(QueueKind.Memory);

public sealed class DynamicRequirementTestsOnSqlite() : DynamicRequirementTests(QueueKind.Sqlite);
