using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// <c>[Network(..., Weights = "file", Precision = Precision.Int8)]</c>: an inference-only network whose Dense weights
/// are quantized here, at build time, with the runtime's own rule (<see cref="Int8Quantization"/>, linked from the
/// runtime), and stored as int8 data in the assembly beside one float32 scale per weight row. <c>Forward</c> runs
/// every layer through <c>Int8Kernels.DenseForward</c> (input quantized per sample, exact int32 sums, scaled back in
/// float) over chunks of samples; the layout is <see cref="Int8Plan"/>'s. The quantization, its report, the constants and
/// the data blocks here serve convolutional int8 classes too (NetworkEmitter.Int8Conv.cs).
/// </summary>
internal sealed partial class NetworkEmitter
{
    private const string RoSbytes = "global::System.ReadOnlySpan<sbyte>";
    private const string Int8Kernels = Cs + "Int8Kernels.";

    private void EmitInt8Class()
    {
        TypeDeclarationModel type = _model.Type;
        BakedWeights baked = _baked!;
        Int8Plan plan = _plan.Int8!;
        (sbyte[] quantized, float[] scales) = QuantizeInt8Weights(plan, baked);

        string shape = string.Join(" → ", new[] { Literal.Int(_model.InputSize) + " inputs" }.Concat(_layers.Select(ShortDescription)));
        _w.Line("/// <remarks>");
        _w.Line($"/// <para>Inference-only int8 feedforward network {shape}, from the weights of <c>{Xml(baked.FileName)}</c>, quantized at build time. " +
                "Each Dense layer's weights are stored as int8 in <see cref=\"QuantizedWeights\"/> ([out × in] row-major, layer after layer), with one scale per " +
                "output unit in <see cref=\"WeightScales\"/>: symmetric, scale = max|w| / 127 over the row, q = round-to-nearest-even(w / scale) (so w ≈ scale · q). " +
                "Biases" + (HasBatchNorm ? ", batch-norm parameters and statistics" : "") + " stay float32 in <see cref=\"Parameters\"/>" + (HasBatchNorm ? " and <see cref=\"State\"/>" : "") + ".</para>");
        _w.Line("/// <para>At run time each Dense layer's input is quantized per sample " + Int8InputRule + ", the products are summed " +
                "exactly in int32, and " + Int8RescaleRule + " before the activation; " +
                "softmax, sigmoid and tanh are computed in float32. Integer sums are exact, so <c>Forward</c> gives the same bits on every SIMD path (AVX-512, AVX2, scalar) " +
                "and for a batch as one sample at a time. It allocates nothing, reads no file and may run on several threads at once.</para>");
        EmitInt8ClassBody(type, plan, quantized, scales, baked, "weight matrices", EmitInt8Forward);
    }

    /// <summary>How a layer's input is quantized at run time (Int8Quantization.InputScale), as the class remarks say it.</summary>
    private const string Int8InputRule =
        "by one power-of-two scale 2^k, the one that puts max|x| at 63.75 to 127.5 levels (found from the bits of max|x|, no division), q = round-to-nearest-even(x / 2^k)";

    /// <summary>How the int32 sums are scaled back (Int8Kernels.RescaleOne), as the class remarks say it.</summary>
    private static readonly string Int8RescaleRule =
        "z = s_x · s_w · Σ q_x q_w + b is computed for a layer of at most " + Literal.Int(Int8Quantization.MaxFloat32RescaleFanIn) +
        " inputs (whose sums are exact in float32) as one fused multiply-add in float32, " +
        "fma(Σ, s_x · s_w, b) (s_x a power of two, so while s_x · s_w is a normal float it is exact and z is the exact value rounded once; a unit where it is not takes the float64 form), " +
        "for a wider layer in float64 and rounded once to float32";

