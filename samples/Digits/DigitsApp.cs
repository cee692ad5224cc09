using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Backprop.Generated;
using Spectre.Console;

namespace Digits;

/// <summary>The console front end: loads the data, trains with a progress bar, prints the results, writes the files.</summary>
public static class DigitsApp
{
    /// <summary>Runs the sample; returns the process exit code.</summary>
    public static int Run(DigitsSettings settings, string? dataFolder, string outputFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CultureInfo c = CultureInfo.InvariantCulture;
        IAnsiConsole console = CreateConsole();

        var loadClock = Stopwatch.StartNew();
        DigitsData data;
        try
        {
            data = DigitsData.Load(dataFolder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            console.MarkupLineInterpolated($"[red]Cannot load the digits data:[/] {e.Message}");
            return 2;
        }
        Dataset train = data.ToDataset(data.TrainRows), test = data.ToDataset(data.TestRows);
        loadClock.Stop();

        console.MarkupLineInterpolated($"[bold]Digits[/]: 64 pixels → Dense(32, ReLU) → Dense(10, Softmax), cross-entropy; {train.Count} training / {test.Count} test images (UCI, pixels / 16)");
        console.MarkupLineInterpolated($"{DigitsOutputs.Describe(settings)}");
        console.MarkupLineInterpolated($"[grey]data loaded in {loadClock.Elapsed.TotalMilliseconds.ToString("0", c)} ms[/]");

        DigitsRun run;
        try
        {
            run = Train(console, train, test, settings, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return 130;
        }
        catch (TrainingDivergedException e)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 1;
        }

        console.WriteLine();
        console.Write(ConfusionTable(run.Confusion));
        console.WriteLine();
        int correct = (int)Math.Round(run.TestAccuracy * run.Test.Count);
        console.MarkupLineInterpolated($"[bold]test accuracy {(100 * run.TestAccuracy).ToString("0.00", c)} %[/] ({correct} / {run.Test.Count}), test loss {run.Test.Loss.ToString("0.0000", c)}");
        double ms = run.TrainingTime.TotalMilliseconds;
        console.MarkupLineInterpolated(
            $"[bold]training time {ms.ToString("0", c)} ms[/] for {run.History.Epochs.Count} epochs ({(ms / run.History.Epochs.Count).ToString("0.00", c)} ms each; process CPU time {run.TrainingCpuTime.TotalMilliseconds.ToString("0", c)} ms)");
        console.MarkupLine("[grey]timed: the epochs, the weight averaging and the per-epoch test evaluations for the curves; not the data loading, nor a one-epoch JIT warm-up before[/]");

        DigitsOutputFiles files = DigitsOutputs.Write(run, settings, outputFolder);
        console.MarkupLineInterpolated($"weights  {files.Weights}");
        console.MarkupLineInterpolated($"curves   {files.Curves}");
        console.MarkupLineInterpolated($"history  {files.History}");
        if (files.GradientNorms is not null) console.MarkupLineInterpolated($"gradient norms  {files.GradientNorms}");
        if (files.Activity is not null) console.MarkupLineInterpolated($"layer activity  {files.Activity}");
        return 0;
    }

    private static DigitsRun Train(IAnsiConsole console, Dataset train, Dataset test, DigitsSettings settings, CancellationToken cancellationToken)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        if (!console.Profile.Capabilities.Interactive)
        {
            // Plain lines (CI, pipes): about ten of them, and the last epoch.
            int every = Math.Max(1, settings.Epochs / 10);
            var lines = new SyncProgress(r =>
            {
                if (r.Epoch == 1 || r.Epoch % every == 0 || r.Epoch == settings.Epochs)
                    console.WriteLine(string.Create(c, $"epoch {r.Epoch,4}/{settings.Epochs}  train loss {r.TrainLoss:0.0000}  test loss {r.ValidationLoss:0.0000}  test accuracy {100 * r.ValidationAccuracy:0.00} %  lr {r.LearningRate:0.#####}"));
            });
            return DigitsTraining.Train(train, test, settings, test, lines, warmUp: true, cancellationToken);
        }

        DigitsRun? result = null;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("training", maxValue: settings.Epochs);
                var progress = new SyncProgress(r =>
                {
                    task.Description = string.Create(c, $"epoch {r.Epoch,3}/{settings.Epochs}  loss {r.TrainLoss:0.0000}  test {100 * r.ValidationAccuracy:0.00} %");
                    task.Value = r.Epoch;
                });
                result = DigitsTraining.Train(train, test, settings, test, progress, warmUp: true, cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    /// <summary>
    /// The terminal as Spectre.Console detects it; when the output is redirected (CI logs, pipes, files), a plain
    /// console: no colours, no escape codes, no live progress bar.
    /// </summary>
    public static IAnsiConsole CreateConsole()
    {
        if (!Console.IsOutputRedirected) return AnsiConsole.Console;
        IAnsiConsole plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        plain.Profile.Width = 160; // a log has no width; do not wrap lines at 80 columns
        return plain;
    }

    /// <summary>The confusion matrix as a table: rows the true digit, columns the predicted one, with per-digit recall.</summary>
    public static Table ConfusionTable(int[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = confusion.GetLength(0);
        var table = new Table().Border(TableBorder.Rounded).Title("Test set confusion matrix: true digit × predicted");
        table.AddColumn(new TableColumn("true").RightAligned());
        for (int p = 0; p < classes; p++) table.AddColumn(new TableColumn(p.ToString(CultureInfo.InvariantCulture)).RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        for (int t = 0; t < classes; t++)
        {
            var cells = new Spectre.Console.Rendering.IRenderable[classes + 2];
            cells[0] = new Markup($"[bold]{t}[/]");
            int total = 0;
            for (int p = 0; p < classes; p++)
            {
                int n = confusion[t, p];
                total += n;
                string style = p == t ? "green" : n > 0 ? "red" : "grey";
                cells[p + 1] = new Markup($"[{style}]{n.ToString(CultureInfo.InvariantCulture)}[/]");
            }
            double recall = total == 0 ? 0 : (double)confusion[t, t] / total;
            cells[^1] = new Text((100 * recall).ToString("0.0", CultureInfo.InvariantCulture) + " %");
            table.AddRow(cells);
        }
        return table;
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SyncProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
