using System.Collections.Generic;
using System.Linq;
using Backprop.Generated.Generators.Shared;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// The mini-batch Backward of Dense-only networks with at least one looped layer: chunks of 32 samples go through
/// each layer as matrix products (the runtime's <c>BatchKernels</c>, driven by <c>BatchBackward</c>) instead of one sample at a time.
/// </summary>
internal sealed partial class NetworkEmitter
{

    /// <summary>The runtime's mini-batch kernels.</summary>
    private const string Batch = Cs + "BatchKernels.";

    /// <summary>The runtime's one-sample Dense kernels.</summary>
    private const string Dense = Cs + "DenseKernels.";

    /// <summary>Dense-only networks with a layer too large to unroll get the batch path.</summary>
    private bool UsesBatchPath => _plan.UsesBatchPath;

    /// <summary>The file-local type that carries a layer input size into the batch forward kernel.</summary>
    private static string SizeType(int n) => "BackpropSize" + Literal.Int(n);

    /// <summary>
    /// Layer <paramref name="l"/> forward over a chunk, feature-major: hidden layers into h{l}T through their activation
    /// (fused in the kernel, or applied after it), the output layer's z into zT (its activation is applied per sample
    /// by the caller). In training the hidden activations are copied sample-major too, for the weight gradient.
    /// </summary>
    private void EmitChunkLayerForward(int l, bool training)
    {
        int c = BatchLayout.Chunk;
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        string input = l == 0 ? "xT" : "h" + Literal.Int(l - 1) + "T";
        string size = SizeType(layer.Inputs);
        if (l < Last)
        {
            _w.Line(LayerHeader(layer, $"h{i}[:, s] = {ActivationFormulas.Formula(layer.Activation).Replace("z", $"W{i}·{input}[:, s] + b{i}")}"));
            _w.Line($"{Batch}ForwardChunk<{size}, {ActivationFormulas.FusedType(layer.Activation)}>(W{i}, b{i}, {Literal.Int(layer.Units)}, {input}, h{i}T);");
            if (layer.Activation == ActivationKind.Tanh)
            {
                _w.Line($"{TanhFunction}(h{i}T); // in place, four at a time (Cephes' tanhf on Vector128)");
            }
            else if (!ActivationFormulas.IsFused(layer.Activation) && layer.Activation != ActivationKind.Linear)
            {
                _w.Line($"for (int j = 0; j < {Literal.Int(layer.Units * c)}; j++) h{i}T[j] = {ActivationFormulas.Value(layer.Activation, $"h{i}T[j]")};");
            }
            if (training)
            {
                _w.Line($"{Batch}ToSampleMajor(h{i}T, {Literal.Int(layer.Units)}, ns, h{i}); // sample-major copy for the weight gradient");
            }
        }
        else
        {
            string rest = training ? "the output activation and the loss per sample below" : layer.Activation == ActivationKind.Softmax ? "the softmax down each column below" : "the output activation per sample below";
            _w.Line(LayerHeader(layer, $"zT[:, s] = W{i}·{input}[:, s] + b{i}; {rest}"));
            _w.Line($"{Batch}ForwardChunk<{size}, {Cs}LinearActivation>(W{i}, b{i}, {Literal.Int(layer.Units)}, {input}, zT);");
        }
    }

    /// <summary>The call in Forward: whole chunks through the batch path, the rest per sample.</summary>
    private void EmitForwardDispatch()
    {
        using (_w.Block($"if ({Batch}Applies(k))"))
        {
            _w.Line($"// Batch inference: chunks of {Literal.Int(BatchLayout.Chunk)} samples through the matrix kernels (a last chunk under {Literal.Int(BatchLayout.MinSamples)} samples goes per sample),");
            _w.Line("// in a buffer of this thread's, so Forward stays safe to call from several threads at once.");
            _w.Line($"s = ForwardChunks({ParameterSource}, inputs, outputs, k, {Cs}ThreadScratch.Get({Literal.Int(_plan.ForwardChunkBuffer.Size)}));");
        }
    }

