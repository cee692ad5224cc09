using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// One sample of a Dense-only <c>Precision.Int8</c> network (<c>ForwardOne</c>): each Dense layer's input is quantized
/// once, by the layer before when that is a Dense layer whose activation the kernel applies (Linear, ReLU, LeakyReLU;
/// Dropouts between them are the identity): <c>Int8Kernels.DenseForwardToNext</c> (float input) and
/// <c>DenseQuantizedToNext</c> (input quantized by the layer before) quantize their outputs for the next layer as they
/// make them, so the hidden values are not read back and scanned in a pass of their own, and <c>DenseQuantized</c> takes
/// the quantized input. Every other layer is emitted as in <c>ForwardChunk</c> (with ns = 1), and the bits are those of
/// <c>ForwardChunk</c>.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private void EmitInt8ForwardOne(Int8Plan plan)
    {
        _w.Line();
        _w.Line("/// <summary>One sample through every layer, each Dense layer's input quantized once into the scratch bytes (the bits of ForwardChunk with ns = 1).</summary>");
        EmitOneSampleMethodImpl();
        using (_w.Block($"private static void ForwardOne({RoSpan} x, {Span} y, {Span} scratch)"))
        {
            bool handOff = false, perSample = false;
            for (int i = 0; i < plan.Layers.Count; i++)
            {
                LayerModel layer = plan.Layers[i].Layer;
                handOff |= layer.Kind == LayerKind.Dense && FeedsDense(plan, i);
                perSample |= layer.Kind != LayerKind.Dense || (layer.Activation != ActivationKind.Linear && !ActivationFormulas.IsFused(layer.Activation));
            }
            if (perSample) _w.Line("const int ns = 1; // the layers below are written for a chunk of ns samples");
            _w.Line($"{RoSbytes} wq = QuantizedWeights;");
            _w.Line($"{RoSpan} ws = WeightScales;");
            _w.Line($"{RoSpan} p = Parameters;");
            if (_model.StateCount > 0) _w.Line($"{RoSpan} st = State;");
            foreach ((string name, int offset, int length) in plan.Slices)
            {
                _w.Line($"{Span} {name} = scratch.Slice({Literal.Int(offset)}, {Literal.Int(length)});");
            }
            _w.Line($"global::System.Span<byte> bytes = global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(scratch.Slice({Literal.Int(plan.HiddenFloats)}, {Literal.Int(plan.QuantizedScratchFloats)}));");
            if (handOff)
            {
                _w.Line("float sx; // the scale of the quantized input in bytes");
                _w.Line("bool negative; // whether it has negative values (their magnitudes after the positive ones)");
            }
            string input = "x";
            bool quantized = false;
            for (int i = 0; i < plan.Layers.Count; i++)
            {
                Int8Layer l = plan.Layers[i];
                LayerModel layer = l.Layer;
                string output = l.Output ?? (layer.Kind == LayerKind.Dropout && layer.Position != Last ? input : "y");
                _w.Line();
                if (layer.Kind != LayerKind.Dense)
                {
                    EmitInt8Layer(l, input, output);
                    if (layer.Kind != LayerKind.Dropout) quantized = false;
                    input = output;
                    continue;
                }
                string u = Literal.Int(layer.Units), n = Literal.Int(layer.Inputs);
                _w.Line($"// Layer {Literal.Int(layer.Position)}: Dense {n} → {u}, {layer.Activation}: int8 weights wq[{Literal.Int(l.QuantizedOffset)}..{Literal.Int(l.QuantizedOffset + layer.WeightCount)}), " +
                        $"row scales ws[{Literal.Int(l.ScaleOffset)}..{Literal.Int(l.ScaleOffset + layer.Units)}), biases p[{Literal.Int(l.FloatOffset)}..{Literal.Int(l.FloatOffset + layer.Units)})");
                string weights = $"wq.Slice({Literal.Int(l.QuantizedOffset)}, {Literal.Int(layer.WeightCount)}), ws.Slice({Literal.Int(l.ScaleOffset)}, {u}), " +
                                 $"p.Slice({Literal.Int(l.FloatOffset)}, {u}), {u}, {n}";
                string act = ActivationFormulas.FusedType(layer.Activation);
                bool feeds = FeedsDense(plan, i);
                if (quantized && feeds)
                {
                    _w.Line($"sx = {Int8Kernels}DenseQuantizedToNext<{act}>({weights}, bytes, sx, negative, {output}, out negative); // its input quantized by the layer before; quantizes its outputs for the next");
                }
                else if (quantized)
                {
                    _w.Line($"{Int8Kernels}DenseQuantized<{act}>({weights}, bytes, sx, negative, {output}); // its input quantized by the layer before");
                }
                else if (feeds)
                {
                    _w.Line($"sx = {Int8Kernels}DenseForwardToNext<{act}>({weights}, {input}, bytes, {output}, out negative); // quantizes its outputs for the next layer");
                }
                else
                {
                    _w.Line($"{Int8Kernels}DenseForward<{act}>({weights}, {input}, 1, bytes, {output});");
                }
                if (!feeds) EmitInt8Activation(layer.Activation, output, output, layer.Units, afterDense: true);
                quantized = feeds;
                input = output;
            }
        }
    }

    /// <summary>
    /// Whether the Dense layer at <paramref name="i"/> can quantize the next Dense layer's input: its activation is
    /// applied by the kernel and the next layer, past any Dropouts, is Dense.
    /// </summary>
    private static bool FeedsDense(Int8Plan plan, int i)
    {
        ActivationKind activation = plan.Layers[i].Layer.Activation;
        if (activation != ActivationKind.Linear && !ActivationFormulas.IsFused(activation)) return false;
        for (int j = i + 1; j < plan.Layers.Count; j++)
        {
            LayerKind kind = plan.Layers[j].Layer.Kind;
            if (kind == LayerKind.Dropout) continue;
            return kind == LayerKind.Dense;
        }
        return false;
    }
}
