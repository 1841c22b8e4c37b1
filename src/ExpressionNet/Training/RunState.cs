using System.Text.Json;
using static TorchSharp.torch;

namespace ExpressionNet.Training;

/// <summary>
/// What a training run has finished, kept in a work folder so that a new process can resume it:
/// the weights after the last finished epoch and after the best one of the current stage, the
/// weights of each finished stage, and the epoch history. Without a folder it only keeps the best
/// weights, in memory.
/// </summary>
internal sealed class RunState
{
    private const string StateFile = "state.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly string? _folder;
    private readonly Progress _progress;
    private Dictionary<string, Tensor>? _bestInMemory;

    public RunState(string? folder)
    {
        _folder = folder;
        _progress = new Progress();
        if (folder is null)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, StateFile);
        if (File.Exists(path))
        {
            _progress = JsonSerializer.Deserialize<Progress>(File.ReadAllBytes(path), Json) ?? new Progress();
        }
    }

    public IReadOnlyList<EpochResult> History => _progress.History;

    public long StepsDone => _progress.StepsDone;

    public bool IsFinished(TrainingStage stage) => _progress.Finished.Contains(stage);

    public void LoadFinished(TrainingStage stage, nn.Module module) => module.load(PathOf($"{stage}.weights"));

    /// <summary>Restores a stage interrupted mid-way and returns the first epoch still to run (one-based).</summary>
    public int Resume(TrainingStage stage, nn.Module module)
    {
        if (_progress.Current != stage || _progress.EpochsDone == 0)
        {
            _progress.Current = stage;
            _progress.EpochsDone = 0;
            _progress.Best = null;
            return 1;
        }

        module.load(PathOf($"{stage}-last.weights"));
        return _progress.EpochsDone + 1;
    }

    public double? Best(TrainingStage stage) => _progress.Current == stage ? _progress.Best : null;

    public void EpochDone(
        TrainingStage stage, int epoch, nn.Module module, bool improved, double? best,
        IReadOnlyList<EpochResult> history, long stepsDone)
    {
        _progress.Current = stage;
        _progress.EpochsDone = epoch;
        _progress.Best = best;
        _progress.History = history.ToList();
        _progress.StepsDone = stepsDone;

        if (_folder is null)
        {
            if (improved)
            {
                DisposeBest();
                _bestInMemory = module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
            }

            return;
        }

        Save(module, $"{stage}-last.weights");
        if (improved)
        {
            Save(module, $"{stage}-best.weights");
        }

        WriteProgress();
    }

    /// <summary>Puts the best epoch's weights back into the module and records the stage as finished.</summary>
    public void StageDone(TrainingStage stage, nn.Module module)
    {
        if (_folder is null)
        {
            if (_bestInMemory is not null)
            {
                module.load_state_dict(_bestInMemory);
                DisposeBest();
            }
        }
        else
        {
            var best = PathOf($"{stage}-best.weights");
            if (File.Exists(best))
            {
                module.load(best);
            }

            Save(module, $"{stage}.weights");
        }

        _progress.Finished.Add(stage);
        _progress.Current = null;
        _progress.EpochsDone = 0;
        _progress.Best = null;
        if (_folder is not null)
        {
            WriteProgress();
        }
    }

    private void Save(nn.Module module, string name)
    {
        // Write beside the target and rename, so a crash never leaves a torn checkpoint.
        var target = PathOf(name);
        var temporary = target + ".tmp";
        module.save(temporary);
        File.Move(temporary, target, overwrite: true);
    }

    private void WriteProgress()
    {
        var target = PathOf(StateFile);
        var temporary = target + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(_progress, Json));
        File.Move(temporary, target, overwrite: true);
    }

    private string PathOf(string name) => Path.Combine(_folder!, name);

    private void DisposeBest()
    {
        if (_bestInMemory is null)
        {
            return;
        }

        foreach (var tensor in _bestInMemory.Values)
        {
            tensor.Dispose();
        }

        _bestInMemory = null;
    }

    private sealed class Progress
    {
        public List<TrainingStage> Finished { get; set; } = [];

        public TrainingStage? Current { get; set; }

        public int EpochsDone { get; set; }

        public double? Best { get; set; }

        public long StepsDone { get; set; }

        public List<EpochResult> History { get; set; } = [];
    }
}