    /// <summary>The batch path of Forward (inference mode): the chunk loop, each layer one matrix product per chunk.</summary>
    private void EmitForwardChunks()
    {
        int last = Last;
        _w.Line("/// <summary>");
        _w.Line("/// The batch path of <see cref=\"Forward\"/>: samples in chunks of 32, each kept feature-major ([features × 32]) so that");
        _w.Line($"/// every layer is one register-tiled matrix product; {(OutputLayer.Activation == ActivationKind.Softmax ? "the softmax down each column" : "the output activation per sample")}. Does all samples but a last");
        _w.Line($"/// chunk of fewer than {Literal.Int(BatchLayout.MinSamples)} and returns how many it did. Equal to one sample at a time within float rounding.");
        _w.Line("/// </summary>");
        using (_w.Block($"private static int ForwardChunks({RoSpan} p, {RoSpan} inputs, {Span} outputs, int k, {Span} chunk)"))
        {
            EmitParameterSlices(gradients: false, parametersParameter: true);
            EmitBufferSlices("chunk", _plan.ForwardChunkBuffer);
            _w.Line("int s0 = 0;");
            using (_w.Block($"for (; k - s0 >= {Literal.Int(BatchLayout.MinSamples)}; s0 += {Batch}Chunk)"))
            {
                _w.Line($"int ns = global::System.Math.Min({Batch}Chunk, k - s0);");
                _w.Line("// the chunk's inputs feature-major: column s of every block is sample s0 + s");
                _w.Line($"{Batch}ToFeatureMajor(inputs.Slice(s0 * InputSize, ns * InputSize), InputSize, ns, xT);");
                for (int l = 0; l <= last; l++)
                {
                    EmitChunkLayerForward(l, training: false);
                }
                if (OutputLayer.Activation == ActivationKind.Softmax)
                {
                    // down the chunk's columns in place, then the outputs back sample-major: each sample's bits as Softmax.Apply gives them
                    _w.Line($"// {ActivationFormulas.SoftmaxComment}; down each column of zT (SoftmaxChunk: Softmax's operations lane by lane, so each sample's bits)");
                    _w.Line($"{Batch}SoftmaxChunk(zT, OutputSize);");
                    _w.Line("// the outputs back sample-major");
                    _w.Line($"{Batch}ToSampleMajor(zT, OutputSize, ns, outputs.Slice(s0 * OutputSize, ns * OutputSize));");
                }
                else
                {
                    _w.Line($"// the output layer's z back sample-major into the outputs{(OutputLayer.Activation == ActivationKind.Linear ? "" : ", then its activation per sample")}");
                    _w.Line($"{Batch}ToSampleMajor(zT, OutputSize, ns, outputs.Slice(s0 * OutputSize, ns * OutputSize));");
                    if (OutputLayer.Activation != ActivationKind.Linear)
                    {
                        using (_w.Block("for (int s = 0; s < ns; s++)"))
                        {
                            _w.Line($"{Span} y = outputs.Slice((s0 + s) * OutputSize, OutputSize);");
                            var y = new Vec("y", OutputLayer.Units, isLocal: false);
                            EmitActivation(OutputLayer.Activation, y, y);
                        }
                    }
                }
            }
            _w.Line("return global::System.Math.Min(k, s0); // the last chunk may have been short");
        }
    }

    /// <summary>The call in Backward: whole chunks through the batch path, the rest per sample.</summary>
    private void EmitBatchDispatch()
    {
        _w.Line("int s = 0;");
        using (_w.Block($"if ({Batch}Applies(k))"))
        {
            _w.Line($"// Mini-batch path: chunks of {Literal.Int(BatchLayout.Chunk)} samples through matrix kernels (a last chunk under {Literal.Int(BatchLayout.MinSamples)} samples goes per sample),");
            _w.Line($"// on MaxDegreeOfParallelism threads when there are at least {Literal.Int(2 * BatchLayout.Chunk)} samples; s = the samples it did.");
            _w.Line($"total = (_batch ??= new {Cs}BatchBackward({Literal.Int(_plan.BatchBuffer.Size)}, _gradients, BackwardChunks)).Run(inputs, targets, k, gradScale, _maxDegreeOfParallelism, out s);");
        }
    }

    private void EmitParallelFields()
    {
        _w.Line($"private {Cs}BatchBackward? _batch; // the batch path's buffers ({Literal.Int(_plan.BatchBuffer.Size)} floats a chunk of {Literal.Int(BatchLayout.Chunk)} samples) and workers, made on the first batch Backward");
        _w.Line("private int _maxDegreeOfParallelism = 1;");
    }

