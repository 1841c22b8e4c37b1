using System.Globalization;
using System.Text.Json;
using ExpressionNet.Training;
using ExpressionService.Registry;
using Microsoft.Data.Sqlite;

namespace ExpressionService.Jobs;

/// <summary>
/// Jobs in an SQLite database, so that they survive restarts: each job's spec, state, stage,
/// progress, transitions, per-epoch measurements, log lines and outcome.
/// </summary>
public sealed class JobStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;

    public JobStore(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
        }.ToString();
        CreateSchema();
    }

    /// <summary>
    /// Adds a queued job. With an idempotency key already used, returns that job instead and sets
    /// <paramref name="created"/> to false.
    /// </summary>
    public Job Create(JobSpec spec, string? idempotencyKey, out bool created)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        if (idempotencyKey is not null
            && Scalar<string>(connection, "SELECT id FROM jobs WHERE idempotency_key = $key", ("$key", idempotencyKey)) is { } existing)
        {
            created = false;
            return Get(connection, existing)!;
        }

        var id = Guid.CreateVersion7().ToString("N");
        var now = Now();
        Execute(connection,
            """
            INSERT INTO jobs (id, idempotency_key, spec, state, created_at, updated_at, runs)
            VALUES ($id, $key, $spec, $state, $now, $now, 0)
            """,
            ("$id", id), ("$key", (object?)idempotencyKey ?? DBNull.Value), ("$spec", JsonSerializer.Serialize(spec, Json)),
            ("$state", Name(JobState.Queued)), ("$now", now));
        AddTransition(connection, id, JobState.Queued, null, now);
        transaction.Commit();
        created = true;
        return Get(connection, id)!;
    }

    /// <summary>A job with its transitions and epochs, or null.</summary>
    public Job? Get(string id)
    {
        using var connection = Open();
        return Get(connection, id);
    }

    /// <summary>A page of jobs, newest first, optionally in one state.</summary>
    public JobPage List(JobState? state, int page, int pageSize)
    {
        using var connection = Open();
        var filter = state is null ? "" : "WHERE state = $state";
        var parameters = state is null ? [] : new[] { ("$state", (object)Name(state.Value)) };
        var total = (int)Scalar<long>(connection, $"SELECT COUNT(*) FROM jobs {filter}", parameters);

        using var command = Command(connection,
            $"SELECT id FROM jobs {filter} ORDER BY seq DESC LIMIT $limit OFFSET $offset",
            [.. parameters, ("$limit", pageSize), ("$offset", (page - 1) * pageSize)]);
        var ids = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        return new JobPage(ids.Select(id => Get(connection, id)!).ToList(), page, pageSize, total);
    }

    /// <summary>Marks the oldest queued job running and returns it; null when none is queued.</summary>
    public Job? ClaimNext()
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var id = Scalar<string>(connection, "SELECT id FROM jobs WHERE state = $queued ORDER BY seq LIMIT 1",
            ("$queued", Name(JobState.Queued)));
        if (id is null)
        {
            return null;
        }

        var now = Now();
        Execute(connection, "UPDATE jobs SET state = $running, updated_at = $now, runs = runs + 1 WHERE id = $id",
            ("$running", Name(JobState.Running)), ("$now", now), ("$id", id));
        AddTransition(connection, id, JobState.Running, null, now);
        transaction.Commit();
        return Get(connection, id);
    }

    /// <summary>Records the stage a running job entered.</summary>
    public void SetStage(string id, JobStage stage)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var now = Now();
        Execute(connection, "UPDATE jobs SET stage = $stage, updated_at = $now WHERE id = $id",
            ("$stage", Name(stage)), ("$now", now), ("$id", id));
        var state = Enum.Parse<JobState>(Scalar<string>(connection, "SELECT state FROM jobs WHERE id = $id", ("$id", id))!, ignoreCase: true);
        AddTransition(connection, id, state, stage, now);
        transaction.Commit();
    }

    /// <summary>Records how far a running job has got.</summary>
    public void SetProgress(string id, JobProgress progress)
    {
        using var connection = Open();
        Execute(connection, "UPDATE jobs SET progress = $progress, updated_at = $now WHERE id = $id",
            ("$progress", JsonSerializer.Serialize(progress, Json)), ("$now", Now()), ("$id", id));
    }

    /// <summary>Records an epoch's measurements (again, if a resumed job repeats it).</summary>
    public void AddEpoch(string id, EpochResult epoch)
    {
        using var connection = Open();
        Execute(connection,
            "INSERT OR REPLACE INTO job_epochs (job_id, stage, epoch, result) VALUES ($id, $stage, $epoch, $result)",
            ("$id", id), ("$stage", epoch.Stage.ToString()), ("$epoch", epoch.Epoch), ("$result", JsonSerializer.Serialize(epoch, Json)));
    }

    /// <summary>Appends a line to the job's own log.</summary>
    public void AddLog(string id, string level, string message)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO job_logs (job_id, at, level, message) VALUES ($id, $at, $level, $message)",
            ("$id", id), ("$at", Now()), ("$level", level), ("$message", message));
    }

    /// <summary>The job's log lines, oldest first.</summary>
    public IReadOnlyList<JobLogLine> Logs(string id)
    {
        using var connection = Open();
        using var command = Command(connection, "SELECT at, level, message FROM job_logs WHERE job_id = $id ORDER BY seq", [("$id", id)]);
        using var reader = command.ExecuteReader();
        var lines = new List<JobLogLine>();
        while (reader.Read())
        {
            lines.Add(new JobLogLine(ParseTime(reader.GetString(0)), reader.GetString(1), reader.GetString(2)));
        }

        return lines;
    }

    /// <summary>Records the version a job published.</summary>
    public void SetPublished(string id, ModelVersionRef version, bool promoted)
    {
        using var connection = Open();
        Execute(connection,
            "UPDATE jobs SET published_model = $model, published_version = $version, promoted = $promoted, updated_at = $now WHERE id = $id",
            ("$model", version.Model), ("$version", version.Version), ("$promoted", promoted ? 1 : 0), ("$now", Now()), ("$id", id));
    }

    /// <summary>Moves a job to a new state (a finished one, or back to queued), with an optional reason.</summary>
    public void SetState(string id, JobState state, string? failure = null)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var now = Now();
        var stage = state is JobState.Running or JobState.Cancelling ? "stage" : "NULL";
        Execute(connection, $"UPDATE jobs SET state = $state, stage = {stage}, failure = $failure, updated_at = $now WHERE id = $id",
            ("$state", Name(state)), ("$failure", (object?)failure ?? DBNull.Value), ("$now", now), ("$id", id));
        AddTransition(connection, id, state, null, now);
        transaction.Commit();
    }

    /// <summary>
    /// Asks a job to stop: a queued one is cancelled at once, a running one becomes cancelling.
    /// Returns the job as it now is, or null when there is no such job.
    /// </summary>
    public Job? RequestCancel(string id)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var current = Get(connection, id);
        if (current is null || current.IsFinished || current.State == JobState.Cancelling)
        {
            return current;
        }

        var next = current.State == JobState.Queued ? JobState.Cancelled : JobState.Cancelling;
        var now = Now();
        Execute(connection, "UPDATE jobs SET state = $state, updated_at = $now WHERE id = $id",
            ("$state", Name(next)), ("$now", now), ("$id", id));
        AddTransition(connection, id, next, current.Stage, now);
        transaction.Commit();
        return Get(connection, id);
    }

    /// <summary>A job's state alone, or null; cheap enough to poll.</summary>
    public JobState? StateOf(string id)
    {
        using var connection = Open();
        return Scalar<string>(connection, "SELECT state FROM jobs WHERE id = $id", ("$id", id)) is { } state
            ? ParseEnum<JobState>(state)
            : null;
    }

    /// <summary>How many times a job has been started, counting resumes.</summary>
    public int Runs(string id)
    {
        using var connection = Open();
        return (int)Scalar<long>(connection, "SELECT runs FROM jobs WHERE id = $id", ("$id", id));
    }

    /// <summary>Jobs a previous process left running or cancelling.</summary>
    public IReadOnlyList<Job> Unfinished()
    {
        using var connection = Open();
        using var command = Command(connection, "SELECT id FROM jobs WHERE state IN ($running, $cancelling) ORDER BY seq",
            [("$running", Name(JobState.Running)), ("$cancelling", Name(JobState.Cancelling))]);
        var ids = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        return ids.Select(id => Get(connection, id)!).ToList();
    }

    private static Job? Get(SqliteConnection connection, string id)
    {
        using var command = Command(connection,
            """
            SELECT state, stage, created_at, updated_at, progress, failure, published_model, published_version, promoted, spec
            FROM jobs WHERE id = $id
            """, [("$id", id)]);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var published = reader.IsDBNull(6) ? null : new ModelVersionRef(reader.GetString(6), reader.GetInt32(7));
        return new Job(
            id,
            ParseEnum<JobState>(reader.GetString(0)),
            reader.IsDBNull(1) ? null : ParseEnum<JobStage>(reader.GetString(1)),
            ParseTime(reader.GetString(2)),
            ParseTime(reader.GetString(3)),
            reader.IsDBNull(4) ? null : JsonSerializer.Deserialize<JobProgress>(reader.GetString(4), Json),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            published,
            reader.GetInt32(8) != 0,
            JsonSerializer.Deserialize<JobSpec>(reader.GetString(9), Json)!,
            Transitions(connection, id),
            Epochs(connection, id));
    }

    private static List<JobTransition> Transitions(SqliteConnection connection, string id)
    {
        using var command = Command(connection, "SELECT state, stage, at FROM job_transitions WHERE job_id = $id ORDER BY seq", [("$id", id)]);
        using var reader = command.ExecuteReader();
        var transitions = new List<JobTransition>();
        while (reader.Read())
        {
            transitions.Add(new JobTransition(
                ParseEnum<JobState>(reader.GetString(0)),
                reader.IsDBNull(1) ? null : ParseEnum<JobStage>(reader.GetString(1)),
                ParseTime(reader.GetString(2))));
        }

        return transitions;
    }

    private static List<EpochResult> Epochs(SqliteConnection connection, string id)
    {
        using var command = Command(connection, "SELECT result FROM job_epochs WHERE job_id = $id ORDER BY rowid", [("$id", id)]);
        using var reader = command.ExecuteReader();
        var epochs = new List<EpochResult>();
        while (reader.Read())
        {
            epochs.Add(JsonSerializer.Deserialize<EpochResult>(reader.GetString(0), Json)!);
        }

        return epochs;
    }

    private static void AddTransition(SqliteConnection connection, string id, JobState state, JobStage? stage, string at) =>
        Execute(connection, "INSERT INTO job_transitions (job_id, state, stage, at) VALUES ($id, $state, $stage, $at)",
            ("$id", id), ("$state", Name(state)), ("$stage", stage is null ? DBNull.Value : Name(stage.Value)), ("$at", at));

    private void CreateSchema()
    {
        using var connection = Open();

        // Write-ahead logging lets the API read while the runner writes.
        Execute(connection, "PRAGMA journal_mode = WAL");
        Execute(connection,
            """
            CREATE TABLE IF NOT EXISTS jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                idempotency_key TEXT UNIQUE,
                spec TEXT NOT NULL,
                state TEXT NOT NULL,
                stage TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                progress TEXT,
                failure TEXT,
                published_model TEXT,
                published_version INTEGER,
                promoted INTEGER NOT NULL DEFAULT 0,
                runs INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, seq);
            CREATE TABLE IF NOT EXISTS job_transitions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id TEXT NOT NULL REFERENCES jobs (id),
                state TEXT NOT NULL,
                stage TEXT,
                at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS job_transitions_by_job ON job_transitions (job_id, seq);
            CREATE TABLE IF NOT EXISTS job_epochs (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                stage TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                result TEXT NOT NULL,
                PRIMARY KEY (job_id, stage, epoch)
            );
            CREATE TABLE IF NOT EXISTS job_logs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id TEXT NOT NULL REFERENCES jobs (id),
                at TEXT NOT NULL,
                level TEXT NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS job_logs_by_job ON job_logs (job_id, seq);
            """);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, IEnumerable<(string Name, object Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static T? Scalar<T>(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)value;
    }

    private static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static T ParseEnum<T>(string value)
        where T : struct, Enum => Enum.Parse<T>(value, ignoreCase: true);

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);
}
