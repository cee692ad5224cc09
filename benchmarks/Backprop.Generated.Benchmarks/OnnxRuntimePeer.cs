using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.ML.OnnxRuntime;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// The ONNX Runtime peer: one network's ONNX export (benchmarks/export_onnx.py, the generated network's own weights)
/// run on a fixed batch size through its fastest managed API: input and output <see cref="OrtValue"/>s created once
/// over pinned, pre-allocated arrays, bound once with <see cref="OrtIoBinding"/>, and each call is
/// <see cref="InferenceSession.RunWithBinding"/>. One intra-op and one inter-op thread, sequential execution, every
/// graph optimization (ORT_ENABLE_ALL), CPU execution provider.
/// </summary>
public sealed class OnnxRuntimePeer : IDisposable
{
    /// <summary>Where the .onnx and .safetensors files are (<c>--onnx DIR</c>); null: the ONNX Runtime peer is not run.</summary>
    public static string? Directory { get; set; }

    /// <summary>The directory, or an error saying how to give one.</summary>
    public static string RequiredDirectory => Directory
        ?? throw new InvalidOperationException("the ONNX Runtime peer needs --onnx DIR (the exported models; benchmarks/run.sh makes them)");

    /// <summary>Largest |ORT − generated| over each checked (network, batch), for the results file.</summary>
    public static readonly ConcurrentDictionary<(string Network, int Batch), double> Checks = new();

    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run;
    private readonly OrtValue _input, _output;
    private readonly OrtIoBinding _binding;
    private readonly string _model;
    private readonly string[] _inputNames = { "input" }, _outputNames = { "output" };
    private readonly OrtValue[] _inputValues, _outputValues;

    /// <summary>The pinned input buffer ([batch, in], row-major) that every call reads.</summary>
    public float[] Inputs { get; }

    /// <summary>The pinned output buffer ([batch, out], row-major) that every call writes.</summary>
    public float[] Outputs { get; }

    /// <summary>The network's name: the model is DIR/{Name}.onnx.</summary>
    public string Name { get; }

    /// <summary>Floats per sample in.</summary>
    public int InputSize { get; }

    /// <summary>Floats per sample out.</summary>
    public int OutputSize { get; }

    public int Batch { get; }

    public OnnxRuntimePeer(NetworkSpec spec, int batch, string directory)
        : this(spec.Name, spec.InputSize, spec.OutputSize, batch, directory)
    {
    }

