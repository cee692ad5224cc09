using System;
using System.Globalization;
using System.IO;
using System.Linq;
using DeepNetworks;
using Digits;

// The four classic experiments on the digits with fixed seeds: prints a table per experiment and writes the charts.
// Usage: dotnet run --project samples/DeepNetworks -c Release [-- --only 1,2,3,4 --output folder --verbose]
// Each experiment has its budget (Experiments.DefaultBudget); --epochs, --seed, --learning-rate, --momentum and
// --batch-size override it for every experiment run.
CultureInfo c = CultureInfo.InvariantCulture;
string output = Path.GetFullPath("deep-networks-out");
int[] only = [1, 2, 3, 4];
bool verbose = false;
Func<Budget, Budget> overrides = b => b;
for (int i = 0; i < args.Length; i++)
{
    string option = args[i];
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{option} needs a value.");
    Func<Budget, Budget> before = overrides;
    switch (option)
    {
        case "--epochs": { int v = int.Parse(Next(), c); overrides = b => before(b) with { Epochs = v }; break; }
        case "--seed": { int v = int.Parse(Next(), c); overrides = b => before(b) with { Seed = v }; break; }
        case "--learning-rate": { float v = float.Parse(Next(), c); overrides = b => before(b) with { LearningRate = v }; break; }
        case "--momentum": { float v = float.Parse(Next(), c); overrides = b => before(b) with { Momentum = v }; break; }
        case "--batch-size": { int v = int.Parse(Next(), c); overrides = b => before(b) with { BatchSize = v }; break; }
        case "--verbose": verbose = true; break;
        case "--output": output = Path.GetFullPath(Next()); break;
        case "--only": only = Next().Split(',').Select(s => int.Parse(s, c)).ToArray(); break;
        default:
            Console.Error.WriteLine($"Unknown option {option}. Options: --only 1,2,3,4, --output folder, --verbose, --epochs n, --seed n, --learning-rate r, --momentum m, --batch-size n");
            return 2;
    }
}
if (only.Any(e => e is < 1 or > 4))
{
    Console.Error.WriteLine("--only takes experiment numbers 1 to 4, e.g. --only 1,3.");
    return 2;
}

DigitsData data = DigitsData.Load();
Directory.CreateDirectory(output);
Console.WriteLine("Digits: 1437 training / 360 test images (UCI, pixels / 16), every network 64 → … → Dense(10, Softmax), cross-entropy.");
foreach (int experiment in only)
{
    Budget budget = overrides(Experiments.DefaultBudget(experiment));
    if (budget.Epochs < 1 || budget.BatchSize < 1 || !(budget.LearningRate > 0) || !(budget.Momentum >= 0))
    {
        Console.Error.WriteLine("--epochs and --batch-size must be at least 1, --learning-rate positive, --momentum at least 0.");
        return 2;
    }
    TrainedNetwork[] runs = experiment switch
    {
        1 => Experiments.GlorotBengio(data, budget),
        2 => Experiments.He(data, budget),
        3 => Experiments.BatchNorm(data, budget),
        _ => Experiments.Exploding(data, budget),
    };
    (string title, string file) = Report.Titles[experiment - 1];
    Console.WriteLine();
    Console.WriteLine(title);
    Console.WriteLine(Report.Describe(budget));
    Console.Write(Report.Table(experiment, runs));
    if (verbose) Console.Write(Report.Layers(runs));
    string path = Path.Combine(output, file);
    Report.WriteAtomically(path, Report.Chart(experiment, runs, budget));
    Console.WriteLine($"chart  {path}");
}
return 0;
