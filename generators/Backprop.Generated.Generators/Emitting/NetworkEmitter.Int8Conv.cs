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
/// and at run time a convolution computes, with one scale per sample over its whole input (s_x = max|x| / 127),
/// <code>
/// z[f, y, x] = act((float)(s_x · s_w[f] · Σ_c Σ_u Σ_v q_W[f, c, u, v] · q_x[c, y·sy + u·dy − py, x·sx + v·dx − px] + b[f]))
/// </code>
/// (the sum exact in int32, the scaling in float64; <c>Int8ConvKernels.Forward</c>). ReLU and LeakyReLU are applied by
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
        _w.Line("/// <para>At run time each convolution's and Dense layer's input is quantized per sample by the same rule (one scale = max|x| / 127 over the sample's whole input), " +
                "the products are summed exactly in int32 (a convolution as a product of its filters with the im2col patches of the quantized input, zeros outside it), and " +
                "z = s_x · s_w · Σ q_x q_w + b is computed in float64 and rounded once to float32 before the activation. Pooling, batch norm and every activation other than " +
                "ReLU and LeakyReLU (applied as the sums are scaled back) work in float32 on the scaled-back values. Integer sums are exact, so <c>Forward</c> gives the same bits " +
                "on every SIMD path (AVX-512, AVX2, scalar) and for a batch as one sample at a time. It allocates nothing after a thread's first call, reads no file and may run on several threads at once.</para>");
        _w.Line($"/// <para>Stored: {Literal.Int(plan.QuantizedWeightCount)} int8 weights + 4 × ({Literal.Int(plan.WeightScaleCount)} scales + {Literal.Int(plan.FloatParameterCount)} float32 parameters" +
                (_model.StateCount > 0 ? $" + {Literal.Int(_model.StateCount)} state values" : "") +
                $") = {Literal.Int(plan.ParameterBytes)} bytes (<see cref=\"ParameterBytes\"/>); the float32 weights alone would be {Literal.Int(plan.FloatWeightBytes)} bytes.</para>");
        _w.Line("/// <para>Quantization report (build time):</para>");
        _w.Line("/// <list type=\"bullet\">");
        EmitInt8QuantizationReport(plan, quantized, scales, baked);
        _w.Line("/// </list>");
        _w.Line("/// </remarks>");
        _w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"Backprop.Generated.Generators\", \"{Version}\")]");
        using (_w.Block($"partial {type.Keyword} {type.Name} : {Rt}IInferenceNetwork"))
        {
            EmitInt8Constants(plan, baked);
            _w.Line();
            EmitInt8Data(plan, quantized, scales, baked);
            _w.Line();
            EmitInt8ConvForward(plan);
            EmitTypedBuffers();
        }
    }

    /// <summary>Every weight tensor quantized by rows (output units or filters) with the runtime's rule, at build time.</summary>
    private static (sbyte[] Quantized, float[] Scales) QuantizeInt8Weights(Int8Plan plan, BakedWeights baked)
    {
        var quantized = new sbyte[plan.QuantizedWeightCount];
        var scales = new float[plan.WeightScaleCount];
        foreach (Int8Layer l in plan.Layers.Where(l => l.Layer.HasWeights))
        {
            (int rows, int columns) = Int8Rows(l.Layer);
            Int8Quantization.QuantizeRows(
                new ReadOnlySpan<float>(baked.Parameters, l.Layer.ParameterOffset, l.Layer.WeightCount), rows, columns,
                new Span<sbyte>(quantized, l.QuantizedOffset, l.Layer.WeightCount), new Span<float>(scales, l.ScaleOffset, rows));
        }
        return (quantized, scales);
    }

    /// <summary>The remarks' per-layer lines: the range of the scales and the largest rounding error |w − scale · q|.</summary>
    private void EmitInt8QuantizationReport(Int8Plan plan, sbyte[] quantized, float[] scales, BakedWeights baked)
    {
        foreach (Int8Layer l in plan.Layers.Where(l => l.Layer.HasWeights))
        {
            LayerModel layer = l.Layer;
            (int rows, int columns) = Int8Rows(layer);
            float minScale = float.MaxValue, maxScale = 0f;
            double maxError = 0, maxRelative = 0;
            for (int o = 0; o < rows; o++)
            {
                float s = scales[l.ScaleOffset + o];
                minScale = Math.Min(minScale, s);
                maxScale = Math.Max(maxScale, s);
                for (int k = 0; k < columns; k++)
                {
                    double error = Math.Abs(baked.Parameters[layer.ParameterOffset + o * columns + k] - (double)s * quantized[l.QuantizedOffset + o * columns + k]);
                    maxError = Math.Max(maxError, error);
                    if (s > 0) maxRelative = Math.Max(maxRelative, error / s);
                }
            }
            string what = layer.IsConvolution
                ? $"{ConvShortDescription(layer)}, {Literal.Int(rows)} filters of {Literal.Int(columns)} weights"
                : $"Dense {Literal.Int(layer.Inputs)} → {Literal.Int(layer.Units)}";
            _w.Line($"/// <item><description>Layer {Literal.Int(layer.Position)} ({what}): " +
                    $"scales {Number(minScale)} to {Number(maxScale)}; largest weight rounding error |w − scale · q| = {Number(maxError)} ({Number(maxRelative)} of its {(layer.IsConvolution ? "filter" : "row")}'s scale).</description></item>");
        }
    }

    /// <summary>The rows a layer's weights are quantized by: output units × inputs (Dense) or filters × fan-in (convolution).</summary>
    private static (int Rows, int Columns) Int8Rows(LayerModel layer) =>
        layer.IsConvolution ? (layer.Out.Channels, layer.In.Channels * layer.KernelArea) : (layer.Units, layer.Inputs);

    /// <summary>The class's constants, for Dense-only and convolutional int8 networks alike.</summary>
    private void EmitInt8Constants(Int8Plan plan, BakedWeights baked)
    {
        bool conv = _model.HasConvolutions;
        _w.Line("/// <summary>Floats per input sample.</summary>");
        _w.Line($"public const int InputSize = {Literal.Int(_model.InputSize)};");
        _w.Line();
        _w.Line("/// <summary>Floats per output sample.</summary>");
        _w.Line($"public const int OutputSize = {Literal.Int(_model.OutputSize)};");
        _w.Line();
        _w.Line(conv
            ? "/// <summary>The parameters that stay float32: each convolution's and Dense layer's biases and each BatchNorm's γ then β, in layer order (<see cref=\"Parameters\"/>).</summary>"
            : "/// <summary>The float32 parameters that stay float32: each Dense layer's biases and each BatchNorm's γ then β, in layer order (<see cref=\"Parameters\"/>).</summary>");
        _w.Line($"public const int ParameterCount = {Literal.Int(plan.FloatParameterCount)};");
        _w.Line();
        _w.Line(conv
            ? "/// <summary>The int8 weights: every convolution's filters × in-channels × kernel and every Dense layer's out × in (<see cref=\"QuantizedWeights\"/>).</summary>"
            : "/// <summary>The int8 weights: every Dense layer's out × in (<see cref=\"QuantizedWeights\"/>).</summary>");
        _w.Line($"public const int QuantizedWeightCount = {Literal.Int(plan.QuantizedWeightCount)};");
        _w.Line();
        _w.Line(conv
            ? "/// <summary>The weight scales: one per filter of every convolution and per output unit of every Dense layer (<see cref=\"WeightScales\"/>).</summary>"
            : "/// <summary>The weight scales: one per output unit of every Dense layer (<see cref=\"WeightScales\"/>).</summary>");
        _w.Line($"public const int WeightScaleCount = {Literal.Int(plan.WeightScaleCount)};");
        _w.Line();
        _w.Line(conv
            ? "/// <summary>Floats of scratch one <c>Forward</c> sample needs: the layer outputs, the Dense layers' quantized input bytes, then the bytes a convolution quantizes and unfolds its input in" +
              (plan.ScratchSize > MaxStackallocFloats ? " (over 16,384 floats: a buffer of the thread's, not the stack).</summary>" : " (on the stack).</summary>")
            : "/// <summary>Floats of scratch one <c>Forward</c> sample needs: the layer outputs, then the quantized input bytes (on the stack up to 16,384 floats).</summary>");
        _w.Line($"public const int ScratchSize = {Literal.Int(plan.ScratchSize)};");
        _w.Line();
        _w.Line("/// <summary>Baked batch-norm running means and variances.</summary>");
        _w.Line($"public const int StateCount = {Literal.Int(_model.StateCount)};");
        _w.Line();
        _w.Line("/// <summary>Bytes stored in the assembly's data: QuantizedWeightCount + 4 × (WeightScaleCount + ParameterCount + StateCount).</summary>");
        _w.Line($"public const int ParameterBytes = {Literal.Int(plan.ParameterBytes)};");
        _w.Line();
        _w.Line("/// <summary>The weights file the network was quantized from.</summary>");
        _w.Line($"public const string BakedWeightsFile = \"{CSharp(baked.FileName)}\";");
        _w.Line();
        _w.Line("/// <summary>The arithmetic of <c>Forward</c>.</summary>");
        _w.Line($"public const {Rt}Precision Precision = {Rt}Precision.Int8;");
        _w.Line();
        _w.Line($"int {Rt}IInferenceNetwork.InputSize => InputSize;");
        _w.Line($"int {Rt}IInferenceNetwork.OutputSize => OutputSize;");
        if (_plan.OutputIsLogits) _w.Line($"bool {Rt}IInferenceNetwork.OutputsAreLogits => true; // a Linear output under {_model.Loss}: the outputs are logits");
    }

    /// <summary>QuantizedWeights, WeightScales, Parameters and State as assembly data, for Dense-only and convolutional int8 networks alike.</summary>
    private void EmitInt8Data(Int8Plan plan, sbyte[] quantized, float[] scales, BakedWeights baked)
    {
        bool conv = _model.HasConvolutions;
        _w.Line(conv
            ? "/// <summary>The int8 weights: per convolution [filters × in-channels × kernel], per Dense layer [out × in], row-major, layer after layer (see the remarks). Data in the assembly: reading it allocates nothing.</summary>"
            : "/// <summary>The int8 weights: per Dense layer [out × in] row-major, layer after layer (see the remarks). Data in the assembly: reading it allocates nothing.</summary>");
        _w.Line($"public static {RoSbytes} QuantizedWeights => new sbyte[]");
        _w.Line("{");
        _w.Indent();
        var line = new StringBuilder();
        foreach (Int8Layer l in plan.Layers.Where(l => l.Layer.HasWeights))
        {
            LayerModel layer = l.Layer;
            (int rows, int columns) = Int8Rows(layer);
            string dims = layer.IsConvolution ? Int8ConvDims(layer) : $"{Literal.Int(rows)}, {Literal.Int(columns)}";
            _w.Line($"// layers.{Literal.Int(layer.Index)}.weight [{dims}] at {Literal.Int(l.QuantizedOffset)}: one {(layer.IsConvolution ? "filter" : "row (output unit)")} per line");
            for (int o = 0; o < rows; o++)
            {
                for (int start = 0; start < columns; start += 32)
                {
                    line.Clear();
                    int end = Math.Min(columns, start + 32);
                    for (int k = start; k < end; k++)
                    {
                        line.Append(quantized[l.QuantizedOffset + o * columns + k].ToString(CultureInfo.InvariantCulture)).Append(',');
                        if (k + 1 < end) line.Append(' ');
                    }
                    _w.Line(line.ToString());
                }
            }
        }
        _w.Unindent();
        _w.Line("};");
        _w.Line();
        _w.Line(conv
            ? "/// <summary>The scale of each int8 filter or weight row (w ≈ scale · q), layer after layer.</summary>"
            : "/// <summary>The scale of each int8 weight row (w ≈ scale · q), per Dense layer in layer order.</summary>");
        _w.Line($"public static {RoSpan} WeightScales => new float[]");
        _w.Line("{");
        _w.Indent();
        foreach (Int8Layer l in plan.Layers.Where(l => l.Layer.HasWeights))
        {
            int rows = Int8Rows(l.Layer).Rows;
            _w.Line($"// layers.{Literal.Int(l.Layer.Index)}.weight: {Literal.Int(rows)} {(l.Layer.IsConvolution ? "filter" : "row")} scales at {Literal.Int(l.ScaleOffset)}");
            EmitValues(scales, l.ScaleOffset, rows);
        }
        _w.Unindent();
        _w.Line("};");
        _w.Line();
        _w.Line(conv
            ? "/// <summary>The float32 parameters: per convolution and Dense layer its biases, per BatchNorm its γ then β, in layer order.</summary>"
            : "/// <summary>The float32 parameters: per Dense layer its biases, per BatchNorm its γ then β, in layer order.</summary>");
        _w.Line($"public static {RoSpan} Parameters => new float[]");
        _w.Line("{");
        _w.Indent();
        foreach (Int8Layer l in plan.Layers)
        {
            LayerModel layer = l.Layer;
            string i = Literal.Int(layer.Index);
            if (layer.HasWeights)
            {
                _w.Line($"// layers.{i}.bias [{Literal.Int(layer.BiasCount)}] at {Literal.Int(l.FloatOffset)}");
                EmitValues(baked.Parameters, layer.BiasOffset, layer.BiasCount);
            }
            else if (layer.Kind == LayerKind.BatchNorm)
            {
                _w.Line($"// layers.{i}.bn.weight [{Literal.Int(layer.Features)}] at {Literal.Int(l.FloatOffset)}");
                EmitValues(baked.Parameters, layer.ParameterOffset, layer.Features);
                _w.Line($"// layers.{i}.bn.bias [{Literal.Int(layer.Features)}] at {Literal.Int(l.FloatOffset + layer.Features)}");
                EmitValues(baked.Parameters, layer.ParameterOffset + layer.Features, layer.Features);
            }
        }
        _w.Unindent();
        _w.Line("};");
        if (_model.StateCount > 0)
        {
            _w.Line();
            EmitBakedData("State", "The baked batch-norm running statistics: per BatchNorm layer its running means, then its running variances.",
                baked.State, parameters: false);
        }
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
                    _w.Line($"// z[f,y,x] = s_x · s_w[f] · {sum} + b[f]: the sum exact in int32, s_x = max|x| / 127 over the sample's input, the product in float64; " +
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
                    string gamma = $"p[{Literal.Int(l.FloatOffset)} + c]", beta = $"p[{Literal.Int(l.FloatOffset + layer.Features)} + c]";
                    string mean = $"st[{Literal.Int(layer.StateOffset)} + c]", variance = $"st[{Literal.Int(layer.StateOffset + layer.Features)} + c]";
                    _w.Line($"// Layer {Literal.Int(layer.Position)}: BatchNorm over the {c} channels of {layer.In} in float32, running statistics: y[c,·] = γ_c (x[c,·] − mean_c) / √(var_c + ε) + β_c");
                    using (_w.Block($"for (int s = 0; s < ns * {c}; s++)"))
                    {
                        _w.Line($"int c = s % {c};");
                        _w.Line($"for (int j = s * {positions}; j < (s + 1) * {positions}; j++) {output}[j] = {gamma} * ({input}[j] - {mean}) / {MathF}Sqrt({variance} + {Epsilon}) + {beta};");
                    }
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
