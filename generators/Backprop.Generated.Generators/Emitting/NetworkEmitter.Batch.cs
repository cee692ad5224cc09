using System.Collections.Generic;
using System.Linq;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// The mini-batch Backward of Dense-only networks with at least one looped layer: chunks of 32 samples go through
/// each layer as matrix products (<see cref="BatchKernels"/>) instead of one sample at a time.
/// </summary>
internal sealed partial class NetworkEmitter
{
    /// <summary>Fewer samples than this (a whole call, or the last chunk of one) go through the per-sample code.</summary>
    private const int BatchMinSamples = 8;

    private readonly Dictionary<string, (int Offset, int Length)> _batchBuffer = new();
    private int _batchBufferSize;

    /// <summary>True while the output layer's loss is written for one column of a chunk: its vectors are spans then.</summary>
    private bool _batchLoss;

    /// <summary>Dense-only networks with a layer too large to unroll get the batch path.</summary>
    private bool UsesBatchPath => _model.IsDenseOnly && _layers.Any(l => !Unrolled(l));

    private static int ActivationCode(ActivationKind activation) => activation switch
    {
        ActivationKind.ReLU => 1,
        ActivationKind.LeakyReLU => 2,
        _ => 0,
    };

    private static int DerivativeCode(ActivationKind activation) => activation switch
    {
        ActivationKind.ReLU => 1,
        ActivationKind.LeakyReLU => 2,
        ActivationKind.Tanh => 3,
        ActivationKind.Sigmoid => 4,
        _ => 0,
    };

    private void PlanBatchBuffer()
    {
        int c = BatchKernels.Chunk;
        Reserve(_batchBuffer, ref _batchBufferSize, "xT", _model.InputSize * c);
        for (int l = 0; l < Last; l++)
        {
            Reserve(_batchBuffer, ref _batchBufferSize, "h" + Literal.Int(l) + "T", _layers[l].Units * c);
            Reserve(_batchBuffer, ref _batchBufferSize, "h" + Literal.Int(l), _layers[l].Units * c);
        }
        Reserve(_batchBuffer, ref _batchBufferSize, "zT", OutputLayer.Units * c);
        for (int l = 0; l <= Last; l++)
        {
            Reserve(_batchBuffer, ref _batchBufferSize, "d" + Literal.Int(l) + "T", _layers[l].Units * c);
        }
        string i = Literal.Int(Last);
        Reserve(_batchBuffer, ref _batchBufferSize, "z" + i, OutputLayer.Units);
        Reserve(_batchBuffer, ref _batchBufferSize, "a" + i, OutputLayer.Units);
        Reserve(_batchBuffer, ref _batchBufferSize, "dz" + i, OutputLayer.Units);
        if (!FusedOutputGradient)
        {
            Reserve(_batchBuffer, ref _batchBufferSize, "dy", OutputLayer.Units);
        }
    }

    /// <summary>The call in Backward: whole chunks through the batch path, the rest per sample.</summary>
    private void EmitBatchDispatch()
    {
        _w.Line("int s = 0;");
        using (_w.Block("if (k >= " + Literal.Int(BatchMinSamples) + " && BackpropKernels.BatchAccelerated)"))
        {
            _w.Line("// Mini-batch path: chunks of 32 samples through matrix kernels (a last chunk under " + Literal.Int(BatchMinSamples) + " samples goes per sample).");
            _w.Line("s = BackwardChunks(inputs, targets, k, gradScale, ref total);");
        }
    }

