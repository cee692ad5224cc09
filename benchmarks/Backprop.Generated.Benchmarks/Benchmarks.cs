using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Generated.Benchmarks;

/// <summary>
/// Direct calls into one generated network type. The benchmark bases are generic over these structs, so the JIT
/// compiles each benchmark for its own network with direct (inlinable) calls, as user code calling the class would.
/// </summary>
public interface IGeneratedOps
{
    NetworkSpec Spec { get; }

    INetwork Network { get; }

    void Create(int seed);

    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs);

    float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

    void ZeroGradients();

    /// <summary>The fused one-sample SGD step (backward and update in one sweep, no gradient buffer).</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate);
}

public struct XorOps : IGeneratedOps
{
    private XorNet _n;
    public NetworkSpec Spec => NetworkSpec.Xor;
    public INetwork Network => _n;
    public void Create(int seed) => _n = new XorNet(seed);
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => _n.Forward(inputs, outputs);
    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => _n.Backward(inputs, targets);
    public void ZeroGradients() => _n.ZeroGradients();
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate) => _n.TrainStep(input, target, learningRate);
}

public struct DigitsOps : IGeneratedOps
{
    private DigitsNet _n;
    public NetworkSpec Spec => NetworkSpec.Digits;
    public INetwork Network => _n;
    public void Create(int seed) => _n = new DigitsNet(seed);
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => _n.Forward(inputs, outputs);
    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => _n.Backward(inputs, targets);
    public void ZeroGradients() => _n.ZeroGradients();
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate) => _n.TrainStep(input, target, learningRate);
}

public struct MnistOps : IGeneratedOps
{
    private MnistNet _n;
    public NetworkSpec Spec => NetworkSpec.Mnist;
    public INetwork Network => _n;
    public void Create(int seed) => _n = new MnistNet(seed);
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => _n.Forward(inputs, outputs);
    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => _n.Backward(inputs, targets);
    public void ZeroGradients() => _n.ZeroGradients();
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate) => _n.TrainStep(input, target, learningRate);
}

public struct DeepOps : IGeneratedOps
{
    private DeepNet _n;
    public NetworkSpec Spec => NetworkSpec.Deep;
    public INetwork Network => _n;
    public void Create(int seed) => _n = new DeepNet(seed);
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs) => _n.Forward(inputs, outputs);
    public float Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => _n.Backward(inputs, targets);
    public void ZeroGradients() => _n.ZeroGradients();
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate) => _n.TrainStep(input, target, learningRate);
}

/// <summary>Learning rate of every benchmarked step: small, so thousands of repeated steps stay well-conditioned.</summary>
internal static class BenchmarkSettings
{
    public const float LearningRate = 1e-3f;
}

