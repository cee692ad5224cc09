using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// <c>[Network(..., Weights = "file", Precision = Precision.Int8)]</c> on a network with convolution or pooling layers.
/// Each layer with weights has them quantized here, at build time, one row per output unit or filter
/// (<see cref="Int8Quantization.QuantizeRows"/>, linked from the runtime):
/// <code>
/// s_w[f] = max over (c, u, v) of |W[f, c, u, v]| / 127,   q_W[f, c, u, v] = round-to-nearest-even(W[f, c, u, v] · 127 / max|W[f]|)
/// </code>
/// and at run time a convolution computes, with one scale per sample over its whole input (s_x = Int8Quantization.InputScale),
/// <code>
/// z[f, y, x] = act(s_x · s_w[f] · Σ_c Σ_u Σ_v q_W[f, c, u, v] · q_x[c, y·sy + u·dy − py, x·sx + v·dx − px] + b[f])
/// </code>
/// (the sum exact in int32, scaled back by Int8Kernels.RescaleOne's rule for the filter's fan-in; <c>Int8ConvKernels.Forward</c>). ReLU and LeakyReLU are applied by
/// the kernel after the scaling, other activations in float32 after it; pooling and batch norm work in float32 on the
/// scaled-back values, and Dense layers are those of NetworkEmitter.Int8.cs. The layout is <see cref="Int8Plan"/>'s.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private void EmitInt8ConvClass()
    {
        TypeDeclarationModel type = _model.Type;
        BakedWeights baked = _baked!;
        Int8Plan plan = _plan.Int8!;
        (sbyte[] quantized, float[] scales) = QuantizeInt8Weights(plan, baked);

        _w.Line("/// <remarks>");
        _w.Line($"/// <para>Inference-only int8 convolutional network {ConvChain()} (values per sample channel-major, as a row of PyTorch's N×C×H×W), " +
                $"from the weights of <c>{Xml(baked.FileName)}</c>, quantized at build time. Each convolution's weights are stored as int8 in <see cref=\"QuantizedWeights\"/> " +
                "([filters × in-channels × kernel] as PyTorch lays them out, layer after layer), each Dense layer's as [out × in], with one scale per filter or output unit " +
                "in <see cref=\"WeightScales\"/>: symmetric, scale = max|w| / 127 over the filter (row), q = round-to-nearest-even(w / scale) (so w ≈ scale · q). " +
                "Biases" + (HasBatchNorm ? ", batch-norm parameters and statistics" : "") + " stay float32 in <see cref=\"Parameters\"/>" + (HasBatchNorm ? " and <see cref=\"State\"/>" : "") + ".</para>");
        _w.Line("/// <para>At run time each convolution's and Dense layer's input is quantized per sample " + Int8InputRule + " (over the sample's whole input), " +
                "the products are summed exactly in int32 (a convolution as a product of its filters with the im2col patches of the quantized input, zeros outside it), and " +
                Int8RescaleRule + " (a convolution's inputs: its filter's in-channels × kernel) before the activation. Pooling, batch norm and every activation other than " +
                "ReLU and LeakyReLU (applied as the sums are scaled back) work in float32 on the scaled-back values. Integer sums are exact, so <c>Forward</c> gives the same bits " +
                "on every SIMD path (AVX-512, AVX2, scalar) and for a batch as one sample at a time. It allocates nothing after a thread's first call, reads no file and may run on several threads at once.</para>");
        EmitInt8ClassBody(type, plan, quantized, scales, baked, "weights", EmitInt8ConvForward);
    }

    /// <summary>A convolution's weight dimensions as PyTorch writes them: <c>16, 1, 5, 5</c> or <c>8, 3, 5</c>.</summary>
    private static string Int8ConvDims(LayerModel layer)
    {
        string k = Literal.Int(layer.Window!.Kernel);
        return $"{Literal.Int(layer.Out.Channels)}, {Literal.Int(layer.In.Channels)}, " + (layer.Kind == LayerKind.Conv2D ? $"{k}, {k}" : k);
    }

    /// <summary>
    /// The shared geometry as an expression (a value made at the call, so the class needs no static fields and no static
    /// constructor): <c>ConvShape.TwoD(...)</c>, <c>ConvShape.OneD(...)</c> or <c>new PoolShape(...)</c>.
    /// </summary>
    private static string Int8ShapeExpression(LayerModel layer)
    {
        if (layer.IsConvolution)
        {
            ConvShape s = layer.ConvShape;
            return layer.Kind == LayerKind.Conv2D
                ? $"{Cs}ConvShape.TwoD({Literal.Int(s.InChannels)}, {Literal.Int(s.InHeight)}, {Literal.Int(s.InWidth)}, {Literal.Int(s.Filters)}, {Literal.Int(s.KernelWidth)}, {Literal.Int(s.StrideX)}, {Literal.Int(s.PaddingX)}, {Literal.Int(s.DilationX)})"
                : $"{Cs}ConvShape.OneD({Literal.Int(s.InChannels)}, {Literal.Int(s.InWidth)}, {Literal.Int(s.Filters)}, {Literal.Int(s.KernelWidth)}, {Literal.Int(s.StrideX)}, {Literal.Int(s.PaddingX)}, {Literal.Int(s.DilationX)})";
        }
        PoolShape p = layer.PoolShape;
        return $"new {Cs}PoolShape({Literal.Int(p.Channels)}, {Literal.Int(p.InHeight)}, {Literal.Int(p.InWidth)}, {Literal.Int(p.WindowHeight)}, {Literal.Int(p.WindowWidth)})";
    }

    private void EmitInt8ConvForward(Int8Plan plan)
    {
        bool pooled = plan.ScratchSize > MaxStackallocFloats;
        string chunk = Literal.Int(Int8Plan.Chunk);
        _w.Line("/// <summary>");
        _w.Line("/// Runs the network on k ≥ 1 samples stored one after another: <c>inputs.Length == k * InputSize</c>,");
        _w.Line($"/// <c>outputs.Length == k * OutputSize</c>. Batches go in chunks of {chunk} samples through every layer, with the same bits as one");
        _w.Line("/// sample at a time; allocates nothing after a thread's first call.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples.</exception>");
        using (_w.Block($"public void Forward({RoSpan} inputs, {Span} outputs)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(inputs), nameof(outputs));");
            using (_w.Block("if (k == 1)"))
            {
                _w.Line(pooled
                    ? $"{Span} scratch = {Cs}ThreadScratch.Get(ScratchSize); // over 16,384 floats: this thread's buffer, not the stack"
                    : $"{Span} scratch = stackalloc float[ScratchSize];");
                _w.Line("ForwardChunk(inputs, outputs, 1, scratch);");
                _w.Line("return;");
            }
            _w.Line("// a buffer of this thread's, so Forward stays safe to call from several threads at once: per sample the layer outputs and");
            _w.Line($"// the Dense input bytes ({Literal.Int(plan.HiddenFloats + plan.QuantizedScratchFloats)} floats), once the convolution bytes ({Literal.Int(plan.ConvScratchFloats)} floats)");
            _w.Line($"{Span} chunk = {Cs}ThreadScratch.Get({Literal.Int(plan.ChunkFloats(Int8Plan.Chunk))});");
            using (_w.Block($"for (int s0 = 0; s0 < k; s0 += {chunk})"))
            {
                _w.Line($"int ns = global::System.Math.Min({chunk}, k - s0);");
                _w.Line("ForwardChunk(inputs.Slice(s0 * InputSize, ns * InputSize), outputs.Slice(s0 * OutputSize, ns * OutputSize), ns, chunk);");
            }
        }
        _w.Line();
        _w.Line($"/// <summary>ns samples through every layer, each layer over all of them before the next; scratch holds ns × {Literal.Int(plan.HiddenFloats + plan.QuantizedScratchFloats)} + {Literal.Int(plan.ConvScratchFloats)} floats.</summary>");
        using (_w.Block($"private static void ForwardChunk({RoSpan} x, {Span} y, int ns, {Span} scratch)"))
        {
            _w.Line($"{RoSbytes} wq = QuantizedWeights;");
            _w.Line($"{RoSpan} ws = WeightScales;");
            _w.Line($"{RoSpan} p = Parameters;");
            if (_model.StateCount > 0) _w.Line($"{RoSpan} st = State;");
            foreach ((string name, int offset, int length) in plan.Slices)
            {
                _w.Line($"{Span} {name} = scratch.Slice({Literal.Int(offset)} * ns, {Literal.Int(length)} * ns);");
            }
            const string Bytes = "global::System.Runtime.InteropServices.MemoryMarshal.AsBytes";
            if (plan.Layers.Any(l => l.Layer.Kind == LayerKind.Dense))
            {
                _w.Line($"global::System.Span<byte> bytes = {Bytes}(scratch.Slice({Literal.Int(plan.HiddenFloats)} * ns, {Literal.Int(plan.QuantizedScratchFloats)} * ns));");
            }
            _w.Line($"global::System.Span<byte> conv = {Bytes}(scratch.Slice({Literal.Int(plan.HiddenFloats + plan.QuantizedScratchFloats)} * ns, {Literal.Int(plan.ConvScratchFloats)}));");
            string input = "x";
            foreach (Int8Layer l in plan.Layers)
            {
                LayerModel layer = l.Layer;
                string output = l.Output ?? (layer.Kind == LayerKind.Dropout && layer.Position != Last ? input : "y");
                _w.Line();
                if (layer.IsConvolution)
                {
                    string f = Literal.Int(layer.BiasCount);
                    _w.Line($"// Layer {Literal.Int(layer.Position)}: {ConvShortDescription(layer)}, {layer.In} → {layer.Out}: int8 filters wq[{Literal.Int(l.QuantizedOffset)}..{Literal.Int(l.QuantizedOffset + layer.WeightCount)}) " +
                            $"as [{Int8ConvDims(layer)}], filter scales ws[{Literal.Int(l.ScaleOffset)}..{Literal.Int(l.ScaleOffset + layer.BiasCount)}), biases p[{Literal.Int(l.FloatOffset)}..{Literal.Int(l.FloatOffset + layer.BiasCount)})");
                    string formula = ConvFormula(layer);
                    string sum = formula.Substring(formula.IndexOf('Σ')).Replace($"W{Literal.Int(layer.Index)}[", "q_W[").Replace("in[", "q_x[");
                    int fanIn = layer.WeightCount / layer.BiasCount;
                    string rescale = fanIn <= Int8Quantization.MaxFloat32RescaleFanIn
                        ? $"scaled back by one float32 fused multiply-add (fan-in {Literal.Int(fanIn)} ≤ {Literal.Int(Int8Quantization.MaxFloat32RescaleFanIn)})"
                        : $"scaled back in float64 (fan-in {Literal.Int(fanIn)} > {Literal.Int(Int8Quantization.MaxFloat32RescaleFanIn)})";
                    _w.Line($"// z[f,y,x] = s_x · s_w[f] · {sum} + b[f]: the sum exact in int32, s_x a power of two from max|x| over the sample's input, {rescale}; " +
                            (ActivationFormulas.IsFused(layer.Activation) ? $"{layer.Activation} applied as the sums are scaled back" : layer.Activation == ActivationKind.Linear ? "no activation" : $"{layer.Activation} then in float32"));
                    _w.Line($"{Cs}Int8ConvKernels.Forward<{ActivationFormulas.FusedType(layer.Activation)}>({Int8ShapeExpression(layer)}, wq.Slice({Literal.Int(l.QuantizedOffset)}, {Literal.Int(layer.WeightCount)}), " +
                            $"ws.Slice({Literal.Int(l.ScaleOffset)}, {f}), p.Slice({Literal.Int(l.FloatOffset)}, {f}), {input}, {output}, ns, conv);");
                    EmitInt8Activation(layer.Activation, output, output, layer.Units, afterDense: true);
                }
                else if (layer.IsPooling)
                {
                    _w.Line($"// Layer {Literal.Int(layer.Position)}: {ConvShortDescription(layer)}, {layer.In} → {layer.Out}, in float32 on the scaled-back values: {PoolFormula(layer).Split(';')[0]}");
                    string kernel = layer.Kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D ? "MaxForward" : "AverageForward";
                    _w.Line($"{Pool}{kernel}({Int8ShapeExpression(layer)}, {input}, {output}, ns);");
                }
                else if (layer.Kind == LayerKind.BatchNorm && layer.In.Positions > 1)
                {
                    string c = Literal.Int(layer.Features), positions = Literal.Int(layer.In.Positions);
                    string at = Literal.Int(l.FloatOffset), bt = Literal.Int(l.FloatOffset + layer.Features);
                    string mt = Literal.Int(layer.StateOffset), vt = Literal.Int(layer.StateOffset + layer.Features);
                    _w.Line($"// Layer {Literal.Int(layer.Position)}: BatchNorm over the {c} channels of {layer.In} in float32, running statistics: y[c,·] = γ_c (x[c,·] − mean_c) / √(var_c + ε) + β_c");
                    _w.Line($"{Cs}BatchNormKernels.Inference(p.Slice({at}, {c}), p.Slice({bt}, {c}), st.Slice({mt}, {c}), st.Slice({vt}, {c}), {Epsilon}, {input}, {output}, {c}, {positions}, ns);");
                }
                else
                {
                    EmitInt8Layer(l, input, output);
                }
                input = output;
            }
        }
    }
}
