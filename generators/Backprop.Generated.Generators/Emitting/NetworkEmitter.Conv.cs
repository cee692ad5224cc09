using System.Collections.Generic;
using System.Linq;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// Convolutional networks (any Conv1D, Conv2D or pooling layer): every method goes layer by layer over a block of
/// samples, each layer one call into the runtime's kernels (<c>ConvKernels</c>, <c>PoolKernels</c>) over the whole
/// block, so a kernel can work on many samples at once. Values are stored sample after sample, each channel-major
/// (a row of PyTorch's N×C×H×W), which is also the order a Dense layer reads when it flattens them. Dense, Activation,
/// Dropout and flat BatchNorm layers are written as on the general layer-by-layer path (NetworkEmitter.Staged.cs);
/// a BatchNorm after a convolution or pooling layer normalizes per channel. The decisions (which networks train in
/// chunks, the buffer sizes) are the plan's.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private const string Conv = Cs + "ConvKernels.";
    private const string Pool = Cs + "PoolKernels.";

    private bool ConvolutionChunks => _plan.ConvolutionChunks;

    /// <summary>The geometry field of a convolution or pooling layer, passed to the kernels by reference.</summary>
    private static string ShapeField(LayerModel layer) => "s_shape" + Literal.Int(layer.Position);

    /// <summary>The class remarks of a convolutional network: the shape after every layer, then each layer's formula.</summary>
    private void EmitConvRemarks()
    {
        _w.Line("/// <remarks>");
        _w.Line($"/// <para>Convolutional network {ConvChain()} (values per sample as channels × height × width, " +
                $"channel-major as a row of PyTorch's N×C×H×W), trained with {LossName(_model.Loss)}; {Literal.Int(_model.ParameterCount)} parameters.</para>");
        _w.Line("/// <list type=\"number\">");
        foreach (LayerModel layer in _layers)
        {
            _w.Line($"/// <item><description>Layer {Literal.Int(layer.Position)}: {ConvLayerRemark(layer)}</description></item>");
        }
        _w.Line("/// </list>");
        _w.Line($"/// <para>Loss: {LossFormula()}.</para>");
        _w.Line("/// <para><c>Backward</c> applies the chain rule layer by layer from the output over all the samples at once; " +
                "each convolution and pooling layer's derivative is written beside its kernel call.</para>");
        _w.Line("/// <para>Thread safety: <c>Forward</c> only reads the parameters and may run on several threads at once; " +
                (ConvolutionChunks ? "<c>Backward</c>, <c>TrainStep</c>, " : "<c>Backward</c>, ") +
                "<c>ZeroGradients</c> and <c>InitializeParameters</c> need exclusive access.</para>");
        _w.Line("/// </remarks>");
    }

    /// <summary>The shape after every layer: <c>1×28×28 → Conv2D(16, 5×5, pad 2, ReLU) → 16×28×28 → ...</c>.</summary>
    private string ConvChain()
    {
        var chain = new List<string> { _model.InputShape.ToString() };
        foreach (LayerModel layer in _layers)
        {
            chain.Add(ShortDescription(layer));
            chain.Add(layer.Out.ToString());
        }
        return string.Join(" → ", chain);
    }

    private static string ConvShortDescription(LayerModel layer)
    {
        WindowModel w = layer.Window!;
        string k = Literal.Int(w.Kernel);
        switch (layer.Kind)
        {
            case LayerKind.Conv1D:
            case LayerKind.Conv2D:
                string options = (w.Stride > 1 ? $", stride {Literal.Int(w.Stride)}" : "") +
                                 (w.Padding > 0 ? $", pad {Literal.Int(w.Padding)}" : "") +
                                 (w.Dilation > 1 ? $", dilation {Literal.Int(w.Dilation)}" : "") +
                                 (layer.Activation != ActivationKind.Linear ? $", {layer.Activation}" : "");
                return $"{layer.Kind}({Literal.Int(layer.Out.Channels)}, {(layer.Kind == LayerKind.Conv2D ? k + "×" + k : k)}{options})";
            case LayerKind.GlobalAveragePool:
                return "GlobalAveragePool";
            default:
                return $"{layer.Kind}({(layer.Kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D ? k + "×" + k : k)})";
        }
    }

    private string ConvLayerRemark(LayerModel layer)
    {
        string i = Literal.Int(layer.Index);
        switch (layer.Kind)
        {
            case LayerKind.Conv1D:
            case LayerKind.Conv2D:
                string init = layer.DeclaredInit == InitKind.Auto ? $"{layer.Init} (Auto)" : layer.Init.ToString();
                string shape = layer.Kind == LayerKind.Conv2D ? "[filters × in × k × k]" : "[filters × in × k]";
                return $"{ConvShortDescription(layer)}, {layer.In} → {layer.Out}: z = {ConvFormula(layer)}, a = {ActivationFormulas.Formula(layer.Activation)}; " +
                       $"W{i} = Parameters[{Literal.Int(layer.ParameterOffset)}..{Literal.Int(layer.BiasOffset)}) as {shape.Replace("filters", Literal.Int(layer.Out.Channels)).Replace("in", Literal.Int(layer.In.Channels)).Replace("k", Literal.Int(layer.Window!.Kernel))} " +
                       $"(PyTorch's layout), b{i} = Parameters[{Literal.Int(layer.BiasOffset)}..{Literal.Int(layer.BiasOffset + layer.BiasCount)}); " +
                       $"weights {init} with fan-in {Literal.Int(layer.In.Channels * layer.KernelArea)} and fan-out {Literal.Int(layer.Out.Channels * layer.KernelArea)}, biases 0.";
            case LayerKind.MaxPool1D:
            case LayerKind.MaxPool2D:
            case LayerKind.AvgPool1D:
            case LayerKind.AvgPool2D:
            case LayerKind.GlobalAveragePool:
                return $"{ConvShortDescription(layer)}, {layer.In} → {layer.Out}: {PoolFormula(layer)}.";
            case LayerKind.Dense:
                string denseInit = layer.DeclaredInit == InitKind.Auto ? $"{layer.Init} (Auto)" : layer.Init.ToString();
                string flatten = layer.In.Rank > 0 ? $"flattens {layer.In} in (channel, row, column) order, then " : "";
                return $"Dense {Literal.Int(layer.Inputs)} → {Literal.Int(layer.Units)}: {flatten}a = {ActivationFormulas.Formula(layer.Activation)}, z = W·x + b; " +
                       $"W{i} = Parameters[{Literal.Int(layer.ParameterOffset)}..{Literal.Int(layer.BiasOffset)}) as [{Literal.Int(layer.Units)} × {Literal.Int(layer.Inputs)}], " +
                       $"b{i} = Parameters[{Literal.Int(layer.BiasOffset)}..{Literal.Int(layer.BiasOffset + layer.Units)}); weights {denseInit}, biases 0.";
            case LayerKind.BatchNorm when layer.In.Rank > 0:
                string c = Literal.Int(layer.Features);
                return $"BatchNorm over the {c} channels of {layer.In} (layer {i}'s), each normalized over the samples and its {Literal.Int(layer.In.Positions)} positions (PyTorch's BatchNorm{Literal.Int(layer.In.Rank)}d): " +
                       $"y = γ_c (x − μ_c) / √(σ_c² + 1e−5) + β_c with batch statistics in Backward and running ones (momentum 0.1) in Forward; " +
                       $"γ = Parameters[{Literal.Int(layer.ParameterOffset)}..{Literal.Int(layer.ParameterOffset + layer.Features)}), β = Parameters[{Literal.Int(layer.ParameterOffset + layer.Features)}..{Literal.Int(layer.ParameterOffset + 2 * layer.Features)}), " +
                       $"running mean and variance = State[{Literal.Int(layer.StateOffset)}..{Literal.Int(layer.StateOffset + 2 * layer.Features)}).";
            default:
                return LayerRemark(layer);
        }
    }

    /// <summary>The convolution's formula with its own stride, dilation and padding written in.</summary>
    private static string ConvFormula(LayerModel layer)
    {
        WindowModel w = layer.Window!;
        string i = Literal.Int(layer.Index);
        string Axis(string o, string u) =>
            (w.Stride == 1 ? o : $"{o}·{Literal.Int(w.Stride)}") + "+" + (w.Dilation == 1 ? u : $"{u}·{Literal.Int(w.Dilation)}") + (w.Padding == 0 ? "" : $"−{Literal.Int(w.Padding)}");
        return layer.Kind == LayerKind.Conv2D
            ? $"b{i}[f] + Σ_c Σ_u,v W{i}[f,c,u,v] · in[c, {Axis("y", "u")}, {Axis("x", "v")}]"
            : $"b{i}[f] + Σ_c Σ_u W{i}[f,c,u] · in[c, {Axis("x", "u")}]";
    }

    /// <summary>The convolution's derivatives: weights, biases and input.</summary>
    private static IEnumerable<string> ConvDerivatives(LayerModel layer)
    {
        WindowModel w = layer.Window!;
        string i = Literal.Int(layer.Index);
        string Axis(string o, string u) =>
            (w.Stride == 1 ? o : $"{o}·{Literal.Int(w.Stride)}") + "+" + (w.Dilation == 1 ? u : $"{u}·{Literal.Int(w.Dilation)}") + (w.Padding == 0 ? "" : $"−{Literal.Int(w.Padding)}");
        if (layer.Kind == LayerKind.Conv2D)
        {
            yield return $"∂L/∂W{i}[f,c,u,v] += Σ_s Σ_y,x ∂L/∂z[s,f,y,x] · in[s, c, {Axis("y", "u")}, {Axis("x", "v")}];  ∂L/∂b{i}[f] += Σ_s Σ_y,x ∂L/∂z[s,f,y,x]";
            yield return $"∂L/∂in[s,c,i,j] = Σ_f Σ_u,v W{i}[f,c,u,v] · ∂L/∂z[s,f,y,x] over the (y, x) with {Axis("y", "u")} = i and {Axis("x", "v")} = j";
        }
        else
        {
            yield return $"∂L/∂W{i}[f,c,u] += Σ_s Σ_x ∂L/∂z[s,f,x] · in[s, c, {Axis("x", "u")}];  ∂L/∂b{i}[f] += Σ_s Σ_x ∂L/∂z[s,f,x]";
            yield return $"∂L/∂in[s,c,j] = Σ_f Σ_u W{i}[f,c,u] · ∂L/∂z[s,f,x] over the x with {Axis("x", "u")} = j";
        }
    }

    private static string PoolFormula(LayerModel layer)
    {
        string k = Literal.Int(layer.Window!.Kernel);
        return layer.Kind switch
        {
            LayerKind.MaxPool2D => $"y[c,i,j] = max over u,v < {k} of x[c, i·{k}+u, j·{k}+v]; ∂L/∂x = ∂L/∂y at the first maximum of each window (row-major), 0 elsewhere",
            LayerKind.MaxPool1D => $"y[c,j] = max over u < {k} of x[c, j·{k}+u]; ∂L/∂x = ∂L/∂y at the first maximum of each window, 0 elsewhere",
            LayerKind.AvgPool2D => $"y[c,i,j] = (1/{Literal.Int(layer.Window.Kernel * layer.Window.Kernel)}) Σ_u,v<{k} x[c, i·{k}+u, j·{k}+v]; ∂L/∂x[c, i·{k}+u, j·{k}+v] = ∂L/∂y[c,i,j] / {Literal.Int(layer.Window.Kernel * layer.Window.Kernel)}",
            LayerKind.AvgPool1D => $"y[c,j] = (1/{k}) Σ_u<{k} x[c, j·{k}+u]; ∂L/∂x[c, j·{k}+u] = ∂L/∂y[c,j] / {k}",
            _ => $"y[c] = mean of the {Literal.Int(layer.In.Positions)} positions of channel c; ∂L/∂x[c, ·] = ∂L/∂y[c] / {Literal.Int(layer.In.Positions)}",
        } + (layer.Kind != LayerKind.GlobalAveragePool && (layer.In.Width % layer.Window.Kernel != 0 || layer.In.Height % layer.Window.KernelHeight != 0)
            ? "; positions past the last whole window are left out (floor mode) and get gradient 0"
            : "");
    }

    private string ConvHeader(LayerModel layer) => layer.Kind switch
    {
        LayerKind.Conv1D or LayerKind.Conv2D or LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D or LayerKind.GlobalAveragePool =>
            $"// Layer {Literal.Int(layer.Position)}: {ConvShortDescription(layer)}, {layer.In} → {layer.Out}",
        LayerKind.BatchNorm when layer.In.Positions > 1 =>
            $"// Layer {Literal.Int(layer.Position)}: BatchNorm over the {Literal.Int(layer.Features)} channels of {layer.In}",
        _ => StagedHeader(layer),
    };

    /// <summary>The geometry of every convolution and pooling layer, as the runtime's kernels take it.</summary>
    private void EmitConvShapes()
    {
        _w.Line();
        _w.Line("// The geometry of each convolution and pooling layer, as the runtime's kernels take it (passed by reference).");
        foreach (LayerModel layer in _layers)
        {
            if (layer.IsConvolution)
            {
                ConvShape s = layer.ConvShape;
                string factory = layer.Kind == LayerKind.Conv2D
                    ? $"TwoD({Literal.Int(s.InChannels)}, {Literal.Int(s.InHeight)}, {Literal.Int(s.InWidth)}, {Literal.Int(s.Filters)}, {Literal.Int(s.KernelWidth)}, {Literal.Int(s.StrideX)}, {Literal.Int(s.PaddingX)}, {Literal.Int(s.DilationX)})"
                    : $"OneD({Literal.Int(s.InChannels)}, {Literal.Int(s.InWidth)}, {Literal.Int(s.Filters)}, {Literal.Int(s.KernelWidth)}, {Literal.Int(s.StrideX)}, {Literal.Int(s.PaddingX)}, {Literal.Int(s.DilationX)})";
                _w.Line($"private static readonly {Cs}ConvShape {ShapeField(layer)} = {Cs}ConvShape.{factory}; // layer {Literal.Int(layer.Position)}: {ConvShortDescription(layer)}, {layer.In} → {layer.Out}");
            }
            else if (layer.IsPooling)
            {
                PoolShape s = layer.PoolShape;
                _w.Line($"private static readonly {Cs}PoolShape {ShapeField(layer)} = new({Literal.Int(s.Channels)}, {Literal.Int(s.InHeight)}, {Literal.Int(s.InWidth)}, {Literal.Int(s.WindowHeight)}, {Literal.Int(s.WindowWidth)}); // layer {Literal.Int(layer.Position)}: {ConvShortDescription(layer)}, {layer.In} → {layer.Out}");
            }
        }
    }

    /// <summary>Fields of a trainable convolutional network beyond the parameters and gradients.</summary>
    private void EmitConvFields()
    {
        _w.Line("private float[]? _trainingBuffer; // activations and gradients of a block of samples; grows to the largest block seen, then is reused");
        if (ConvolutionChunks)
        {
            _w.Line($"private {Cs}BatchBackward? _batch; // chunks of {Literal.Int(BatchLayout.Chunk)} samples ({Literal.Int(ChunkFloats)} floats each) and the workers, made on the first Backward of {Literal.Int(BatchLayout.MinSamples)} or more samples");
            _w.Line("private int _maxDegreeOfParallelism = 1;");
            _w.Line($"private {Cs}AlignedFloats? _stepGradients; // TrainStep's one-sample gradient, made on the first TrainStep");
        }
    }

    private int ChunkFloats => BatchLayout.Chunk * _plan.TrainingFloatsPerSample + _plan.TrainingFixedFloats;

    private void EmitConvInitialization(LayerModel layer)
    {
        string init = layer.DeclaredInit == InitKind.Auto ? $"{layer.Init} (Init.Auto for {layer.EffectiveActivation})" : layer.Init.ToString();
        string shape = layer.Kind == LayerKind.Conv2D
            ? $"{Literal.Int(layer.Out.Channels)} × {Literal.Int(layer.In.Channels)} × {Literal.Int(layer.Window!.Kernel)} × {Literal.Int(layer.Window.Kernel)}"
            : $"{Literal.Int(layer.Out.Channels)} × {Literal.Int(layer.In.Channels)} × {Literal.Int(layer.Window!.Kernel)}";
        _w.Line($"// Layer {Literal.Int(layer.Position)}: {shape} weights, {init}, fan-in {Literal.Int(layer.In.Channels * layer.KernelArea)}, fan-out {Literal.Int(layer.Out.Channels * layer.KernelArea)} (PyTorch's); biases 0");
        _w.Line($"{Cs}LayerInitializer.InitializeConvolution(p.Slice({Literal.Int(layer.ParameterOffset)}, {Literal.Int(layer.WeightCount)}), " +
                $"p.Slice({Literal.Int(layer.BiasOffset)}, {Literal.Int(layer.BiasCount)}), {Literal.Int(layer.In.Channels)}, {Literal.Int(layer.Out.Channels)}, {Literal.Int(layer.KernelArea)}, " +
                $"{Rt}Init.{layer.Init}, {Rt}Activation.{layer.EffectiveActivation}, seed, {Literal.Int(layer.Index)});");
    }

    /// <summary>Weight, bias and batch-norm spans; gradients from the parameter <c>g</c>.</summary>
    private void EmitConvParameterSlices(bool gradients)
    {
        _w.Line($"{RoSpan} p = {ParameterSource};");
        foreach (LayerModel layer in _layers)
        {
            string i = Literal.Int(layer.Index);
            if (layer.HasWeights)
            {
                string shape = layer.IsConvolution
                    ? $"[{Literal.Int(layer.Out.Channels)} × {Literal.Int(layer.In.Channels)} × {(layer.Kind == LayerKind.Conv2D ? Literal.Int(layer.Window!.Kernel) + " × " : "")}{Literal.Int(layer.Window!.Kernel)}]"
                    : $"[{Literal.Int(layer.Units)} × {Literal.Int(layer.Inputs)}]";
                _w.Line($"{RoSpan} W{i} = p.Slice({Literal.Int(layer.ParameterOffset)}, {Literal.Int(layer.WeightCount)}); // layer {Literal.Int(layer.Position)} weights {shape}");
                _w.Line($"{RoSpan} b{i} = p.Slice({Literal.Int(layer.BiasOffset)}, {Literal.Int(layer.BiasCount)});");
                if (gradients)
                {
                    _w.Line($"{Span} gW{i} = g.Slice({Literal.Int(layer.ParameterOffset)}, {Literal.Int(layer.WeightCount)});");
                    _w.Line($"{Span} gb{i} = g.Slice({Literal.Int(layer.BiasOffset)}, {Literal.Int(layer.BiasCount)});");
                }
            }
            else if (layer.Kind == LayerKind.BatchNorm)
            {
                string u = Literal.Int(layer.Features);
                _w.Line($"{RoSpan} gamma{i} = p.Slice({Literal.Int(layer.ParameterOffset)}, {u}); // layer {Literal.Int(layer.Position)} batch-norm scale, one per {(layer.In.Positions > 1 ? "channel" : "feature")}");
                _w.Line($"{RoSpan} beta{i} = p.Slice({Literal.Int(layer.ParameterOffset + layer.Features)}, {u});");
                string stateType = gradients ? Span : RoSpan;
                _w.Line($"{stateType} rmean{i} = {StateSlice(layer.StateOffset, u)};");
                _w.Line($"{stateType} rvar{i} = {StateSlice(layer.StateOffset + layer.Features, u)};");
                if (gradients)
                {
                    _w.Line($"{Span} ggamma{i} = g.Slice({Literal.Int(layer.ParameterOffset)}, {u});");
                    _w.Line($"{Span} gbeta{i} = g.Slice({Literal.Int(layer.ParameterOffset + layer.Features)}, {u});");
                }
            }
        }
    }

    // ---------------------------------------------------------------- Forward

    private void EmitConvForward()
    {
        EmitConvShapes();
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// Runs the network in inference mode on k ≥ 1 samples stored one after another:");
        _w.Line("/// <c>inputs.Length == k * InputSize</c>, <c>outputs.Length == k * OutputSize</c>. From " + Literal.Int(BatchLayout.MinSamples) + " samples on, blocks of " + Literal.Int(BatchLayout.Chunk));
        _w.Line("/// go through each layer together (equal to one sample at a time within float rounding); fewer go one at a time.");
        _w.Line("/// Allocates nothing after a thread's first call.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples.</exception>");
        using (_w.Block($"public void Forward({RoSpan} inputs, {Span} outputs)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(inputs), nameof(outputs));");
            _w.Line("int s = 0;");
            using (_w.Block($"if (k >= {Literal.Int(BatchLayout.MinSamples)})"))
            {
                _w.Line($"// blocks of {Literal.Int(BatchLayout.Chunk)} samples through every layer, in a buffer of this thread's (Forward may run on several threads at once);");
                _w.Line($"// a last block under {Literal.Int(BatchLayout.MinSamples)} samples goes one sample at a time");
                _w.Line($"{Span} block = {Cs}ThreadScratch.Get({Literal.Int(BatchLayout.Chunk)} * ScratchSize);");
                using (_w.Block($"for (; k - s >= {Literal.Int(BatchLayout.MinSamples)}; s += {Literal.Int(BatchLayout.Chunk)})"))
                {
                    _w.Line($"int ns = global::System.Math.Min({Literal.Int(BatchLayout.Chunk)}, k - s);");
                    _w.Line("ForwardSamples(inputs.Slice(s * InputSize, ns * InputSize), outputs.Slice(s * OutputSize, ns * OutputSize), ns, block);");
                }
                _w.Line("s = global::System.Math.Min(s, k);");
            }
            if (_plan.ForwardScratch.Size == 0)
            {
                _w.Line($"{Span} scratch = default;");
            }
            else if (_plan.ForwardScratch.Size <= MaxStackallocFloats)
            {
                _w.Line($"{Span} scratch = s < k ? stackalloc float[ScratchSize] : default;");
            }
            else
            {
                _w.Line($"{Span} scratch = s < k ? {Cs}ThreadScratch.Get(ScratchSize) : default; // over 16,384 floats: this thread's buffer, not the stack");
            }
            using (_w.Block("for (; s < k; s++)"))
            {
                _w.Line("ForwardSamples(inputs.Slice(s * InputSize, InputSize), outputs.Slice(s * OutputSize, OutputSize), 1, scratch);");
            }
        }
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// k samples in inference mode, layer by layer (dropout is the identity, batch norm uses the running statistics);");
        _w.Line("/// <paramref name=\"scratch\"/> holds k × ScratchSize floats: each hidden layer's outputs for the k samples.");
        _w.Line("/// </summary>");
        using (_w.Block($"private void ForwardSamples({RoSpan} x, {Span} y, int k, {Span} scratch)"))
        {
            EmitConvParameterSlices(gradients: false);
            foreach ((string name, int offset, int length) in _plan.ForwardScratch.Slices)
            {
                _w.Line($"{Span} {name} = scratch.Slice(k * {Literal.Int(offset)}, k * {Literal.Int(length)});");
            }
            string input = "x";
            for (int p = 0; p <= Last; p++)
            {
                LayerModel layer = _layers[p];
                string output = p == Last ? "y" : "h" + Literal.Int(p);
                _w.Line();
                _w.Line(ConvHeader(layer));
                if (layer.Kind == LayerKind.Dropout)
                {
                    if (p == Last)
                    {
                        _w.Line($"{input}.CopyTo(y); // identity in inference");
                    }
                    else
                    {
                        _w.Line("// identity in inference: the next layer reads this layer's input");
                        output = input;
                    }
                }
                else
                {
                    EmitConvLayerForward(p, input, output, training: false);
                }
                input = output;
            }
        }
    }

    /// <summary>
    /// Layer <paramref name="p"/> over the k samples from <paramref name="input"/> into <paramref name="output"/>:
    /// everything but Dropout (whose training form is the staged one). Training: batch statistics and the values the
    /// derivatives need; inference: running statistics.
    /// </summary>
    private void EmitConvLayerForward(int p, string input, string output, bool training)
    {
        LayerModel layer = _layers[p];
        string i = Literal.Int(layer.Index);
        string n = Literal.Int(layer.Units);
        switch (layer.Kind)
        {
            case LayerKind.Conv1D:
            case LayerKind.Conv2D:
                _w.Line($"// z = {ConvFormula(layer)} (zeros outside the input); a = {ActivationFormulas.Formula(layer.Activation)}");
                _w.Line($"{Conv}Forward(in {ShapeField(layer)}, W{i}, b{i}, {input}, {output}, k);");
                EmitInPlaceActivation(layer.Activation, output, layer.Units);
                break;
            case LayerKind.MaxPool1D:
            case LayerKind.MaxPool2D:
                _w.Line($"// {PoolFormula(layer)}");
                _w.Line($"{Pool}MaxForward(in {ShapeField(layer)}, {input}, {output}, k);");
                break;
            case LayerKind.AvgPool1D:
            case LayerKind.AvgPool2D:
            case LayerKind.GlobalAveragePool:
                _w.Line($"// {PoolFormula(layer)}");
                _w.Line($"{Pool}AverageForward(in {ShapeField(layer)}, {input}, {output}, k);");
                break;
            case LayerKind.Dense:
                if (training)
                {
                    EmitStagedTrainForward(p);
                    break;
                }
                string fanIn = Literal.Int(layer.Inputs);
                if (layer.In.Rank > 0) _w.Line($"// flattens {layer.In} in (channel, row, column) order: the values are already stored so");
                using (_w.Block("for (int s = 0; s < k; s++)"))
                {
                    _w.Line($"{RoSpan} xs = {input}.Slice(s * {fanIn}, {fanIn});");
                    using (_w.Block($"for (int o = 0; o < {n}; o++)"))
                    {
                        _w.Line($"float z = b{i}[o] + {Dense}Dot(W{i}.Slice(o * {fanIn}, {fanIn}), xs);");
                        _w.Line($"{output}[s * {n} + o] = {StagedValue(layer.Activation, "z")};");
                    }
                    if (layer.Activation == ActivationKind.Softmax) EmitStagedSoftmax(output, output, layer.Units, $"s * {n}");
                    if (layer.Activation == ActivationKind.Tanh) EmitStagedTanh($"{output}.Slice(s * {n}, {n})");
                }
                break;
            case LayerKind.Activation:
                if (training)
                {
                    EmitStagedTrainForward(p);
                }
                else if (layer.Activation == ActivationKind.Softmax)
                {
                    using (_w.Block("for (int s = 0; s < k; s++)"))
                    {
                        EmitStagedSoftmax(input, output, layer.Units, $"s * {n}");
                    }
                }
                else
                {
                    EmitStagedElementwise(layer.Activation, input, output, $"k * {n}");
                }
                break;
            case LayerKind.BatchNorm when layer.In.Positions > 1:
                EmitChannelBatchNormForward(layer, p, input, output, training);
                break;
            case LayerKind.BatchNorm:
                if (training)
                {
                    EmitStagedTrainForward(p);
                    break;
                }
                _w.Line($"// y_j = γ_j (x_j − running mean_j) / √(running var_j + ε) + β_j");
                _w.Line($"{Cs}BatchNormKernels.Inference(gamma{i}, beta{i}, rmean{i}, rvar{i}, {Epsilon}, {input}, {output}, {n}, 1, k);");
                break;
            default:
                EmitStagedTrainForward(p); // Dropout in training
                break;
        }
    }

    /// <summary>An activation in place over the k samples' values (softmax per sample).</summary>
    private void EmitInPlaceActivation(ActivationKind activation, string values, int width)
    {
        string n = Literal.Int(width);
        switch (activation)
        {
            case ActivationKind.Linear:
                return;
            case ActivationKind.Softmax:
                using (_w.Block("for (int s = 0; s < k; s++)"))
                {
                    EmitStagedSoftmax(values, values, width, $"s * {n}");
                }
                return;
            case ActivationKind.Tanh:
                EmitStagedTanh($"{values}.Slice(0, k * {n})");
                return;
            case ActivationKind.ReLU:
                // the runtime's span kernel: MathF.Max(z, 0f)'s bits (NaN propagates) a vector at a time
                _w.Line($"{Cs}ActivationKernels.ReLU({values}.Slice(0, k * {n}));");
                return;
            default:
                _w.Line($"for (int e = 0; e < k * {n}; e++) {values}[e] = {ActivationFormulas.Value(activation, values + "[e]")};");
                return;
        }
    }

    /// <summary>Batch norm per channel of shaped values: statistics over the samples and the channel's positions.</summary>
    private void EmitChannelBatchNormForward(LayerModel layer, int p, string input, string output, bool training)
    {
        string i = Literal.Int(layer.Index);
        string q = Literal.Int(p);
        string n = Literal.Int(layer.Units);
        string c = Literal.Int(layer.Features);
        string positions = Literal.Int(layer.In.Positions);
        if (!training)
        {
            _w.Line("// y[s,c,·] = γ_c (x[s,c,·] − running mean_c) / √(running var_c + ε) + β_c");
            _w.Line($"{Cs}BatchNormKernels.Inference(gamma{i}, beta{i}, rmean{i}, rvar{i}, {Epsilon}, {input}, {output}, {c}, {positions}, k);");
            return;
        }
        _w.Line($"// per channel c, over the m = k × {positions} values of the batch: μ_c = mean, σ_c² = biased variance; y = γ_c x̂ + β_c with x̂ = (x − μ_c)/√(σ_c² + ε)");
        _w.Line("// running mean and variance move 10% toward μ_c and the unbiased variance σ_c² m/(m − 1), as PyTorch");
        _w.Line($"float m{q} = k * {positions}f;");
        using (_w.Block($"for (int c = 0; c < {c}; c++)"))
        {
            _w.Line("float mean = 0f;");
            _w.Line($"for (int s = 0; s < k; s++) for (int e = s * {n} + c * {positions}; e < s * {n} + (c + 1) * {positions}; e++) mean += {input}[e];");
            _w.Line($"mean /= m{q};");
            _w.Line("float variance = 0f;");
            _w.Line($"for (int s = 0; s < k; s++) for (int e = s * {n} + c * {positions}; e < s * {n} + (c + 1) * {positions}; e++) {{ float d = {input}[e] - mean; variance += d * d; }}");
            _w.Line($"variance /= m{q};");
            _w.Line($"float inv = 1f / {MathF}Sqrt(variance + {Epsilon});");
            _w.Line($"invstd{q}[c] = inv;");
            using (_w.Block("for (int s = 0; s < k; s++)"))
            {
                using (_w.Block($"for (int e = s * {n} + c * {positions}; e < s * {n} + (c + 1) * {positions}; e++)"))
                {
                    _w.Line($"float xh = ({input}[e] - mean) * inv;");
                    _w.Line($"xhat{q}[e] = xh;");
                    _w.Line($"h{q}[e] = gamma{i}[c] * xh + beta{i}[c];");
                }
            }
            _w.Line($"rmean{i}[c] = (1f - {Momentum}) * rmean{i}[c] + {Momentum} * mean;");
            _w.Line($"rvar{i}[c] = (1f - {Momentum}) * rvar{i}[c] + {Momentum} * variance * m{q} / (m{q} - 1f);");
        }
    }

    // ---------------------------------------------------------------- Backward

    private void EmitConvBackward()
    {
        string gradScale = ElementwiseMean
            ? "float gradScale = 1f / (k * OutputSize); // L is the mean over all k × OutputSize elements"
            : "float gradScale = 1f / k; // L is the mean over the k samples";
        _w.Line("/// <summary>");
        _w.Line("/// Training step on k samples: a training-mode forward pass layer by layer over the samples" + (HasBatchNorm ? " (batch norm on batch statistics," : " (dropout active,"));
        _w.Line("/// running statistics updated), then backpropagation. Returns the mean loss and ADDS the gradient of that mean loss to");
        _w.Line("/// <see cref=\"Gradients\"/>; then adds 1 to <see cref=\"TrainingStep\"/>." + (ConvolutionChunks
            ? $" Goes through blocks of {Literal.Int(BatchLayout.Chunk)} samples, on up to <see cref=\"MaxDegreeOfParallelism\"/> threads."
            : ""));
        _w.Line("/// Allocates nothing once the buffers have grown to the largest batch seen.");
        _w.Line("/// </summary>");
        // A batch norm over one position per channel (after a Dense layer or global pooling) needs two samples for a
        // variance; per channel over several positions one sample is enough, as in PyTorch.
        bool needsTwo = _layers.Any(l => l.Kind == LayerKind.BatchNorm && l.In.Positions == 1);
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples" +
                (needsTwo ? ", or k &lt; 2 (batch norm needs batch statistics)" : "") + ".</exception>");
        using (_w.Block($"public float Backward({RoSpan} inputs, {RoSpan} targets)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, targets.Length, OutputSize, nameof(inputs), nameof(targets));");
            if (needsTwo)
            {
                using (_w.Block("if (k < 2)"))
                {
                    _w.Line("throw new global::System.ArgumentException($\"Backward needs at least 2 samples for batch norm's batch statistics, but got {k}.\", nameof(inputs));");
                }
            }
            _w.Line(gradScale);
            if (ConvolutionChunks)
            {
                _w.Line("float total = 0f;");
                _w.Line("int s = 0;");
                using (_w.Block($"if (k >= {Literal.Int(BatchLayout.MinSamples)})"))
                {
                    _w.Line($"// blocks of {Literal.Int(BatchLayout.Chunk)} samples (a last one under {Literal.Int(BatchLayout.MinSamples)} samples goes below), dealt to MaxDegreeOfParallelism threads when there are");
                    _w.Line($"// at least {Literal.Int(2 * BatchLayout.Chunk)} samples; s = the samples done");
                    _w.Line($"total = (_batch ??= new {Cs}BatchBackward({Literal.Int(ChunkFloats)}, _gradients, BackwardChunks)).Run(inputs, targets, k, gradScale, _maxDegreeOfParallelism, out s);");
                }
                using (_w.Block("if (s < k)"))
                {
                    _w.Line("total += BackwardSamples(inputs.Slice(s * InputSize), targets.Slice(s * OutputSize), k - s, gradScale, TrainingBuffer(k - s), _gradients.Span);");
                }
                _w.Line("TrainingStep++;");
                _w.Line("return total / k;");
            }
            else
            {
                _w.Line("float loss = BackwardSamples(inputs, targets, k, gradScale, TrainingBuffer(k), _gradients.Span);");
                _w.Line("TrainingStep++;");
                _w.Line("return loss / k;");
            }
        }
        _w.Line();
        _w.Line($"/// <summary>The training buffer for k samples ({Literal.Int(_plan.TrainingFloatsPerSample)} floats each{(_plan.TrainingFixedFloats > 0 ? $", plus {Literal.Int(_plan.TrainingFixedFloats)}" : "")}), grown when k is larger than any before.</summary>");
        using (_w.Block($"private {Span} TrainingBuffer(int k)"))
        {
            _w.Line($"int needed = k * {Literal.Int(_plan.TrainingFloatsPerSample)} + {Literal.Int(_plan.TrainingFixedFloats)};");
            _w.Line("if (_trainingBuffer is null || _trainingBuffer.Length < needed) _trainingBuffer = new float[needed];");
            _w.Line("return global::System.MemoryExtensions.AsSpan(_trainingBuffer, 0, needed);");
        }
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// k samples: the forward pass layer by layer keeping what the derivatives need, the loss, then the chain rule backwards,");
        _w.Line("/// adding ∂L/∂parameters to <paramref name=\"g\"/>. Returns the summed loss of the k samples.");
        _w.Line("/// </summary>");
        using (_w.Block($"private float BackwardSamples({RoSpan} x, {RoSpan} t, int k, float gradScale, {Span} buffer, {Span} g)"))
        {
            EmitConvParameterSlices(gradients: true);
            _w.Line("int offset = 0;");
            for (int p = 0; p <= Last; p++)
            {
                LayerModel layer = _layers[p];
                string q = Literal.Int(p);
                string n = Literal.Int(layer.Units);
                _w.Line($"{Span} h{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // layer {q} output ({layer.Out} per sample), sample s at [s * {n}]");
                _w.Line($"{Span} d{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // ∂L/∂(layer {q} output)");
                if (layer.Kind == LayerKind.Dropout)
                {
                    _w.Line($"{Span} m{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // dropout factors: 0 or 1/(1 − rate)");
                }
                if (layer.Kind == LayerKind.BatchNorm)
                {
                    string f = Literal.Int(layer.Features);
                    _w.Line($"{Span} xhat{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // normalized values x̂");
                    _w.Line($"{Span} invstd{q} = buffer.Slice(offset, {f}); offset += {f}; // 1/√(σ² + ε) per {(layer.In.Positions > 1 ? "channel" : "feature")}");
                }
            }
            if (StagedKeepsLogits)
            {
                _w.Line($"{Span} zl = buffer.Slice(offset, k * OutputSize); // the output layer's logits");
            }

            _w.Line();
            _w.Line("// ---- Forward pass in training mode, layer by layer over the samples ----");
            for (int p = 0; p <= Last; p++)
            {
                LayerModel layer = _layers[p];
                if (layer.IsConvolution || layer.IsPooling || (layer.Kind == LayerKind.BatchNorm && layer.In.Positions > 1))
                {
                    _w.Line(ConvHeader(layer));
                    EmitConvLayerForward(p, StagedInput(p), "h" + Literal.Int(p), training: true);
                }
                else
                {
                    EmitStagedTrainForward(p);
                }
            }

            _w.Line();
            _w.Line("// ---- Loss, and its gradient at the output ----");
            EmitStagedLoss();

            _w.Line();
            _w.Line("// ---- Backward pass: the chain rule, layer by layer from the output ----");
            for (int p = Last; p >= 0; p--)
            {
                EmitConvLayerBackward(p);
            }
            _w.Line("return loss;");
        }
        if (ConvolutionChunks)
        {
            _w.Line();
            _w.Line("/// <summary>");
            _w.Line($"/// The blocks of <see cref=\"Backward\"/>: worker <paramref name=\"worker\"/> of <paramref name=\"workers\"/> takes blocks worker, worker + workers, …");
            _w.Line($"/// of {Literal.Int(BatchLayout.Chunk)} samples (all but a last one under {Literal.Int(BatchLayout.MinSamples)}) with its own buffer and gradients <paramref name=\"g\"/>; returns their summed loss.");
            _w.Line("/// </summary>");
            using (_w.Block($"private float BackwardChunks({RoSpan} inputs, {RoSpan} targets, int k, float gradScale, int worker, int workers, {Span} chunk, {Span} g)"))
            {
                _w.Line("float total = 0f;");
                using (_w.Block($"for (int s0 = worker * {Literal.Int(BatchLayout.Chunk)}; k - s0 >= {Literal.Int(BatchLayout.MinSamples)}; s0 += workers * {Literal.Int(BatchLayout.Chunk)})"))
                {
                    _w.Line($"int ns = global::System.Math.Min({Literal.Int(BatchLayout.Chunk)}, k - s0);");
                    _w.Line("total += BackwardSamples(inputs.Slice(s0 * InputSize, ns * InputSize), targets.Slice(s0 * OutputSize, ns * OutputSize), ns, gradScale, chunk, g);");
                }
                _w.Line("return total;");
            }
            _w.Line();
            EmitConvMaxDegreeOfParallelism();
            _w.Line();
            EmitConvTrainStep();
        }
    }

    private void EmitConvMaxDegreeOfParallelism()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Threads one mini-batch <see cref=\"Backward\"/> may use: 1 (the default) runs on the calling thread. With n &gt; 1 the");
        _w.Line($"/// blocks of {Literal.Int(BatchLayout.Chunk)} samples are dealt round-robin to n workers (the calling thread and n − 1 background threads); each");
        _w.Line("/// adds its blocks' gradients into a buffer of its own, and the buffers are added to <see cref=\"Gradients\"/> in worker");
        _w.Line("/// order: the result depends on n (sums grouped differently, within float rounding) but never on timing. Batches under");
        _w.Line($"/// {Literal.Int(2 * BatchLayout.Chunk)} samples stay on one thread. Each extra worker holds {Literal.Int(ChunkFloats)} + ParameterCount floats, made on first use.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value is not 1 to 64 (BatchWorkers.MaxWorkers).</exception>");
        using (_w.Block("public int MaxDegreeOfParallelism"))
        {
            _w.Line("get => _maxDegreeOfParallelism;");
            _w.Line($"set => _maxDegreeOfParallelism = {Cs}BatchBackward.CheckDegreeOfParallelism(value);");
        }
    }

    /// <summary>
    /// TrainStep of a convolutional network: the one-sample backward pass into a gradient buffer of its own, then
    /// <c>Sgd.Step</c> over it, which is exactly what <c>ZeroGradients(); Backward(input, target); Sgd.Step(...)</c>
    /// computes (so the same bits), without touching <c>Gradients</c>. Unlike the Dense-only networks' step it is not
    /// fused into the backward pass: a convolution's weight gradient is a sum over every output position, so it is
    /// complete only after the layer's whole backward kernel.
    /// </summary>
    private void EmitConvTrainStep()
    {
        _w.Line("/// <summary>");
        _w.Line("/// One step of plain stochastic gradient descent on one sample: returns the sample's loss and updates <see cref=\"Parameters\"/>");
        _w.Line("/// by <c>p -= learningRate · ∂L/∂p</c> without touching <see cref=\"Gradients\"/>. The parameters end bit for bit as after");
        _w.Line("/// <c>ZeroGradients(); Backward(input, target); Sgd.Step(Parameters, Gradients, learningRate);</c>: the same backward pass into a");
        _w.Line("/// gradient buffer of the step's own, then <c>Sgd.Step</c> (a convolution's weight gradient sums over every output position,");
        _w.Line("/// so the update cannot be fused into its kernel as a Dense layer's is).");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">input is not InputSize floats, target not OutputSize floats, or the learning rate is negative or not finite.</exception>");
        using (_w.Block($"public float TrainStep({RoSpan} input, {RoSpan} target, float learningRate)"))
        {
            _w.Line(Cs + "NetworkGuard.CheckTrainStep(input.Length, InputSize, target.Length, OutputSize, learningRate);");
            _w.Line(ElementwiseMean
                ? "float gradScale = 1f / OutputSize; // one sample: the mean is over its OutputSize elements"
                : "const float gradScale = 1f; // one sample: the mean over samples is the sample's loss");
            _w.Line($"{Span} g = (_stepGradients ??= new {Cs}AlignedFloats(ParameterCount)).Span;");
            _w.Line("g.Clear();");
            _w.Line("float loss = BackwardSamples(input, target, 1, gradScale, TrainingBuffer(1), g);");
            _w.Line($"{Rt}Sgd.Step(_parameters.Span, g, learningRate);");
            _w.Line("TrainingStep++;");
            _w.Line("return loss;");
        }
    }

    /// <summary>From ∂L/∂(output of layer p) in d{p}: the layer's parameter gradients and ∂L/∂(its input) in d{p−1}.</summary>
    private void EmitConvLayerBackward(int p)
    {
        LayerModel layer = _layers[p];
        if (!(layer.IsConvolution || layer.IsPooling || (layer.Kind == LayerKind.BatchNorm && layer.In.Positions > 1)))
        {
            EmitStagedLayerBackward(p);
            return;
        }
        string q = Literal.Int(p);
        string i = Literal.Int(layer.Index);
        string input = StagedInput(p);
        string below = p > 0 ? "d" + Literal.Int(p - 1) : "";
        _w.Line(ConvHeader(layer) + " — backward");
        switch (layer.Kind)
        {
            case LayerKind.Conv1D:
            case LayerKind.Conv2D:
                EmitStagedActivationDerivative(layer.Activation, "h" + q, "d" + q, "d" + q, layer.Units, "∂L/∂z = ∂L/∂a ⊙ f'(z), in place");
                List<string> derivatives = ConvDerivatives(layer).ToList();
                _w.Line("// " + derivatives[0]);
                _w.Line($"{Conv}AddWeightGradient(in {ShapeField(layer)}, {input}, d{q}, gW{i}, gb{i}, k);");
                if (p > 0)
                {
                    _w.Line("// " + derivatives[1]);
                    _w.Line($"{Conv}InputGradient(in {ShapeField(layer)}, W{i}, d{q}, {below}, k);");
                }
                break;
            case LayerKind.MaxPool1D:
            case LayerKind.MaxPool2D:
                if (p > 0)
                {
                    _w.Line("// ∂L/∂x: each window's gradient to its first maximum (found again from the input), 0 elsewhere");
                    _w.Line($"{Pool}MaxBackward(in {ShapeField(layer)}, {input}, d{q}, {below}, k);");
                }
                break;
            case LayerKind.AvgPool1D:
            case LayerKind.AvgPool2D:
            case LayerKind.GlobalAveragePool:
                if (p > 0)
                {
                    _w.Line("// ∂L/∂x: each window's gradient spread evenly over it, 0 for positions in no window");
                    _w.Line($"{Pool}AverageBackward(in {ShapeField(layer)}, d{q}, {below}, k);");
                }
                break;
            default:
                EmitChannelBatchNormBackward(layer, p, below);
                break;
        }
    }

    private void EmitChannelBatchNormBackward(LayerModel layer, int p, string below)
    {
        string i = Literal.Int(layer.Index);
        string q = Literal.Int(p);
        string n = Literal.Int(layer.Units);
        string positions = Literal.Int(layer.In.Positions);
        _w.Line("// per channel c, sums over the m samples × positions: ∂L/∂γ_c = Σ ∂L/∂y ⊙ x̂;  ∂L/∂β_c = Σ ∂L/∂y;");
        _w.Line("// ∂L/∂x = γ_c / (m σ_c) · (m ∂L/∂y − Σ ∂L/∂y − x̂ Σ ∂L/∂y ⊙ x̂)");
        using (_w.Block($"for (int c = 0; c < {Literal.Int(layer.Features)}; c++)"))
        {
            _w.Line("float sumDy = 0f;");
            _w.Line("float sumDyXhat = 0f;");
            using (_w.Block("for (int s = 0; s < k; s++)"))
            {
                using (_w.Block($"for (int e = s * {n} + c * {positions}; e < s * {n} + (c + 1) * {positions}; e++)"))
                {
                    _w.Line($"sumDy += d{q}[e];");
                    _w.Line($"sumDyXhat += d{q}[e] * xhat{q}[e];");
                }
            }
            _w.Line($"ggamma{i}[c] += sumDyXhat;");
            _w.Line($"gbeta{i}[c] += sumDy;");
            if (p > 0)
            {
                _w.Line($"float scale = gamma{i}[c] * invstd{q}[c] / m{q};");
                _w.Line($"for (int s = 0; s < k; s++) for (int e = s * {n} + c * {positions}; e < s * {n} + (c + 1) * {positions}; e++) {below}[e] = scale * (m{q} * d{q}[e] - sumDy - xhat{q}[e] * sumDyXhat);");
            }
        }
    }
}
