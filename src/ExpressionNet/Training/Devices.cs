using static TorchSharp.torch;

namespace ExpressionNet.Training;

/// <summary>Turns a device setting into a TorchSharp device.</summary>
public static class Devices
{
    /// <summary>
    /// "auto" picks CUDA when a GPU is usable and the CPU otherwise; "cpu" and "cuda" or "cuda:N"
    /// ask for one. Asking for CUDA where there is none is an error, not a silent fallback.
    /// </summary>
    public static Device Resolve(string setting)
    {
        if (string.IsNullOrWhiteSpace(setting) || setting.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        if (setting.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !cuda.is_available())
        {
            throw new ArgumentException(
                $"Device '{setting}' was asked for, but CUDA is not available (is this a TorchBackend=cuda build on a GPU host?).");
        }

        try
        {
            return new Device(setting.ToLowerInvariant());
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"'{setting}' is not a device: use auto, cpu, cuda or cuda:N.", e);
        }
    }
}