/// <summary>(a) Forward on one sample and (b) one training step on one sample, generated against both baselines.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public abstract class SingleSampleBenchmarks<TOps> where TOps : struct, IGeneratedOps
{
    private TOps _gen = default;
    private Sgd _sgd = null!;
    private LoopMlp _loop = null!;
    private TensorPrimitivesMlp _tp = null!;
    private float[] _x = null!, _t = null!, _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        _gen.Create(1);
        NetworkSpec spec = _gen.Spec;
        (_x, _t) = spec.MakeData(1, 7);
        _y = new float[spec.OutputSize];
        _sgd = new Sgd(BenchmarkSettings.LearningRate);
        _loop = new LoopMlp(spec, 1);
        _tp = new TensorPrimitivesMlp(spec, 1);
    }

    /// <summary>With --onnx, the generated Forward runs on the weights ONNX Runtime runs (the exported ones).</summary>
    [GlobalSetup(Target = nameof(Forward_Generated))]
    public void SetupForward()
    {
        Setup();
        if (OnnxRuntimePeer.Directory is not null) OnnxRuntimePeer.LoadExportedWeights(_gen.Network, _gen.Spec, OnnxRuntimePeer.Directory);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("forward")]
    public void Forward_Generated() => _gen.Forward(_x, _y);

    [Benchmark, BenchmarkCategory("forward")]
    public void Forward_Loop() => _loop.Forward(_x, _y);

    private OnnxRuntimePeer? _ort;

    /// <summary>The ONNX Runtime peer on the same input, its outputs checked against the generated Forward's first.</summary>
    [GlobalSetup(Target = nameof(Forward_OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        SetupForward();
        _ort = new OnnxRuntimePeer(_gen.Spec, 1, OnnxRuntimePeer.RequiredDirectory);
        _ort.Check(_gen.Network, _x);
    }

    [GlobalCleanup(Target = nameof(Forward_OnnxRuntime))]
    public void CleanupOnnxRuntime() => _ort?.Dispose();

    [Benchmark, BenchmarkCategory("forward")]
    public void Forward_OnnxRuntime() => _ort!.Run();

    [Benchmark, BenchmarkCategory("forward")]
    public void Forward_TensorPrimitives() => _tp.Forward(_x, _y);

    [Benchmark(Baseline = true), BenchmarkCategory("step")]
    public float Step_Generated()
    {
        float loss = _gen.Backward(_x, _t);
        _sgd.Step(_gen.Network);
        _gen.ZeroGradients();
        return loss;
    }

    /// <summary>The same step through the fused <c>TrainStep</c>: parameters end bit for bit as in Step_Generated.</summary>
    [Benchmark, BenchmarkCategory("step")]
    public float Step_GeneratedFused() => _gen.TrainStep(_x, _t, BenchmarkSettings.LearningRate);

    [Benchmark, BenchmarkCategory("step")]
    public float Step_Loop()
    {
        float loss = _loop.Backward(_x, _t);
        _loop.Step(BenchmarkSettings.LearningRate);
        _loop.ZeroGradients();
        return loss;
    }

    [Benchmark, BenchmarkCategory("step")]
    public float Step_TensorPrimitives()
    {
        float loss = _tp.Backward(_x, _t);
        _tp.Step(BenchmarkSettings.LearningRate);
        _tp.ZeroGradients();
        return loss;
    }
}

/// <summary>(c) Training throughput: one Backward over a mini-batch, an SGD step and ZeroGradients.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public abstract class BatchBenchmarks<TOps> where TOps : struct, IGeneratedOps
{
    private TOps _gen = default, _gen2 = default;
    private Sgd _sgd = null!;
    private LoopMlp _loop = null!;
    private TensorPrimitivesMlp _tp = null!;
    private float[] _x = null!, _t = null!;

    [Params(32, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gen.Create(1);
        _gen2.Create(1);
        // Both cores where the network has the batch path (xor is unrolled whole; batches under 64 stay on one thread,
        // and those rows are left out of the results).
        if (_gen2.Network is IParallelBackward parallel) parallel.MaxDegreeOfParallelism = 2;
        NetworkSpec spec = _gen.Spec;
        (_x, _t) = spec.MakeData(Batch, 7);
        _sgd = new Sgd(BenchmarkSettings.LearningRate);
        _loop = new LoopMlp(spec, 1);
        _tp = new TensorPrimitivesMlp(spec, 1);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("batch")]
    public float Batch_Generated()
    {
        float loss = _gen.Backward(_x, _t);
        _sgd.Step(_gen.Network);
        _gen.ZeroGradients();
        return loss;
    }

    /// <summary>The same step with MaxDegreeOfParallelism = 2: Backward's chunks on both cores.</summary>
    [Benchmark, BenchmarkCategory("batch")]
    public float Batch_Generated2()
    {
        float loss = _gen2.Backward(_x, _t);
        _sgd.Step(_gen2.Network);
        _gen2.ZeroGradients();
        return loss;
    }

    [Benchmark, BenchmarkCategory("batch")]
    public float Batch_Loop()
    {
        float loss = _loop.Backward(_x, _t);
        _loop.Step(BenchmarkSettings.LearningRate);
        _loop.ZeroGradients();
        return loss;
    }

    [Benchmark, BenchmarkCategory("batch")]
    public float Batch_TensorPrimitives()
    {
        float loss = _tp.Backward(_x, _t);
        _tp.Step(BenchmarkSettings.LearningRate);
        _tp.ZeroGradients();
        return loss;
    }
}

/// <summary>
/// Inference on a batch: the generated Forward on k samples against the ONNX Runtime peer on the same k samples (its
/// outputs checked first); with --onnx both run the exported weights.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public abstract class BatchForwardBenchmarks<TOps> where TOps : struct, IGeneratedOps
{
    private TOps _gen = default;
    private float[] _x = null!, _y = null!;
    private OnnxRuntimePeer? _ort;

    [Params(32, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gen.Create(1);
        NetworkSpec spec = _gen.Spec;
        if (OnnxRuntimePeer.Directory is not null) OnnxRuntimePeer.LoadExportedWeights(_gen.Network, spec, OnnxRuntimePeer.Directory);
        (_x, _) = spec.MakeData(Batch, 7);
        _y = new float[Batch * spec.OutputSize];
    }

    [GlobalSetup(Target = nameof(Forward_OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        Setup();
        _ort = new OnnxRuntimePeer(_gen.Spec, Batch, OnnxRuntimePeer.RequiredDirectory);
        _ort.Check(_gen.Network, _x);
    }

    [GlobalCleanup(Target = nameof(Forward_OnnxRuntime))]
    public void CleanupOnnxRuntime() => _ort?.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory("forward")]
    public void Forward_Generated() => _gen.Forward(_x, _y);

    [Benchmark, BenchmarkCategory("forward")]
    public void Forward_OnnxRuntime() => _ort!.Run();
}

public class Xor_Single : SingleSampleBenchmarks<XorOps> { }
public class Digits_Single : SingleSampleBenchmarks<DigitsOps> { }
public class Mnist_Single : SingleSampleBenchmarks<MnistOps> { }
public class Deep_Single : SingleSampleBenchmarks<DeepOps> { }
public class Xor_Batch : BatchBenchmarks<XorOps> { }
public class Digits_Batch : BatchBenchmarks<DigitsOps> { }
public class Mnist_Batch : BatchBenchmarks<MnistOps> { }
public class Deep_Batch : BatchBenchmarks<DeepOps> { }
public class Xor_BatchForward : BatchForwardBenchmarks<XorOps> { }
public class Digits_BatchForward : BatchForwardBenchmarks<DigitsOps> { }
public class Mnist_BatchForward : BatchForwardBenchmarks<MnistOps> { }
public class Deep_BatchForward : BatchForwardBenchmarks<DeepOps> { }