    /// <summary>
    /// What every int8 class has after its first remarks (Dense-only here, convolutional in NetworkEmitter.Int8Conv.cs):
    /// the stored bytes, the build-time quantization report, the class with its constants, data, <c>Forward</c>
    /// (<paramref name="emitForward"/>) and typed buffers.
    /// </summary>
    private void EmitInt8ClassBody(TypeDeclarationModel type, Int8Plan plan, sbyte[] quantized, float[] scales, BakedWeights baked, string floatWeights, Action<Int8Plan> emitForward)
    {
        _w.Line($"/// <para>Stored: {Literal.Int(plan.QuantizedWeightCount)} int8 weights + 4 × ({Literal.Int(plan.WeightScaleCount)} scales + {Literal.Int(plan.FloatParameterCount)} float32 parameters" +
                (_model.StateCount > 0 ? $" + {Literal.Int(_model.StateCount)} state values" : "") +
                $") = {Literal.Int(plan.ParameterBytes)} bytes (<see cref=\"ParameterBytes\"/>); the float32 {floatWeights} alone would be {Literal.Int(plan.FloatWeightBytes)} bytes.</para>");
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
            emitForward(plan);
            EmitTypedBuffers();
        }
    }

    private static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

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
        EmitInferenceMembers();
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

    private void EmitInt8Forward(Int8Plan plan)
    {
        bool pooled = plan.ScratchSize > MaxStackallocFloats;
        _w.Line("/// <summary>");
        _w.Line("/// Runs the network on k ≥ 1 samples stored one after another: <c>inputs.Length == k * InputSize</c>,");
        _w.Line($"/// <c>outputs.Length == k * OutputSize</c>. Batches go in chunks of {Literal.Int(Int8Plan.Chunk)} samples through every layer, with the same bits as one");
        _w.Line("/// sample at a time; allocates nothing after a thread's first batch call.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples.</exception>");
        EmitOneSampleMethodImpl();
        using (_w.Block($"public void Forward({RoSpan} inputs, {Span} outputs)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(inputs), nameof(outputs));");
            if (!pooled)
            {
                using (_w.Block("if (k == 1)"))
                {
                    _w.Line($"{Span} scratch = stackalloc float[ScratchSize];");
                    _w.Line("ForwardOne(inputs, outputs, scratch);");
                    _w.Line("return;");
                }
            }
            _w.Line($"// a buffer of this thread's, so Forward stays safe to call from several threads at once");
            _w.Line($"{Span} chunk = {Cs}ThreadScratch.Get({Literal.Int(Int8Plan.Chunk)} * ScratchSize);");
            using (_w.Block($"for (int s0 = 0; s0 < k; s0 += {Literal.Int(Int8Plan.Chunk)})"))
            {
                _w.Line($"int ns = global::System.Math.Min({Literal.Int(Int8Plan.Chunk)}, k - s0);");
                _w.Line("ForwardChunk(inputs.Slice(s0 * InputSize, ns * InputSize), outputs.Slice(s0 * OutputSize, ns * OutputSize), ns, chunk);");
            }
        }
        _w.Line();
        _w.Line("/// <summary>ns samples through every layer, each layer over all of them before the next; scratch holds ns × ScratchSize floats.</summary>");
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
            _w.Line($"global::System.Span<byte> bytes = global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(scratch.Slice({Literal.Int(plan.HiddenFloats)} * ns, {Literal.Int(plan.QuantizedScratchFloats)} * ns));");
            string input = "x";
            foreach (Int8Layer l in plan.Layers)
            {
                string output = l.Output ?? (l.Layer.Kind == LayerKind.Dropout && l.Layer.Position != Last ? input : "y");
                _w.Line();
                EmitInt8Layer(l, input, output);
                input = output;
            }
        }
        if (!pooled) EmitInt8ForwardOne(plan);
    }

    /// <summary>
    /// One Dense, Activation, Dropout or (flat) BatchNorm layer over the chunk's ns samples, from <paramref name="input"/>
    /// into <paramref name="output"/>; <c>wq</c>, <c>ws</c>, <c>p</c>, <c>st</c> and <c>bytes</c> are in scope.
    /// </summary>
    private void EmitInt8Layer(Int8Layer l, string input, string output)
    {
        LayerModel layer = l.Layer;
        string u = Literal.Int(layer.Units);
        string count = $"{u} * ns";
        switch (layer.Kind)
        {
            case LayerKind.Dense:
                _w.Line($"// Layer {Literal.Int(layer.Position)}: Dense {Literal.Int(layer.Inputs)} → {u}, {layer.Activation}: int8 weights wq[{Literal.Int(l.QuantizedOffset)}..{Literal.Int(l.QuantizedOffset + layer.WeightCount)}), " +
                        $"row scales ws[{Literal.Int(l.ScaleOffset)}..{Literal.Int(l.ScaleOffset + layer.Units)}), biases p[{Literal.Int(l.FloatOffset)}..{Literal.Int(l.FloatOffset + layer.Units)})");
                _w.Line($"{Int8Kernels}DenseForward<{ActivationFormulas.FusedType(layer.Activation)}>(wq.Slice({Literal.Int(l.QuantizedOffset)}, {Literal.Int(layer.WeightCount)}), " +
                        $"ws.Slice({Literal.Int(l.ScaleOffset)}, {u}), p.Slice({Literal.Int(l.FloatOffset)}, {u}), {u}, {Literal.Int(layer.Inputs)}, {input}, ns, bytes, {output});");
                EmitInt8Activation(layer.Activation, output, output, layer.Units, afterDense: true);
                break;
            case LayerKind.Activation:
                _w.Line($"// Layer {Literal.Int(layer.Position)}: Activation {layer.Activation} over {u} values per sample, in float32");
                EmitInt8Activation(layer.Activation, input, output, layer.Units, afterDense: false);
                break;
            case LayerKind.Dropout:
                _w.Line($"// Layer {Literal.Int(layer.Position)}: Dropout, the identity in inference");
                if (layer.Position == Last) _w.Line($"{input}.Slice(0, {count}).CopyTo(y);");
                break;
            default:
                string at = Literal.Int(l.FloatOffset), bt = Literal.Int(l.FloatOffset + layer.Units);
                string mt = Literal.Int(layer.StateOffset), vt = Literal.Int(layer.StateOffset + layer.Units);
                _w.Line($"// Layer {Literal.Int(layer.Position)}: BatchNorm over {u} features in float32, running statistics: y_j = γ_j (x_j − mean_j) / √(var_j + ε) + β_j");
                _w.Line($"{Cs}BatchNormKernels.Inference(p.Slice({at}, {u}), p.Slice({bt}, {u}), st.Slice({mt}, {u}), st.Slice({vt}, {u}), {Epsilon}, {input}, {output}, {u}, 1, ns);");
                break;
        }
    }

    /// <summary>An activation over ns samples of <paramref name="units"/> values; ReLU and LeakyReLU are fused into the Dense kernel.</summary>
    private void EmitInt8Activation(ActivationKind activation, string input, string output, int units, bool afterDense)
    {
        string u = Literal.Int(units);
        if (afterDense && (activation == ActivationKind.Linear || ActivationFormulas.IsFused(activation)))
        {
            return;
        }
        if (activation == ActivationKind.Softmax)
        {
            using (_w.Block("for (int s = 0; s < ns; s++)"))
            {
                EmitStagedSoftmax(input, output, units, $"s * {u}");
            }
            return;
        }
        if (afterDense && activation == ActivationKind.Tanh)
        {
            EmitStagedTanh($"{output}.Slice(0, {u} * ns)");
            return;
        }
        EmitStagedElementwise(activation, input, output, $"{u} * ns");
    }
}