    /// <summary>The peer of any network (the convolutional ones have no <see cref="NetworkSpec"/>): DIR/{name}.onnx, flat samples in and out.</summary>
    public OnnxRuntimePeer(string name, int inputSize, int outputSize, int batch, string directory)
    {
        Name = name;
        InputSize = inputSize;
        OutputSize = outputSize;
        Batch = batch;
        string model = _model = ModelPath(name, directory);
        if (!File.Exists(model))
        {
            throw new FileNotFoundException($"ONNX model {model} not found: run benchmarks/run.sh, or `--export-weights {directory}` " +
                $"then `/usr/bin/python3 benchmarks/export_onnx.py {directory}`", model);
        }
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, _options);
        _run = new RunOptions();
        Inputs = new float[batch * inputSize];
        Outputs = new float[batch * outputSize];
        _input = OrtValue.CreateTensorValueFromMemory(Inputs, new long[] { batch, inputSize });
        _output = OrtValue.CreateTensorValueFromMemory(Outputs, new long[] { batch, outputSize });
        _inputValues = new[] { _input };
        _outputValues = new[] { _output };
        _binding = _session.CreateIoBinding();
        _binding.BindInput("input", _input);
        _binding.BindOutput("output", _output);
    }

    public static string ModelPath(NetworkSpec spec, string directory) => ModelPath(spec.Name, directory);

    public static string ModelPath(string name, string directory) => Path.Combine(directory, name + ".onnx");

    public static string WeightsPath(NetworkSpec spec, string directory) => WeightsPath(spec.Name, directory);

    public static string WeightsPath(string name, string directory) => Path.Combine(directory, name + ".safetensors");

    /// <summary>
    /// Writes every network's weights for export_onnx.py: a fresh network of seed 1 (as the benchmarks create), its
    /// biases (zero after initialization) set to small non-zero values so that the output check covers them too.
    /// </summary>
    public static void ExportWeights(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        foreach (NetworkSpec spec in NetworkSpec.All) ExportWeights(spec.Name, spec.CreateGenerated(1), directory);
        foreach (var (name, create) in ConvNetworkSuite.Networks) ExportWeights(name, create(), directory);
    }

    private static void ExportWeights(string name, INetwork net, string directory)
    {
        SetBiases(net);
        net.SaveWeights(WeightsPath(name, directory));
        Console.WriteLine($"weights: {WeightsPath(name, directory)}");
    }

    /// <summary>Biases (zero after initialization) set to small non-zero values, so that the output check covers them too.</summary>
    public static void SetBiases(INetwork net)
    {
        foreach (TensorInfo tensor in net.Tensors)
        {
            if (tensor.Role != TensorRole.Bias) continue;
            Span<float> bias = tensor.Slice(net.Parameters);
            for (int i = 0; i < bias.Length; i++) bias[i] = 0.05f * MathF.Sin(1 + i + 7 * tensor.Layer);
        }
    }

    /// <summary>Loads the exported weights (<see cref="ExportWeights"/>) into <paramref name="network"/>.</summary>
    public static void LoadExportedWeights(INetwork network, NetworkSpec spec, string directory) =>
        network.LoadWeights(WeightsPath(spec, directory));

    /// <summary>One forward pass over <see cref="Inputs"/> into <see cref="Outputs"/>: the bound values.</summary>
    public void Run() => _session.RunWithBinding(_run, _binding);

    /// <summary>
    /// The same pass through the other allocation-light API: <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
    /// with the same pre-allocated values (<c>--quick</c> times both).
    /// </summary>
    public void RunWithValues() => _session.Run(_run, _inputNames, _inputValues, _outputNames, _outputValues);

    /// <summary>
    /// Checks every network in <paramref name="names"/> at 1, 32 and 256 samples (<see cref="Check"/>) before anything
    /// is timed; throws on the first disagreement.
    /// </summary>
    public static void CheckAll(string directory, IEnumerable<NetworkSpec> specs)
    {
        foreach (NetworkSpec spec in specs)
        {
            INetwork net = spec.CreateGenerated(1);
            LoadExportedWeights(net, spec, directory);
            foreach (int batch in new[] { 1, 32, 256 })
            {
                using var peer = new OnnxRuntimePeer(spec, batch, directory);
                peer.Check(net, spec.MakeData(batch, 7).Inputs);
            }
        }
    }

    /// <summary>
    /// Runs the generated <see cref="INetwork.Forward"/> of <paramref name="network"/> (the network that is timed, holding
    /// the exported weights: <see cref="LoadExportedWeights"/>) and this peer on <paramref name="inputs"/> (copied into <see cref="Inputs"/>), and throws if any output differs by
    /// more than 1e-5 × max(1, |output|): the model must compute the same function with the same weights. Returns
    /// the largest absolute difference (also kept in <see cref="Checks"/>).
    /// </summary>
    public double Check(INetwork network, ReadOnlySpan<float> inputs)
    {
        if (inputs.Length != Inputs.Length)
        {
            throw new ArgumentException($"{inputs.Length} inputs for a batch of {Batch} × {InputSize} = {Inputs.Length}", nameof(inputs));
        }
        inputs.CopyTo(Inputs);
        Array.Fill(Outputs, float.NaN);
        Run();
        float[] expected = new float[Outputs.Length];
        network.Forward(inputs, expected);
        double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)Outputs[i] - expected[i]);
            if (!(diff <= 1e-5 * Math.Max(1.0, Math.Abs(expected[i]))))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"ONNX Runtime and the generated Forward disagree on {Name}, batch {Batch}, sample {i / OutputSize}, output {i % OutputSize}: " +
                    $"{Outputs[i]:R} against {expected[i]:R} (|diff| {diff:G3}, allowed 1e-5 × max(1, |output|)); " +
                    $"is {_model} exported from {WeightsPath(Name, Path.GetDirectoryName(_model)!)}, the weights loaded? Export again (benchmarks/run.sh does)"));
            }
            maxDiff = Math.Max(maxDiff, diff);
        }
        Checks[(Name, Batch)] = maxDiff;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime check: {Name}, batch {Batch}: max |ORT − generated| = {maxDiff:G3} over {expected.Length} outputs"));
        return maxDiff;
    }

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _session.Dispose();
        _run.Dispose();
        _options.Dispose();
    }
}
