using System.ComponentModel.DataAnnotations;

namespace ExpressionService.Jobs;

/// <summary>Settings of the training-job runner and its store.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// Whether this instance runs jobs. Every instance accepts and reports them; with several
    /// replicas sharing one database, exactly one should run them.
    /// </summary>
    public bool RunnerEnabled { get; set; } = true;

    /// <summary>The SQLite database file that keeps jobs across restarts (relative to the content root).</summary>
    [Required]
    public string Database { get; set; } = "data/jobs.db";

    /// <summary>Where each job keeps its per-epoch checkpoints and its trained model (relative to the content root).</summary>
    [Required]
    public string WorkRoot { get; set; } = "data/jobs";

    /// <summary>The folder job data sets are taken from; a job names a path inside it (relative to the content root).</summary>
    [Required]
    public string DataRoot { get; set; } = "data/datasets";

    /// <summary>Jobs running at once.</summary>
    [Range(1, 64)]
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>CPU threads one job's tensor work may use; 0 leaves half the cores (at least one) to serving.</summary>
    [Range(0, 1024)]
    public int TrainingThreads { get; set; }

    /// <summary>Fewest images a data set must have for a job to be accepted.</summary>
    [Range(2, 1_000_000)]
    public int MinimumImages { get; set; } = 10;

    /// <summary>How often a job that was running when the process stopped is resumed before it is failed as interrupted.</summary>
    [Range(0, 100)]
    public int MaxResumes { get; set; } = 3;

    /// <summary>The thread count a job's training uses.</summary>
    public int EffectiveTrainingThreads => TrainingThreads > 0 ? TrainingThreads : Math.Max(1, Environment.ProcessorCount / 2);
}