    /// <summary>MaxDegreeOfParallelism: chunks dealt round-robin to workers, gradients added in worker order (BatchBackward).</summary>
    private void EmitMaxDegreeOfParallelism()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Threads one mini-batch <see cref=\"Backward\"/> may use: 1 (the default) runs on the calling thread. With n &gt; 1 the");
        _w.Line($"/// chunks of {Literal.Int(BatchLayout.Chunk)} samples are dealt round-robin to n workers (the calling thread and n − 1 background threads); each");
        _w.Line("/// adds its chunks' gradients into a buffer of its own, and the buffers are added to <see cref=\"Gradients\"/> in worker");
        _w.Line("/// order. So the result depends on n (the sums are grouped differently than on one thread, within float rounding)");
        _w.Line($"/// but never on timing: bit-identical run to run and machine to machine. Batches under {Literal.Int(2 * BatchLayout.Chunk)} samples stay on one");
        _w.Line("/// thread, as does every batch on a CPU without Vector256 or Vector512 (no batch path there). Each extra worker");
        _w.Line($"/// holds {Literal.Int(_plan.BatchBuffer.Size)} + ParameterCount floats, made on first use.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value is not 1 to 64 (BatchWorkers.MaxWorkers).</exception>");
        using (_w.Block("public int MaxDegreeOfParallelism"))
        {
            _w.Line("get => _maxDegreeOfParallelism;");
            _w.Line($"set => _maxDegreeOfParallelism = {Cs}BatchBackward.CheckDegreeOfParallelism(value);");
        }
    }

    private void EmitBackwardChunks()
    {
        _w.Line("/// <summary>");
        _w.Line("/// The batch path of <see cref=\"Backward\"/>: samples in chunks of 32, each kept feature-major ([features × 32]) so that");
        _w.Line("/// every layer is three register-tiled matrix products (forward, input gradient, weight gradient). Does all samples");
        _w.Line("/// but a last chunk of fewer than " + Literal.Int(BatchLayout.MinSamples) + " and returns their summed loss.");
        _w.Line("/// Worker <paramref name=\"worker\"/> of <paramref name=\"workers\"/> takes chunks worker, worker + workers, …, with its own");
        _w.Line("/// chunk buffer and gradients <paramref name=\"g\"/> (one worker: every chunk, into Gradients).");
        _w.Line("/// </summary>");
        using (_w.Block($"private float BackwardChunks({RoSpan} inputs, {RoSpan} targets, int k, float gradScale, int worker, int workers, {Span} chunk, {Span} g)"))
        {
            _w.Line("float total = 0f;");
            EmitParameterSlices(gradients: true, gradientsParameter: true);
            EmitBufferSlices("chunk", _plan.BatchBuffer);
            using (_w.Block($"for (int s0 = worker * {Batch}Chunk; k - s0 >= {Literal.Int(BatchLayout.MinSamples)}; s0 += workers * {Batch}Chunk)"))
            {
                _w.Line("int ns = global::System.Math.Min(" + Batch + "Chunk, k - s0);");
                _w.Line($"{RoSpan} x = inputs.Slice(s0 * InputSize, ns * InputSize);");
                _w.Line();
                _w.Line("// ---- Forward, feature-major: column s of every block is sample s0 + s ----");
                _w.Line(Batch + "ToFeatureMajor(x, InputSize, ns, xT);");
                for (int l = 0; l <= Last; l++)
                {
                    EmitChunkLayerForward(l, training: true);
                }
                _w.Line();
                _w.Line("// ---- Loss and its gradient at the output pre-activation, one sample (column) at a time ----");
                string last = Literal.Int(Last);
                _w.Line($"d{last}T.Clear(); // columns past ns stay 0, so they add nothing below");
                using (_w.Block("for (int s = 0; s < ns; s++)"))
                {
                    _w.Line($"{RoSpan} t = targets.Slice((s0 + s) * OutputSize, OutputSize);");
                    _w.Line($"for (int j = 0; j < {Literal.Int(OutputLayer.Units)}; j++) z{last}[j] = zT[j * {Batch}Chunk + s];");
                    var z = new Vec("z" + last, OutputLayer.Units, isLocal: false);
                    var a = new Vec("a" + last, OutputLayer.Units, isLocal: false);
                    EmitActivation(OutputLayer.Activation, z, a, logSumExp: _model.Loss == LossKind.CrossEntropy);
                    EmitLossAndOutputGradient(batch: true);
                    _w.Line("total += loss;");
                    _w.Line($"for (int j = 0; j < {Literal.Int(OutputLayer.Units)}; j++) d{last}T[j * {Batch}Chunk + s] = dz{last}[j];");
                }
                _w.Line();
                _w.Line("// ---- Backward: per layer ∂L/∂W += ∂L/∂z · inputᵀ over the chunk, then ∂L/∂input = Wᵀ · ∂L/∂z ⊙ f' of the layer below ----");
                for (int l = Last; l >= 0; l--)
                {
                    LayerModel layer = _layers[l];
                    string i = Literal.Int(l);
                    string input = l == 0 ? "x" : "h" + Literal.Int(l - 1);
                    _w.Line($"// Layer {Literal.Int(layer.Position)}: ∂L/∂W{i}[o, i] += Σ_s ∂L/∂z{i}[o, s] · {input}[s, i];  ∂L/∂b{i}[o] += Σ_s ∂L/∂z{i}[o, s]");
                    _w.Line($"{Batch}WeightGradientChunk(d{i}T, {Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}, {input}, ns, gW{i}, gb{i});");
                    if (l > 0)
                    {
                        LayerModel below = _layers[l - 1];
                        string b = Literal.Int(l - 1);
                        _w.Line($"// ∂L/∂z{b}[:, s] = (W{i}ᵀ · ∂L/∂z{i}[:, s]) ⊙ f'(h{b}[:, s]), {ActivationFormulas.Derivative(below.Activation)}");
                        _w.Line($"{Batch}InputGradientChunk<{ActivationFormulas.DerivativeType(below.Activation)}>(W{i}, {Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}, d{i}T, h{b}T, d{b}T);");
                    }
                }
            }
            _w.Line("return total;");
        }
        _w.Line();
        EmitMaxDegreeOfParallelism();
    }
}
