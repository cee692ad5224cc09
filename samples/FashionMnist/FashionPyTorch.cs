using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;

namespace FashionMnist;

/// <summary>PyTorch's result for the same network, recipe, seed and thread count (pytorch/train_reference.py).</summary>
/// <param name="TestAccuracy">Accuracy on the test images, in [0, 1].</param>
/// <param name="SecondsPerEpoch">Mean wall-clock seconds of an epoch's training steps (no evaluation).</param>
/// <param name="CpuSecondsPerEpoch">Mean process CPU seconds of an epoch's training steps.</param>
/// <param name="TorchVersion">torch.__version__.</param>
/// <param name="Command">The command that ran.</param>
public sealed record PyTorchResult(double TestAccuracy, double SecondsPerEpoch, double CpuSecondsPerEpoch, string TorchVersion, string Command);

/// <summary>Runs the PyTorch reference script for comparison, where <c>/usr/bin/python3</c> has torch.</summary>
public static class FashionPyTorch
{
    /// <summary>The interpreter: Debian's, which has torch when <c>python3-torch</c> is installed.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The script, copied next to the program.</summary>
    public static string Script => Path.Combine(AppContext.BaseDirectory, "pytorch", "train_reference.py");

    /// <summary>Null when PyTorch can run; else why not (no interpreter, no torch, no script).</summary>
    public static string? WhyUnavailable()
    {
        if (!File.Exists(Python)) return $"{Python} does not exist.";
        if (!File.Exists(Script)) return $"The reference script {Script} is missing.";
        try
        {
            using var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            check.StandardError.ReadToEnd();
            if (!check.WaitForExit(60_000)) { check.Kill(); return $"{Python} -c 'import torch' did not finish in a minute."; }
            return check.ExitCode == 0 ? null : $"{Python} has no torch (apt-get install python3-torch).";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Python} cannot be started: {e.Message}";
        }
    }

    /// <summary>
    /// Trains the network with PyTorch on the same data folder, recipe, seed and thread count; <paramref name="onLine"/>
    /// receives the script's output lines as they come.
    /// </summary>
    /// <exception cref="InvalidOperationException">The script failed; the message holds its exit code and last error lines.</exception>
    public static PyTorchResult Run(string dataFolder, FashionSettings settings, Action<string> onLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataFolder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(onLine);
        CultureInfo c = CultureInfo.InvariantCulture;
        string[] arguments =
        [
            Script, "--data", dataFolder, "--seeds", settings.Seed.ToString(c), "--epochs", settings.Epochs.ToString(c),
            "--lr", settings.LearningRate.ToString("R", c), "--schedule", settings.Schedule == FashionSchedule.Cosine ? "cosine" : "constant",
            "--weight-decay", settings.WeightDecay.ToString("R", c), "--batch-size", settings.BatchSize.ToString(c), "--threads", settings.Threads.ToString(c),
        ];
        string command = Python + " " + string.Join(" ", arguments);
        var start = new ProcessStartInfo(Python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        using CancellationTokenRegistration stop = cancellationToken.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        string? result = null;
        for (string? line; (line = process.StandardOutput.ReadLine()) is not null;)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal)) result = line["RESULT ".Length..];
            else onLine(line);
        }
        process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0 || result is null)
        {
            string tail;
            lock (errors) tail = errors.ToString().Trim();
            if (tail.Length > 2000) tail = "..." + tail[^2000..];
            throw new InvalidOperationException($"{command} exited with code {process.ExitCode}{(result is null ? " without a RESULT line" : "")}: {tail}");
        }
        using JsonDocument json = JsonDocument.Parse(result);
        JsonElement run = json.RootElement.GetProperty("runs")[0];
        return new PyTorchResult(
            run.GetProperty("test_accuracy").GetDouble(),
            run.GetProperty("seconds_per_epoch").GetDouble(),
            run.GetProperty("cpu_seconds_per_epoch").GetDouble(),
            json.RootElement.GetProperty("environment").GetProperty("torch").GetString() ?? "?",
            command);
    }
}
