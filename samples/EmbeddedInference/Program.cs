using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;
using Backprop.Generated;
using EmbeddedInference;

// Classifies the 360 test digits with a network whose weights are part of this binary, then measures, in the same run,
// its int8 twin (the same weights quantized at build time) and
// the same network loading the same weights at run time.
//   EmbeddedInference                        the report
//   EmbeddedInference --one                  classifies one image and exits (to time the process from exec to exit)
//   EmbeddedInference --one --weights FILE   the same, loading the weights from FILE at run time instead

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string dataPath = Path.Combine(AppContext.BaseDirectory, "digits_test.csv");

if (args.Length >= 1 && args[0] == "--one")
{
    using var reader = new StreamReader(dataPath);
    TestDigits.Parse(reader.ReadLine()!, out DigitsNet.Input digit, out int label);
    int answer;
    if (args.Length == 3 && args[1] == "--weights")
    {
        var net = new DigitsNetLoaded();
        net.LoadWeights(args[2]);
        Span<float> y = stackalloc float[DigitsNetLoaded.OutputSize];
        net.Forward(digit, y);
        answer = TestDigits.ArgMax(y);
    }
    else if (args.Length == 1)
    {
        new DigitsNet().Forward(in digit, out DigitsNet.Output scores);
        answer = TestDigits.ArgMax(scores);
    }
    else
    {
        return Usage();
    }
    Console.WriteLine($"digit {answer} (label {label})");
    return 0;
}
if (args.Length != 0)
{
    return Usage();
}

TestDigits data = TestDigits.Load(dataPath);
int n = data.Count;
Console.WriteLine($"EmbeddedInference: {DigitsNet.InputSize}-32-{DigitsNet.OutputSize} digits network, weights baked from {DigitsNet.BakedWeightsFile}");
Console.WriteLine($"  {DigitsNet.ParameterCount} parameters = {DigitsNet.ParameterBytes} bytes of data in the binary, {DigitsNet.ScratchSize} floats of stack scratch per inference");

// ---- Start-up: from nothing to the first answer.
long t0 = Stopwatch.GetTimestamp();
var baked = new DigitsNet();
baked.Forward(in data.Images[0], out DigitsNet.Output first);
double bakedFirst = Elapsed(t0);

// The same weights as a safetensors image in memory (what a device would otherwise read from flash or disk), made
// from the baked constants so that no file is needed anywhere.
byte[] image = WeightsImage();
t0 = Stopwatch.GetTimestamp();
var loaded = new DigitsNetLoaded();
loaded.LoadWeights(new MemoryStream(image, writable: false), "digits.safetensors (in memory)");
Span<float> firstLoaded = stackalloc float[DigitsNetLoaded.OutputSize];
loaded.Forward(data.Images[0], firstLoaded);
double loadedFirst = Elapsed(t0);

double bakedReady = Median(1001, () => { var net = new DigitsNet(); net.Forward(in data.Images[0], out _); });
double loadedReady = Median(1001, () =>
{
    var net = new DigitsNetLoaded();
    net.LoadWeights(new MemoryStream(image, writable: false));
    Span<float> y = stackalloc float[DigitsNetLoaded.OutputSize];
    net.Forward(data.Images[0], y);
});

// ---- Accuracy, and the two networks agree bit for bit.
int correct = 0;
int identical = 0;
Span<float> other = stackalloc float[DigitsNetLoaded.OutputSize];
for (int i = 0; i < n; i++)
{
    baked.Forward(in data.Images[i], out DigitsNet.Output scores);
    if (TestDigits.ArgMax(scores) == data.Labels[i]) correct++;
    loaded.Forward(data.Images[i], other);
    if (((ReadOnlySpan<float>)scores).SequenceEqual(other)) identical++;
}

// ---- The int8 twin (same weights file, quantized at build time): accuracy and the largest output difference.
var int8 = new DigitsNetInt8();
int correctInt8 = 0;
int agreeInt8 = 0;
float maxDifference = 0f;
for (int i = 0; i < n; i++)
{
    baked.Forward(in data.Images[i], out DigitsNet.Output scores);
    int8.Forward(data.Images[i], other);
    int answer = TestDigits.ArgMax(other);
    if (answer == data.Labels[i]) correctInt8++;
    if (answer == TestDigits.ArgMax(scores)) agreeInt8++;
    for (int j = 0; j < DigitsNet.OutputSize; j++) maxDifference = Math.Max(maxDifference, Math.Abs(scores[j] - other[j]));
}

// ---- Allocation: none per inference.
long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < n; i++) baked.Forward(in data.Images[i], out _);
for (int i = 0; i < n; i++) int8.Forward(data.Images[i], other);
long bakedAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

// ---- Per-inference latency: one image at a time, as a device classifies what it sees.
(double bakedNs, double loadedNs) = Latency(() =>
{
    int votes = 0;
    for (int i = 0; i < n; i++)
    {
        baked.Forward(in data.Images[i], out DigitsNet.Output y);
        votes += TestDigits.ArgMax(y);
    }
    return votes;
}, () =>
{
    int votes = 0;
    Span<float> y = stackalloc float[DigitsNetLoaded.OutputSize];
    for (int i = 0; i < n; i++)
    {
        loaded.Forward(data.Images[i], y);
        votes += TestDigits.ArgMax(y);
    }
    return votes;
}, n);

