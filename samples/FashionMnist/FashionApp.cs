using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Backprop.Generated;
using Spectre.Console;

namespace FashionMnist;

/// <summary>The console front end: finds and loads the data, trains with a progress bar, prints the results, writes the files, and runs PyTorch on request.</summary>
public static class FashionApp
{
    /// <summary>The validation split's seed (<see cref="Dataset.StratifiedSplit"/>): 5,000 of each class's 6,000 training images train, 1,000 validate.</summary>
    public const int ValidationSplitSeed = 2026;

    /// <summary>Runs the sample; returns the process exit code.</summary>
    /// <param name="settings">How to train.</param>
    /// <param name="dataFolder">The <c>--data</c> folder, or null for Debian's.</param>
    /// <param name="outputFolder">Where the weights, curves and history go.</param>
    /// <param name="validation">Hold out a stratified sixth of the training images and report on it; the test images are not read.</param>
    /// <param name="pytorch">Also train the same network with PyTorch, for comparison.</param>
    /// <param name="cancellationToken">Stops training.</param>
    public static int Run(FashionSettings settings, string? dataFolder, string outputFolder, bool validation, bool pytorch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CultureInfo c = CultureInfo.InvariantCulture;
        IAnsiConsole console = CreateConsole();

        string? folder = FashionData.Locate(dataFolder);
        if (folder is null)
        {
            console.MarkupLineInterpolated($"[red]{FashionData.MissingMessage}[/]");
            return 2;
        }
        var loadClock = Stopwatch.StartNew();
        FashionData data;
        try
        {
            data = FashionData.Load(folder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            console.MarkupLineInterpolated($"[red]Cannot load Fashion-MNIST:[/] {e.Message}");
            return 2;
        }
        loadClock.Stop();

        Dataset train = data.Train, evaluated = data.Test;
        string monitorName = "test";
        if (validation)
        {
            (train, evaluated) = data.Train.StratifiedSplit(5.0 / 6.0, ValidationSplitSeed);
            monitorName = "validation";
        }

        console.MarkupLineInterpolated($"[bold]Fashion-MNIST[/]: 1×28×28 → Conv2D(16, 5×5, pad 2, ReLU) → MaxPool 2 → Conv2D(32, 5×5, pad 2, ReLU) → MaxPool 2 → Dense(10, Softmax)");
        console.MarkupLineInterpolated($"cross-entropy, {FashionCnn.ParameterCount:N0} parameters; {train.Count:N0} training / {evaluated.Count:N0} {monitorName} images from {data.Folder} (pixels / 255; loaded in {loadClock.Elapsed.TotalSeconds.ToString("0.0", c)} s)");
        if (validation) console.MarkupLine("[grey]validation mode: a stratified sixth of the training images is held out (split seed 2026); the test images are not read[/]");
        console.MarkupLineInterpolated($"{settings.Describe()}");

        FashionRun run;
        try
        {
            run = Train(console, train, evaluated, monitorName, settings, cancellationToken);
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
        console.Write(ConfusionTable(run.Confusion, monitorName));
        console.WriteLine();
        int correct = (int)Math.Round(run.TestAccuracy * run.Test.Count);
        console.MarkupLineInterpolated($"[bold]{monitorName} accuracy {(100 * run.TestAccuracy).ToString("0.00", c)} %[/] ({correct:N0} / {run.Test.Count:N0}), {monitorName} loss {run.Test.Loss.ToString("0.0000", c)}");
        console.MarkupLineInterpolated(
            $"[bold]training time {run.TrainingTime.TotalSeconds.ToString("0.0", c)} s[/] for {run.Epochs.Count} epochs ({run.TimePerEpoch.TotalSeconds.ToString("0.00", c)} s each, process CPU time {run.CpuTimePerEpoch.TotalSeconds.ToString("0.00", c)} s each; with the per-epoch {monitorName} evaluations {run.Epochs[^1].Elapsed.TotalSeconds.ToString("0.0", c)} s)");
        console.MarkupLine("[grey]timed: each epoch's training steps; not the data loading, the evaluations, nor a few-batch JIT warm-up before[/]");

        FashionOutputFiles files = FashionOutputs.Write(run, settings, monitorName, outputFolder);
        console.MarkupLineInterpolated($"weights  {files.Weights}");
        console.MarkupLineInterpolated($"curves   {files.Curves}");
        console.MarkupLineInterpolated($"history  {files.History}");

        if (pytorch) return ComparePyTorch(console, data.Folder, settings, run, validation, cancellationToken);
        return 0;
    }

    private static int ComparePyTorch(IAnsiConsole console, string folder, FashionSettings settings, FashionRun run, bool validation, CancellationToken cancellationToken)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        console.WriteLine();
        if (validation)
        {
            console.MarkupLine("[yellow]--pytorch compares test accuracy; it is skipped in validation mode (pytorch/train_reference.py --validate chooses recipes on its own split).[/]");
            return 0;
        }
        if (FashionPyTorch.WhyUnavailable() is string why)
        {
            console.MarkupLineInterpolated($"[yellow]PyTorch comparison skipped: {why}[/]");
            return 0;
        }
        console.MarkupLine("[bold]PyTorch[/], same network, initialisation rule, recipe, seed and threads (its own random numbers):");
        PyTorchResult torch;
        try
        {
            torch = FashionPyTorch.Run(folder, settings, line => console.MarkupLineInterpolated($"[grey]  {line}[/]"), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return 130;
        }
        catch (InvalidOperationException e)
        {
            console.MarkupLineInterpolated($"[red]PyTorch failed:[/] {e.Message}");
            return 1;
        }
        var table = new Table().Border(TableBorder.Rounded).Title($"Same recipe, seed {settings.Seed}, {settings.Threads} thread(s), measured in this run");
        table.AddColumn("");
        table.AddColumn(new TableColumn("test accuracy").RightAligned());
        table.AddColumn(new TableColumn("s / epoch").RightAligned());
        table.AddColumn(new TableColumn("CPU s / epoch").RightAligned());
        table.AddColumn(new TableColumn("speed (CPU time)").RightAligned());
        double ours = run.TimePerEpoch.TotalSeconds, oursCpu = run.CpuTimePerEpoch.TotalSeconds;
        table.AddRow("Backprop.Generated", (100 * run.TestAccuracy).ToString("0.00", c) + " %", ours.ToString("0.00", c), oursCpu.ToString("0.00", c),
            (torch.CpuSecondsPerEpoch / oursCpu).ToString("0.00", c) + "×");
        table.AddRow($"PyTorch {torch.TorchVersion}", (100 * torch.TestAccuracy).ToString("0.00", c) + " %", torch.SecondsPerEpoch.ToString("0.00", c),
            torch.CpuSecondsPerEpoch.ToString("0.00", c), "1.00×");
        console.Write(table);
        console.MarkupLineInterpolated($"[grey]{torch.Command}[/]");
        console.MarkupLine("[grey]speed: PyTorch's CPU time per epoch over ours (the wall clock depends on what else the machine runs); one seed each: accuracies of single runs differ by a few tenths of a percent from seed to seed (docs/fashion-mnist.md has five seeds)[/]");
        return 0;
    }

    private static FashionRun Train(IAnsiConsole console, Dataset train, Dataset evaluated, string monitorName, FashionSettings settings, CancellationToken cancellationToken)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        if (!console.Profile.Capabilities.Interactive)
        {
            // Plain lines (CI, pipes): one per epoch.
            return FashionTraining.Train(train, evaluated, settings, evaluated, r =>
                console.WriteLine(string.Create(c, $"epoch {r.Epoch,3}/{settings.Epochs}  train loss {r.TrainLoss:0.0000}  {monitorName} loss {r.ValidationLoss:0.0000}  {monitorName} accuracy {100 * r.ValidationAccuracy:0.00} %  ({r.Elapsed.TotalSeconds:0.0} s)")),
                warmUp: true, cancellationToken);
        }

        FashionRun? result = null;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask($"epoch   1/{settings.Epochs}", maxValue: settings.Epochs);
                result = FashionTraining.Train(train, evaluated, settings, evaluated, r =>
                {
                    task.Description = string.Create(c, $"epoch {Math.Min(r.Epoch + 1, settings.Epochs),3}/{settings.Epochs}  last: loss {r.TrainLoss:0.0000}  {monitorName} {100 * r.ValidationAccuracy:0.00} %");
                    task.Value = r.Epoch;
                }, warmUp: true, cancellationToken);
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
        plain.Profile.Width = 160;
        return plain;
    }

    /// <summary>The confusion matrix as a table: rows the true class, columns the predicted one (by label number), with per-class recall.</summary>
    public static Table ConfusionTable(int[,] confusion, string setName)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = confusion.GetLength(0);
        var table = new Table().Border(TableBorder.Rounded).Title($"{setName} confusion matrix: true class × predicted label");
        table.AddColumn(new TableColumn("true").RightAligned());
        for (int p = 0; p < classes; p++) table.AddColumn(new TableColumn(p.ToString(CultureInfo.InvariantCulture)).RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        for (int t = 0; t < classes; t++)
        {
            var cells = new Spectre.Console.Rendering.IRenderable[classes + 2];
            string name = t < FashionData.ClassNames.Count ? FashionData.ClassNames[t] : "";
            cells[0] = new Markup($"[bold]{Markup.Escape($"{name} {t}")}[/]");
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
}
