using System.CommandLine;
using System.IO;
using System.Threading.Tasks;
using FashionMnist;

// Trains FashionCnn on Fashion-MNIST (60,000 training / 10,000 test images); see docs/fashion-mnist.md.
var defaults = new FashionSettings();

var dataOption = new Option<DirectoryInfo>("--data")
{
    Description = $"Folder with the four IDX files (train-images-idx3-ubyte.gz, ...) [default: {FashionData.DebianFolder}, from apt-get install dataset-fashion-mnist]",
    HelpName = "folder",
};
var seedOption = new Option<int>("--seed", "-s") { Description = "Seeds the initial weights and the shuffling", HelpName = "n", DefaultValueFactory = _ => defaults.Seed };
var epochsOption = new Option<int>("--epochs", "-e") { Description = "Passes over the training images", HelpName = "n", DefaultValueFactory = _ => defaults.Epochs };
var batchSizeOption = new Option<int>("--batch-size", "-b") { Description = "Samples per step", HelpName = "n", DefaultValueFactory = _ => defaults.BatchSize };
var learningRateOption = new Option<float>("--learning-rate", "--lr") { Description = "Adam's base learning rate", HelpName = "rate", DefaultValueFactory = _ => defaults.LearningRate };
var scheduleOption = new Option<FashionSchedule>("--schedule")
{
    Description = "The learning rate per epoch: Constant, or Cosine (from the base rate towards 0 over the epochs, set at the start of each)",
    HelpName = "Constant|Cosine",
    DefaultValueFactory = _ => defaults.Schedule,
};
var weightDecayOption = new Option<float>("--weight-decay", "--wd") { Description = "AdamW's decoupled weight decay of the weights (not the biases); 0 is plain Adam", HelpName = "decay", DefaultValueFactory = _ => defaults.WeightDecay };
var threadsOption = new Option<int>("--threads", "-t") { Description = "Threads for training (and for PyTorch with --pytorch)", HelpName = "n", DefaultValueFactory = _ => defaults.Threads };
var validationOption = new Option<bool>("--validation") { Description = "Hold out a stratified 10,000 of the training images and report on them instead of the test images (how the defaults were chosen)" };
var pytorchOption = new Option<bool>("--pytorch") { Description = "Then train the same network with PyTorch (/usr/bin/python3 with torch) for comparison of accuracy and time" };
var outputOption = new Option<DirectoryInfo>("--output")
{
    Description = "Folder for fashion_cnn.safetensors, curves.svg and history.csv [default: samples/FashionMnist/out]",
    HelpName = "folder",
};

epochsOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--epochs must be at least 1."); });
batchSizeOption.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch-size must be at least 1."); });
threadsOption.Validators.Add(r => { int t = r.GetValueOrDefault<int>(); if (t < 1 || t > 64) r.AddError("--threads must be 1 to 64."); });
weightDecayOption.Validators.Add(r => { float v = r.GetValueOrDefault<float>(); if (!(v >= 0 && float.IsFinite(v))) r.AddError("--weight-decay must be a finite number >= 0."); });
learningRateOption.Validators.Add(r => { float v = r.GetValueOrDefault<float>(); if (!(v > 0 && float.IsFinite(v))) r.AddError("--learning-rate must be a positive number."); });

var root = new RootCommand("Trains a convolutional network (two 5×5 convolutions with max pooling, then a softmax layer) on Fashion-MNIST.")
{
    dataOption, seedOption, epochsOption, batchSizeOption, learningRateOption, scheduleOption, weightDecayOption, threadsOption, validationOption, pytorchOption, outputOption,
};
root.SetAction((parse, cancellationToken) =>
{
    var settings = new FashionSettings
    {
        Seed = parse.GetValue(seedOption),
        Epochs = parse.GetValue(epochsOption),
        BatchSize = parse.GetValue(batchSizeOption),
        LearningRate = parse.GetValue(learningRateOption),
        Schedule = parse.GetValue(scheduleOption),
        WeightDecay = parse.GetValue(weightDecayOption),
        Threads = parse.GetValue(threadsOption),
    };
    string output = parse.GetValue(outputOption)?.FullName ?? FashionOutputs.DefaultFolder;
    return Task.FromResult(FashionApp.Run(settings, parse.GetValue(dataOption)?.FullName, output, parse.GetValue(validationOption), parse.GetValue(pytorchOption), cancellationToken));
});
return await root.Parse(args).InvokeAsync();