(double floatNs, double int8Ns) = Latency(() =>
{
    int votes = 0;
    for (int i = 0; i < n; i++)
    {
        baked.Forward(in data.Images[i], out DigitsNet.Output y);
        votes += TestDigits.ArgMax(y);
    }
    return votes;
}, () =>
{
    int votes = 0;
    Span<float> y = stackalloc float[DigitsNetInt8.OutputSize];
    for (int i = 0; i < n; i++)
    {
        int8.Forward(data.Images[i], y);
        votes += TestDigits.ArgMax(y);
    }
    return votes;
}, n);

Console.WriteLine($"accuracy: {correct}/{n} = {100.0 * correct / n:F2}% on the test digits (first digit: {TestDigits.ArgMax(first)}, label {data.Labels[0]})");
Console.WriteLine($"baked and loaded outputs bit-identical: {identical}/{n}");
Console.WriteLine($"first inference from nothing: baked {bakedFirst * 1e6:F1} us, loading the weights at run time {loadedFirst * 1e6:F1} us");
Console.WriteLine($"ready to answer (median of 1001): baked {bakedReady * 1e9:F0} ns (one object, no I/O), load + first answer {loadedReady * 1e9:F0} ns ({loadedReady / bakedReady:F0}x)");
Console.WriteLine($"per-inference latency: baked {bakedNs:F0} ns, loaded at run time {loadedNs:F0} ns (loaded / baked {loadedNs / bakedNs:F2}: the same code, reading a heap array instead of constants)");
Console.WriteLine($"int8 twin: {DigitsNetInt8.QuantizedWeightCount} int8 weights + {DigitsNetInt8.WeightScaleCount} scales = {DigitsNetInt8.QuantizedWeightCount + 4 * DigitsNetInt8.WeightScaleCount} bytes for the float32 weight matrices' {4 * DigitsNetInt8.QuantizedWeightCount} " +
    $"({(DigitsNetInt8.QuantizedWeightCount + 4.0 * DigitsNetInt8.WeightScaleCount) / DigitsNetInt8.QuantizedWeightCount:F3} x a quarter); ParameterBytes {DigitsNetInt8.ParameterBytes} against {DigitsNet.ParameterBytes}");
Console.WriteLine($"int8 accuracy: {correctInt8}/{n} = {100.0 * correctInt8 / n:F2}% ({100.0 * (correct - correctInt8) / n:F2} points below float32), same answer as float32 for {agreeInt8}/{n}, largest output difference {maxDifference:G3}");
Console.WriteLine($"per-inference latency: float32 baked {floatNs:F0} ns, int8 {int8Ns:F0} ns (float32 / int8 {floatNs / int8Ns:F2})");
Console.WriteLine($"allocated by {n} baked inferences of each (float32, int8): {bakedAllocated} bytes; a loaded network holds {2 * DigitsNetLoaded.ParameterBytes} bytes of arrays (parameters and gradients), the baked one none");
if (!RuntimeFeature.IsDynamicCodeSupported)
{
    string binary = Environment.ProcessPath ?? "";
    long size = File.Exists(binary) ? new FileInfo(binary).Length : -1;
    Console.WriteLine($"binary: {Path.GetFileName(binary)}, {size} bytes ({size / 1024.0 / 1024.0:F2} MiB), NativeAOT, AVX-512F in use: {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}, Vector<float>.Count {Vector<float>.Count}");
}
else
{
    Console.WriteLine("binary: running on the JIT; publish with NativeAOT for the binary size (dotnet publish -c Release -r linux-x64)");
}
// The int8 twin may lose at most 0.3 points of accuracy against float32 (one digit in 360).
bool int8Accurate = (correct - correctInt8) * 1000 <= 3 * n;
return correct * 100 >= n * 95 && identical == n && bakedAllocated == 0 && int8Accurate ? 0 : 1;

static int Usage()
{
    Console.Error.WriteLine("usage: EmbeddedInference [--one [--weights FILE]]");
    return 2;
}

static double Elapsed(long start) => (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;

static double Median(int runs, Action action)
{
    var times = new double[runs];
    for (int r = 0; r < runs; r++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        times[r] = Elapsed(start);
    }
    Array.Sort(times);
    return times[runs / 2];
}

// Nanoseconds per inference of each: rounds of about 20 ms, the two alternating so that both see the same machine
// (it may be busy), the best round of 15 each.
static (double, double) Latency(Func<int> first, Func<int> second, int perPass)
{
    int sink = 0;
    long start = Stopwatch.GetTimestamp();
    int passes = 0;
    while (Elapsed(start) < 0.02) { sink += first(); sink += second(); passes++; }
    int per = Math.Max(1, passes / 2);
    double bestFirst = double.MaxValue;
    double bestSecond = double.MaxValue;
    for (int round = 0; round < 15; round++)
    {
        start = Stopwatch.GetTimestamp();
        for (int p = 0; p < per; p++) sink += first();
        bestFirst = Math.Min(bestFirst, Elapsed(start) / ((double)per * perPass) * 1e9);
        start = Stopwatch.GetTimestamp();
        for (int p = 0; p < per; p++) sink += second();
        bestSecond = Math.Min(bestSecond, Elapsed(start) / ((double)per * perPass) * 1e9);
    }
    GC.KeepAlive(sink);
    return (bestFirst, bestSecond);
}

static byte[] WeightsImage()
{
    var net = new DigitsNetLoaded();
    DigitsNet.Parameters.CopyTo(net.Parameters);
    var stream = new MemoryStream();
    net.SaveWeights(stream);
    return stream.ToArray();
}