    private void EmitBackwardChunks()
    {
        int c = BatchKernels.Chunk;
        _w.Line("/// <summary>");
        _w.Line("/// The batch path of <see cref=\"Backward\"/>: samples in chunks of 32, each kept feature-major ([features × 32]) so that");
        _w.Line("/// every layer is three register-tiled matrix products (forward, input gradient, weight gradient). Returns how many");
        _w.Line("/// samples it did (all but a last chunk of fewer than " + Literal.Int(BatchMinSamples) + ") and adds their losses to <paramref name=\"total\"/>.");
        _w.Line("/// </summary>");
        using (_w.Block($"private int BackwardChunks({RoSpan} inputs, {RoSpan} targets, int k, float gradScale, ref float total)"))
        {
            _w.Line($"{Span} chunk = _batchBuffer ??= new float[{Literal.Int(_batchBufferSize)}];");
            EmitParameterSlices(gradients: true);
            EmitBufferSlices("chunk", _batchBuffer);
            _w.Line("int s0 = 0;");
            using (_w.Block($"for (; k - s0 >= {Literal.Int(BatchMinSamples)}; s0 += BackpropKernels.Chunk)"))
            {
                _w.Line("int ns = global::System.Math.Min(BackpropKernels.Chunk, k - s0);");
                _w.Line($"{RoSpan} x = inputs.Slice(s0 * InputSize, ns * InputSize);");
                _w.Line();
                _w.Line("// ---- Forward, feature-major: column s of every block is sample s0 + s ----");
                _w.Line("BackpropKernels.ToFeatureMajor(x, InputSize, ns, xT);");
                for (int l = 0; l <= Last; l++)
                {
                    LayerModel layer = _layers[l];
                    string i = Literal.Int(l);
                    string input = l == 0 ? "xT" : "h" + Literal.Int(l - 1) + "T";
                    string size = BatchKernels.SizeType(layer.Inputs);
                    if (l < Last)
                    {
                        _w.Line(LayerHeader(layer, $"h{i}[:, s] = {ActivationFormula(layer.Activation).Replace("z", $"W{i}·{input}[:, s] + b{i}")}"));
                        int act = ActivationCode(layer.Activation);
                        _w.Line($"BackpropKernels.ForwardChunk<{size}>(W{i}, b{i}, {Literal.Int(layer.Units)}, {input}, h{i}T, {Literal.Int(act)});");
                        if (act == 0 && layer.Activation != ActivationKind.Linear)
                        {
                            _w.Line($"for (int j = 0; j < {Literal.Int(layer.Units * c)}; j++) h{i}T[j] = {ActivationExpression(layer.Activation, $"h{i}T[j]")};");
                        }
                        _w.Line($"BackpropKernels.ToSampleMajor(h{i}T, {Literal.Int(layer.Units)}, ns, h{i}); // sample-major copy for the weight gradient");
                    }
                    else
                    {
                        _w.Line(LayerHeader(layer, $"zT[:, s] = W{i}·{input}[:, s] + b{i}; the output activation and the loss per sample below"));
                        _w.Line($"BackpropKernels.ForwardChunk<{size}>(W{i}, b{i}, {Literal.Int(layer.Units)}, {input}, zT, 0);");
                    }
                }
                _w.Line();
                _w.Line("// ---- Loss and its gradient at the output pre-activation, one sample (column) at a time ----");
                string last = Literal.Int(Last);
                _w.Line($"d{last}T.Clear(); // columns past ns stay 0, so they add nothing below");
                using (_w.Block("for (int s = 0; s < ns; s++)"))
                {
                    _w.Line($"{RoSpan} t = targets.Slice((s0 + s) * OutputSize, OutputSize);");
                    _w.Line($"for (int j = 0; j < {Literal.Int(OutputLayer.Units)}; j++) z{last}[j] = zT[j * BackpropKernels.Chunk + s];");
                    _batchLoss = true;
                    var z = new Vec("z" + last, OutputLayer.Units, isLocal: false);
                    var a = new Vec("a" + last, OutputLayer.Units, isLocal: false);
                    EmitActivation(OutputLayer.Activation, z, a);
                    EmitLossAndOutputGradient();
                    _batchLoss = false;
                    _w.Line("total += loss;");
                    _w.Line($"for (int j = 0; j < {Literal.Int(OutputLayer.Units)}; j++) d{last}T[j * BackpropKernels.Chunk + s] = dz{last}[j];");
                }
                _w.Line();
                _w.Line("// ---- Backward: per layer ∂L/∂W += ∂L/∂z · inputᵀ over the chunk, then ∂L/∂input = Wᵀ · ∂L/∂z ⊙ f' of the layer below ----");
                for (int l = Last; l >= 0; l--)
                {
                    LayerModel layer = _layers[l];
                    string i = Literal.Int(l);
                    string input = l == 0 ? "x" : "h" + Literal.Int(l - 1);
                    _w.Line($"// Layer {Literal.Int(layer.Position)}: ∂L/∂W{i}[o, i] += Σ_s ∂L/∂z{i}[o, s] · {input}[s, i];  ∂L/∂b{i}[o] += Σ_s ∂L/∂z{i}[o, s]");
                    _w.Line($"BackpropKernels.WeightGradientChunk(d{i}T, {Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}, {input}, ns, gW{i}, gb{i});");
                    if (l > 0)
                    {
                        LayerModel below = _layers[l - 1];
                        string b = Literal.Int(l - 1);
                        _w.Line($"// ∂L/∂z{b}[:, s] = (W{i}ᵀ · ∂L/∂z{i}[:, s]) ⊙ f'(h{b}[:, s]), {EmitDerivativeNote(below.Activation)}");
                        _w.Line($"BackpropKernels.InputGradientChunk(W{i}, {Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}, d{i}T, h{b}T, d{b}T, {Literal.Int(DerivativeCode(below.Activation))});");
                    }
                }
            }
            _w.Line("return s0;");
        }
    }

    private static string EmitDerivativeNote(ActivationKind activation) => activation switch
    {
        ActivationKind.Linear => "linear: f' = 1",
        ActivationKind.Sigmoid => "sigmoid: f' = a (1 − a)",
        ActivationKind.Tanh => "tanh: f' = 1 − a²",
        ActivationKind.ReLU => "ReLU: f' = 1 where a > 0, else 0",
        _ => "LeakyReLU: f' = 1 where a > 0, else 0.01",
    };
}
