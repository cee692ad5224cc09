using System;
using System.CommandLine;
using System.IO;
using System.Threading.Tasks;
using Digits;

// Trains DigitsNet (64-32-10) on the UCI handwritten digits, fixed 1437 / 360 split; see README.md, "Digits".
var defaults = new DigitsSettings();

var optimizerOption = new Option<string>("--optimizer", "-o")
{
    Description = "sgd, momentum (Nesterov, 0.9), adam or rmsprop",
    DefaultValueFactory = _ => DigitsTraining.OptimizerName(defaults.Optimizer),
};
optimizerOption.AcceptOnlyFromAmong("sgd", "momentum", "adam", "rmsprop");
var learningRateOption = new Option<float?>("--learning-rate", "--lr")
{
    Description = "Learning rate [default: sgd 0.3, momentum 0.15, adam 0.003, rmsprop 0.001]",
    HelpName = "rate",
};
var batchSizeOption = new Option<int>("--batch-size", "-b") { Description = "Samples per step", HelpName = "n", DefaultValueFactory = _ => defaults.BatchSize };
var epochsOption = new Option<int>("--epochs", "-e") { Description = "Passes over the 1437 training images", HelpName = "n", DefaultValueFactory = _ => defaults.Epochs };
var seedOption = new Option<int>("--seed", "-s") { Description = "Seeds the initial weights and the shuffling", HelpName = "n", DefaultValueFactory = _ => defaults.Seed };
var scheduleOption = new Option<string>("--schedule")
{
    Description = "Learning-rate schedule: constant or cosine",
    DefaultValueFactory = _ => defaults.Schedule.ToString().ToLowerInvariant(),
};
scheduleOption.AcceptOnlyFromAmong("constant", "cosine");
var l2Option = new Option<float>("--l2") { Description = "L2 penalty on the weights (not the biases)", HelpName = "strength", DefaultValueFactory = _ => defaults.L2 };
var averageOption = new Option<double>("--average")
{
    Description = "Fraction of the epochs, at the end, whose weights are averaged into the final network (0 = off)",
    HelpName = "fraction",
    DefaultValueFactory = _ => defaults.AveragedFraction,
};
var outputOption = new Option<DirectoryInfo>("--output")
{
    Description = "Folder for digits.safetensors, curves.svg and history.csv [default: samples/Digits/out]",
    HelpName = "folder",
};
var layerStatisticsOption = new Option<bool>("--layer-statistics")
{
    Description = "Measure every layer each epoch (gradient norms, dead units) and write gradient-norms.svg, layer-activity.svg and their history.csv columns",
};
var dataOption = new Option<DirectoryInfo>("--data") { Description = "Folder with digits.csv.gz and digits_split.json [default: the copy next to the program]", HelpName = "folder" };

batchSizeOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch-size must be at least 1."); });
epochsOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--epochs must be at least 1."); });
learningRateOption.Validators.Add(r => { if (r.GetValueOrDefault<float?>() is float v && !(v > 0 && float.IsFinite(v))) r.AddError("--learning-rate must be a positive number."); });
l2Option.Validators.Add(r => { if (!(r.GetValueOrDefault<float>() >= 0)) r.AddError("--l2 must be a number >= 0."); });
averageOption.Validators.Add(r => { double v = r.GetValueOrDefault<double>(); if (!(v >= 0 && v <= 1)) r.AddError("--average must be in [0, 1]."); });

var root = new RootCommand("Trains a 64-32-10 network (ReLU, softmax, cross-entropy) on the UCI handwritten digits, 1437 training / 360 test images.")
{
    optimizerOption, learningRateOption, batchSizeOption, epochsOption, seedOption, scheduleOption, l2Option, averageOption, layerStatisticsOption, outputOption, dataOption,
};
root.SetAction((parse, cancellationToken) =>
{
    var settings = new DigitsSettings
    {
        Optimizer = Enum.Parse<OptimizerKind>(parse.GetValue(optimizerOption)!, ignoreCase: true),
        LearningRate = parse.GetValue(learningRateOption),
        BatchSize = parse.GetValue(batchSizeOption),
        Epochs = parse.GetValue(epochsOption),
        Seed = parse.GetValue(seedOption),
        Schedule = Enum.Parse<ScheduleKind>(parse.GetValue(scheduleOption)!, ignoreCase: true),
        L2 = parse.GetValue(l2Option),
        AveragedFraction = parse.GetValue(averageOption),
        LayerStatistics = parse.GetValue(layerStatisticsOption),
    };
    string output = parse.GetValue(outputOption)?.FullName ?? DigitsOutputs.DefaultFolder;
    return Task.FromResult(DigitsApp.Run(settings, parse.GetValue(dataOption)?.FullName, output, cancellationToken));
});
return await root.Parse(args).InvokeAsync();
