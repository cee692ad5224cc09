using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Backprop.Generated;
using Backprop.Generated.Samples.Charts;

namespace FashionMnist;

/// <summary>The files a run leaves behind.</summary>
/// <param name="Weights">The trained weights, safetensors (PyTorch's names and layout: pytorch/train_reference.py loads them).</param>
/// <param name="Curves">Loss and accuracy per epoch, SVG.</param>
/// <param name="History">The per-epoch figures, CSV.</param>
public sealed record FashionOutputFiles(string Weights, string Curves, string History);

/// <summary>Writes a run's weights, curves and history into a folder, each file atomically (a temporary file, then a rename).</summary>
public static class FashionOutputs
{
    /// <summary>The weights file name.</summary>
    public const string WeightsFileName = "fashion_cnn.safetensors";

    /// <summary>The curves file name.</summary>
    public const string CurvesFileName = "curves.svg";

    /// <summary>The history file name.</summary>
    public const string HistoryFileName = "history.csv";

    /// <summary>
    /// The default output folder: <c>out/</c> beside <c>FashionMnist.csproj</c> when the program runs from its build
    /// folder (<c>samples/FashionMnist/out/</c>, git-ignored), else <c>fashion-mnist-out/</c> in the current folder.
    /// </summary>
    public static string DefaultFolder
    {
        get
        {
            for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "FashionMnist.csproj"))) return Path.Combine(folder.FullName, "out");
            }
            return Path.GetFullPath("fashion-mnist-out");
        }
    }

    /// <summary>Creates <paramref name="folder"/> if needed and writes the three files into it.</summary>
    /// <param name="run">The run.</param>
    /// <param name="settings">How it was trained (in the weights' metadata and the chart title).</param>
    /// <param name="monitorName">What the per-epoch evaluations measured: <c>test</c> or <c>validation</c>.</param>
    /// <param name="folder">The output folder.</param>
    public static FashionOutputFiles Write(FashionRun run, FashionSettings settings, string monitorName, string folder)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(folder);
        Directory.CreateDirectory(folder);
        var files = new FashionOutputFiles(Path.Combine(folder, WeightsFileName), Path.Combine(folder, CurvesFileName), Path.Combine(folder, HistoryFileName));

        CultureInfo c = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            ["network"] = "FashionCnn: 1x28x28 -> Conv2D(16, 5x5, pad 2, relu) -> MaxPool 2 -> Conv2D(32, 5x5, pad 2, relu) -> MaxPool 2 -> Dense(10, softmax), cross-entropy",
            ["data"] = "Fashion-MNIST (Zalando, MIT licence), pixels / 255",
            ["settings"] = settings.Describe(),
            ["test_accuracy"] = run.TestAccuracy.ToString("R", c),
        };
        run.Network.SaveWeights(files.Weights, metadata); // atomic: a temporary file in the folder, then a rename

        string title = $"Fashion-MNIST CNN: {settings.Describe()}";
        WriteAtomically(files.Curves, CurvesChart.ToSvg(run.Epochs, title, run.TestAccuracy));
        WriteAtomically(files.History, HistoryCsv(run, monitorName));
        return files;
    }

    /// <summary>
    /// <c>epoch,train_loss,{monitor}_loss,{monitor}_accuracy,learning_rate,train_seconds,train_cpu_seconds,elapsed_seconds</c>, one line
    /// per epoch, invariant-culture round-trip numbers; <c>train_seconds</c> is the epoch's training steps alone (<c>train_cpu_seconds</c> their process CPU time),
    /// <c>elapsed_seconds</c> the time since training started, with the evaluations.
    /// </summary>
    public static string HistoryCsv(FashionRun run, string monitorName)
    {
        ArgumentNullException.ThrowIfNull(run);
        CultureInfo c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"epoch,train_loss,{monitorName}_loss,{monitorName}_accuracy,learning_rate,train_seconds,train_cpu_seconds,elapsed_seconds\n");
        for (int i = 0; i < run.Epochs.Count; i++)
        {
            EpochReport r = run.Epochs[i];
            text.Append(c, $"{r.Epoch},{r.TrainLoss:R},{r.ValidationLoss:R},{r.ValidationAccuracy:R},{r.LearningRate:R},{run.EpochTrainTimes[i].TotalSeconds:R},{run.EpochCpuTimes[i].TotalSeconds:R},{r.Elapsed.TotalSeconds:R}\n");
        }
        return text.ToString();
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to a temporary file beside <paramref name="path"/>, then renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
