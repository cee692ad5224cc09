using System.Linq;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// The general emission path for networks with Activation, Dropout or BatchNorm layers: <c>Forward</c> goes sample by
/// sample through fixed-bound loops; <c>Backward</c> goes layer by layer over the whole batch, as batch normalization
/// needs every sample's value before it can normalize any.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private const string Epsilon = "1e-5f";
    private const string Momentum = "0.1f";

    private bool HasBatchNorm => _layers.Any(l => l.Kind == LayerKind.BatchNorm);

    /// <summary>Forward scratch: one span per layer output, except the last (written to y) and Dropout (identity).</summary>

    /// <summary>A Dense output layer under a fused loss keeps its logits apart from its output, unless the output is the logits (Linear).</summary>
    private bool StagedKeepsLogits => FusedOutputGradient && OutputLayer.Kind == LayerKind.Dense && !_plan.OutputIsLogits;

    private void EmitStagedParameterSlices(bool gradients)
    {
        _w.Line($"{RoSpan} p = {ParameterSource};");
        if (gradients) _w.Line($"{Span} g = _gradients.Span;");
        foreach (LayerModel layer in _layers)
        {
            string i = Literal.Int(layer.Index);
            string u = Literal.Int(layer.Units);
            if (layer.Kind == LayerKind.Dense)
            {
                _w.Line($"{RoSpan} W{i} = p.Slice({Literal.Int(layer.ParameterOffset)}, {Literal.Int(layer.WeightCount)}); // layer {Literal.Int(layer.Position)} weights [{u} × {Literal.Int(layer.Inputs)}]");
                _w.Line($"{RoSpan} b{i} = p.Slice({Literal.Int(layer.BiasOffset)}, {u});");
                if (gradients)
                {
                    _w.Line($"{Span} gW{i} = g.Slice({Literal.Int(layer.ParameterOffset)}, {Literal.Int(layer.WeightCount)});");
                    _w.Line($"{Span} gb{i} = g.Slice({Literal.Int(layer.BiasOffset)}, {u});");
                }
            }
            else if (layer.Kind == LayerKind.BatchNorm)
            {
                _w.Line($"{RoSpan} gamma{i} = p.Slice({Literal.Int(layer.ParameterOffset)}, {u}); // layer {Literal.Int(layer.Position)} batch-norm scale");
                _w.Line($"{RoSpan} beta{i} = p.Slice({Literal.Int(layer.ParameterOffset + layer.Units)}, {u});");
                string stateType = gradients ? Span : RoSpan;
                _w.Line($"{stateType} rmean{i} = {StateSlice(layer.StateOffset, u)};");
                _w.Line($"{stateType} rvar{i} = {StateSlice(layer.StateOffset + layer.Units, u)};");
                if (gradients)
                {
                    _w.Line($"{Span} ggamma{i} = g.Slice({Literal.Int(layer.ParameterOffset)}, {u});");
                    _w.Line($"{Span} gbeta{i} = g.Slice({Literal.Int(layer.ParameterOffset + layer.Units)}, {u});");
                }
            }
        }
    }

    private string StagedHeader(LayerModel layer) => layer.Kind switch
    {
        LayerKind.Dense => $"// Layer {Literal.Int(layer.Position)}: Dense {Literal.Int(layer.Inputs)} → {Literal.Int(layer.Units)}, {layer.Activation}: a = {ActivationFormulas.Formula(layer.Activation)}, z = W{Literal.Int(layer.Index)}·x + b{Literal.Int(layer.Index)}",
        LayerKind.Activation => $"// Layer {Literal.Int(layer.Position)}: Activation {layer.Activation}: a = {ActivationFormulas.Formula(layer.Activation)}",
        LayerKind.Dropout => $"// Layer {Literal.Int(layer.Position)}: Dropout({Literal.Double(layer.Rate)})",
        _ => $"// Layer {Literal.Int(layer.Position)}: BatchNorm over {Literal.Int(layer.Units)} features",
    };

    // ---------------------------------------------------------------- Forward (inference, one sample at a time)

    private void EmitStagedForward()
    {
        EmitForwardEntry();
        _w.Line();
        _w.Line("/// <summary>One sample in inference mode: dropout is the identity, batch norm uses the running statistics.</summary>");
        EmitOneSampleMethodImpl();
        using (_w.Block($"private void ForwardOne({RoSpan} x, {Span} y, {Span} scratch)"))
        {
            EmitStagedParameterSlices(gradients: false);
            EmitBufferSlices("scratch", _plan.ForwardScratch);
            string input = "x";
            for (int p = 0; p <= Last; p++)
            {
                LayerModel layer = _layers[p];
                string output = p == Last ? "y" : "h" + Literal.Int(p);
                string n = Literal.Int(layer.Units);
                string i = Literal.Int(layer.Index);
                _w.Line();
                _w.Line(StagedHeader(layer));
                switch (layer.Kind)
                {
                    case LayerKind.Dense:
                        using (_w.Block($"for (int o = 0; o < {n}; o++)"))
                        {
                            _w.Line($"float z = b{i}[o] + {Dense}Dot(W{i}.Slice(o * {Literal.Int(layer.Inputs)}, {Literal.Int(layer.Inputs)}), {input});");
                            _w.Line($"{output}[o] = {StagedValue(layer.Activation, "z")};");
                        }
                        if (layer.Activation == ActivationKind.Softmax) EmitStagedSoftmax(output, output, layer.Units, null);
                        if (layer.Activation == ActivationKind.Tanh) EmitStagedTanh($"{output}.Slice(0, {n})");
                        break;
                    case LayerKind.Activation:
                        EmitActivationLayerOneSample(layer, input, output);
                        break;
                    case LayerKind.Dropout:
                        if (p == Last)
                        {
                            _w.Line($"{input}.CopyTo(y); // identity in inference");
                        }
                        else
                        {
                            _w.Line("// identity in inference: the next layer reads this layer's input");
                            output = input;
                        }
                        break;
                    default:
                        _w.Line($"// y_j = γ_j (x_j − running mean_j) / √(running var_j + ε) + β_j");
                        _w.Line($"{Cs}BatchNormKernels.Inference(gamma{i}, beta{i}, rmean{i}, rvar{i}, {Epsilon}, {input}, {output}, {n}, 1, 1);");
                        break;
                }
                input = output;
            }
        }
    }

    /// <summary>
    /// Softmax of <paramref name="from"/> (n values starting at <paramref name="offset"/>) into <paramref name="to"/>
    /// through the runtime's <c>Softmax</c>, as every path, so a softmax gives the same bits on every path.
    /// </summary>
    private void EmitStagedSoftmax(string from, string to, int n, string? offset)
    {
        string c = Literal.Int(n);
        string start = offset ?? "0";
        EmitSoftmax($"{from}.Slice({start}, {c})", $"{to}.Slice({start}, {c})", logSumExp: false);
    }

    /// <summary>The value a layer-by-layer Dense layer stores per unit: f(z), or z where the activation is applied after the loop.</summary>
    private static string StagedValue(ActivationKind activation, string z) =>
        activation is ActivationKind.Softmax or ActivationKind.Tanh ? z : ActivationFormulas.Value(activation, z);

    /// <summary>tanh in place over a span, through the same <c>VectorMath.Tanh</c> as the other paths.</summary>
    private void EmitStagedTanh(string span) =>
        _w.Line($"{TanhFunction}({span}); // tanh in place, four at a time (Cephes' tanhf on Vector128, as every path)");

    /// <summary>An elementwise activation over <paramref name="count"/> values from <paramref name="input"/> into <paramref name="output"/>.</summary>
    private void EmitStagedElementwise(ActivationKind activation, string input, string output, string count)
    {
        if (activation == ActivationKind.Tanh)
        {
            _w.Line($"{input}.Slice(0, {count}).CopyTo({output});");
            EmitStagedTanh($"{output}.Slice(0, {count})");
            return;
        }
        _w.Line($"for (int e = 0; e < {count}; e++) {output}[e] = {ActivationFormulas.Value(activation, input + "[e]")};");
    }

    /// <summary>The public Forward: checks lengths, provides scratch, loops over the samples.</summary>
    private void EmitForwardEntry()
    {
        // Shared with the dense-only path.
        EmitForwardPublic();
    }

    // ---------------------------------------------------------------- Backward (training, layer by layer over the batch)

    private void EmitStagedBackward()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Training step on k samples: a training-mode forward pass layer by layer over the whole batch (dropout active,");
        _w.Line("/// batch norm on batch statistics, running statistics updated), then backpropagation. Returns the mean loss and ADDS");
        _w.Line("/// the gradient of that mean loss to <see cref=\"Gradients\"/>; then adds 1 to <see cref=\"TrainingStep\"/>.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples" +
                (HasBatchNorm ? ", or k &lt; 2 (batch norm needs batch statistics)" : "") + ".</exception>");
        using (_w.Block($"public float Backward({RoSpan} inputs, {RoSpan} targets)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, targets.Length, OutputSize, nameof(inputs), nameof(targets));");
            if (HasBatchNorm)
            {
                using (_w.Block("if (k < 2)"))
                {
                    _w.Line("throw new global::System.ArgumentException($\"Backward needs at least 2 samples for batch norm's batch statistics (as PyTorch), but got {k}.\", nameof(inputs));");
                }
            }
            _w.Line($"int needed = k * {Literal.Int(_plan.TrainingFloatsPerSample)} + {Literal.Int(_plan.TrainingFixedFloats)};");
            _w.Line("if (_trainingBuffer is null || _trainingBuffer.Length < needed) _trainingBuffer = new float[needed];");
            _w.Line(ElementwiseMean
                ? "float gradScale = 1f / (k * OutputSize); // L is the mean over all k × OutputSize elements"
                : "float gradScale = 1f / k; // L is the mean over the k samples");
            _w.Line("float loss = BackwardBatch(inputs, targets, k, gradScale, _trainingBuffer);");
            _w.Line("TrainingStep++;");
            _w.Line("return loss;");
        }
        _w.Line();
        _w.Line("/// <summary>The batch: forward layer by layer keeping what the derivatives need, the loss, then the chain rule backwards.</summary>");
        using (_w.Block($"private float BackwardBatch({RoSpan} x, {RoSpan} t, int k, float gradScale, {Span} buffer)"))
        {
            EmitStagedParameterSlices(gradients: true);
            _w.Line("int offset = 0;");
            for (int p = 0; p <= Last; p++)
            {
                LayerModel layer = _layers[p];
                string q = Literal.Int(p);
                string n = Literal.Int(layer.Units);
                _w.Line($"{Span} h{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // layer {q} output, sample s at [s * {n}]");
                _w.Line($"{Span} d{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // ∂L/∂(layer {q} output)");
                if (layer.Kind == LayerKind.Dropout)
                {
                    _w.Line($"{Span} m{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // dropout factors: 0 or 1/(1 − rate)");
                }
                if (layer.Kind == LayerKind.BatchNorm)
                {
                    _w.Line($"{Span} xhat{q} = buffer.Slice(offset, k * {n}); offset += k * {n}; // normalized values x̂");
                    _w.Line($"{Span} invstd{q} = buffer.Slice(offset, {n}); offset += {n}; // 1/√(σ² + ε) per feature");
                }
            }
            if (StagedKeepsLogits)
            {
                _w.Line($"{Span} zl = buffer.Slice(offset, k * OutputSize); // the output layer's logits");
            }

            _w.Line();
            _w.Line("// ---- Forward pass in training mode, layer by layer over the batch ----");
            for (int p = 0; p <= Last; p++)
            {
                EmitStagedTrainForward(p);
            }

            _w.Line();
            _w.Line("// ---- Loss, and its gradient at the output ----");
            EmitStagedLoss();

            _w.Line();
            _w.Line("// ---- Backward pass: the chain rule, layer by layer from the output ----");
            for (int p = Last; p >= 0; p--)
            {
                EmitStagedLayerBackward(p);
            }
            _w.Line("return loss / k;");
        }
    }

    private string StagedInput(int p) => p == 0 ? "x" : "h" + Literal.Int(p - 1);

    private void EmitStagedTrainForward(int p)
    {
        LayerModel layer = _layers[p];
        string q = Literal.Int(p);
        string i = Literal.Int(layer.Index);
        string n = Literal.Int(layer.Units);
        string fanIn = Literal.Int(layer.Inputs);
        string input = StagedInput(p);
        _w.Line(StagedHeader(layer));
        switch (layer.Kind)
        {
            case LayerKind.Dense:
                bool keepLogits = p == Last && StagedKeepsLogits;
                using (_w.Block("for (int s = 0; s < k; s++)"))
                {
                    _w.Line($"{RoSpan} xs = {input}.Slice(s * {fanIn}, {fanIn});");
                    using (_w.Block($"for (int o = 0; o < {n}; o++)"))
                    {
                        _w.Line($"float z = b{i}[o] + {Dense}Dot(W{i}.Slice(o * {fanIn}, {fanIn}), xs);");
                        if (keepLogits) _w.Line($"zl[s * {n} + o] = z;");
                        _w.Line($"h{q}[s * {n} + o] = {StagedValue(layer.Activation, "z")};");
                    }
                    if (layer.Activation == ActivationKind.Softmax) EmitStagedSoftmax("h" + q, "h" + q, layer.Units, $"s * {n}");
                    if (layer.Activation == ActivationKind.Tanh) EmitStagedTanh($"h{q}.Slice(s * {n}, {n})");
                }
                break;
            case LayerKind.Activation:
                if (layer.Activation == ActivationKind.Softmax)
                {
                    using (_w.Block("for (int s = 0; s < k; s++)"))
                    {
                        EmitStagedSoftmax(input, "h" + q, layer.Units, $"s * {n}");
                    }
                }
                else
                {
                    EmitStagedElementwise(layer.Activation, input, "h" + q, $"k * {n}");
                }
                break;
            case LayerKind.Dropout:
                _w.Line($"// keep each value with probability 1 − {Literal.Double(layer.Rate)} and scale it by 1/(1 − rate), so the expectation is unchanged");
                using (_w.Block($"for (int e = 0; e < k * {n}; e++)"))
                {
                    _w.Line($"m{q}[e] = {Cs}DropoutMask.Scale(_seed, TrainingStep, {q}, e, {Literal.Float((float)layer.Rate)});");
                    _w.Line($"h{q}[e] = {input}[e] * m{q}[e];");
                }
                break;
            default:
                _w.Line("// batch statistics: μ_j = mean over samples, σ²_j = biased variance; y = γ x̂ + β with x̂ = (x − μ)/√(σ² + ε)");
                _w.Line("// running mean and variance move 10% toward μ and the unbiased variance σ² k/(k − 1), as PyTorch");
                using (_w.Block($"for (int j = 0; j < {n}; j++)"))
                {
                    _w.Line("float mean = 0f;");
                    _w.Line($"for (int s = 0; s < k; s++) mean += {input}[s * {n} + j];");
                    _w.Line("mean /= k;");
                    _w.Line("float variance = 0f;");
                    using (_w.Block("for (int s = 0; s < k; s++)"))
                    {
                        _w.Line($"float c = {input}[s * {n} + j] - mean;");
                        _w.Line("variance += c * c;");
                    }
                    _w.Line("variance /= k;");
                    _w.Line($"float inv = 1f / {MathF}Sqrt(variance + {Epsilon});");
                    _w.Line($"invstd{q}[j] = inv;");
                    using (_w.Block("for (int s = 0; s < k; s++)"))
                    {
                        _w.Line($"float xh = ({input}[s * {n} + j] - mean) * inv;");
                        _w.Line($"xhat{q}[s * {n} + j] = xh;");
                        _w.Line($"h{q}[s * {n} + j] = gamma{i}[j] * xh + beta{i}[j];");
                    }
                    _w.Line($"rmean{i}[j] = (1f - {Momentum}) * rmean{i}[j] + {Momentum} * mean;");
                    _w.Line($"rvar{i}[j] = (1f - {Momentum}) * rvar{i}[j] + {Momentum} * variance * k / (k - 1);");
                }
                break;
        }
    }

    private void EmitStagedLoss()
    {
        LayerModel layer = OutputLayer;
        string last = Literal.Int(Last);
        string y = "h" + last;
        string n = Literal.Int(layer.Units);
        _w.Line("float loss = 0f;");
        if (FusedOutputGradient)
        {
            // The gradient lands at the logits: dz of a Dense output layer, or ∂L/∂(input) of an Activation output layer.
            // A Linear output is its own logits (h = z); other Dense outputs kept theirs in zl.
            string logits = layer.Kind != LayerKind.Dense ? "h" + Literal.Int(Last - 1) : _plan.OutputIsLogits ? y : "zl";
            bool fromLogits = _plan.OutputIsLogits;
            string target = layer.Kind == LayerKind.Dense ? "d" + last : "d" + Literal.Int(Last - 1);
            foreach (string line in LossFormulas.AtLogitsComment(_model.Loss, fromLogits).Split('\n')) _w.Line(line);
            using (_w.Block("for (int s = 0; s < k; s++)"))
            {
                _w.Line($"int r = s * {n};");
                string slice = $"Slice(r, {n})";
                if (_model.Loss == LossKind.CrossEntropy)
                {
                    if (!fromLogits) _w.Line($"// (softmax(z) is taken again into {target}: the same kernel, so the same bits as {y})");
                    _w.Line($"loss += {Cs}LossKernels.CrossEntropyWithLogits({logits}.{slice}, t.{slice}, {target}.{slice}, gradScale);");
                }
                else
                {
                    using (_w.Block($"for (int j = 0; j < {n}; j++)"))
                    {
                        _w.Line($"float z = {logits}[r + j];");
                        _w.Line($"loss += {Cs}LossKernels.BinaryCrossEntropyWithLogits(z, t[r + j]);");
                        string sigma = fromLogits ? ActivationFormulas.Value(ActivationKind.Sigmoid, "z") : $"{y}[r + j]";
                        _w.Line($"{target}[r + j] = {Cs}LossKernels.BinaryCrossEntropyGradient({sigma}, t[r + j], gradScale);");
                    }
                }
            }
            if (_model.Loss == LossKind.BinaryCrossEntropy)
            {
                _w.Line("loss /= OutputSize;");
            }
            return;
        }

        foreach (string line in LossFormulas.Comment(_model.Loss, layer.Activation).Split('\n')) _w.Line(line);
        using (_w.Block($"for (int e = 0; e < k * {n}; e++)"))
        {
            foreach (string line in LossFormulas.Element(_model.Loss, $"{y}[e]", "t[e]", "", g => $"d{last}[e] = {g};")) _w.Line(line);
        }
        if (LossFormulas.MeanOverElements(_model.Loss))
        {
            _w.Line("loss /= OutputSize;");
        }
    }

    /// <summary>From ∂L/∂(output of layer p) in d{p}: the layer's parameter gradients and ∂L/∂(its input) in d{p−1}.</summary>
    private void EmitStagedLayerBackward(int p)
    {
        LayerModel layer = _layers[p];
        string q = Literal.Int(p);
        string i = Literal.Int(layer.Index);
        string n = Literal.Int(layer.Units);
        string fanIn = Literal.Int(layer.Inputs);
        string input = StagedInput(p);
        string below = p > 0 ? "d" + Literal.Int(p - 1) : "";
        bool fusedHere = p == Last && FusedOutputGradient;
        _w.Line(StagedHeader(layer) + " — backward");
        switch (layer.Kind)
        {
            case LayerKind.Dense:
                if (!fusedHere)
                {
                    EmitStagedActivationDerivative(layer.Activation, "h" + q, "d" + q, "d" + q, layer.Units, "∂L/∂z = ∂L/∂a ⊙ f'(z), in place");
                }
                _w.Line($"// ∂L/∂W{i}[o, i] += Σ_s ∂L/∂z[s, o] · x[s, i];  ∂L/∂b{i}[o] += Σ_s ∂L/∂z[s, o]");
                using (_w.Block("for (int s = 0; s < k; s++)"))
                {
                    _w.Line($"{RoSpan} xs = {input}.Slice(s * {fanIn}, {fanIn});");
                    using (_w.Block($"for (int o = 0; o < {n}; o++)"))
                    {
                        _w.Line($"float dz = d{q}[s * {n} + o];");
                        _w.Line($"{Dense}AddScaled(gW{i}.Slice(o * {fanIn}, {fanIn}), dz, xs);");
                        _w.Line($"gb{i}[o] += dz;");
                    }
                }
                if (p > 0)
                {
                    _w.Line($"// ∂L/∂x[s, i] = Σ_o W{i}[o, i] · ∂L/∂z[s, o]");
                    _w.Line($"{below}.Clear();");
                    using (_w.Block("for (int s = 0; s < k; s++)"))
                    {
                        _w.Line($"{Span} ds = {below}.Slice(s * {fanIn}, {fanIn});");
                        _w.Line($"for (int o = 0; o < {n}; o++) {Dense}AddScaled(ds, d{q}[s * {n} + o], W{i}.Slice(o * {fanIn}, {fanIn}));");
                    }
                }
                break;
            case LayerKind.Activation:
                if (p > 0 && !fusedHere)
                {
                    EmitStagedActivationDerivative(layer.Activation, "h" + q, "d" + q, below, layer.Units, "∂L/∂x = ∂L/∂a ⊙ f'(x)");
                }
                else if (fusedHere)
                {
                    _w.Line($"// (the loss already wrote ∂L/∂x into {below})");
                }
                break;
            case LayerKind.Dropout:
                if (p > 0)
                {
                    _w.Line("// ∂L/∂x = ∂L/∂y ⊙ mask: dropped values pass no gradient, kept ones are scaled as in the forward pass");
                    _w.Line($"for (int e = 0; e < k * {n}; e++) {below}[e] = d{q}[e] * m{q}[e];");
                }
                break;
            default:
                _w.Line("// ∂L/∂γ_j = Σ_s ∂L/∂y ⊙ x̂;  ∂L/∂β_j = Σ_s ∂L/∂y;");
                _w.Line("// ∂L/∂x[s, j] = γ_j / (k σ_j) · (k ∂L/∂y[s, j] − Σ_s ∂L/∂y − x̂[s, j] Σ_s ∂L/∂y ⊙ x̂)");
                using (_w.Block($"for (int j = 0; j < {n}; j++)"))
                {
                    _w.Line("float sumDy = 0f;");
                    _w.Line("float sumDyXhat = 0f;");
                    using (_w.Block("for (int s = 0; s < k; s++)"))
                    {
                        _w.Line($"float dy = d{q}[s * {n} + j];");
                        _w.Line("sumDy += dy;");
                        _w.Line($"sumDyXhat += dy * xhat{q}[s * {n} + j];");
                    }
                    _w.Line($"ggamma{i}[j] += sumDyXhat;");
                    _w.Line($"gbeta{i}[j] += sumDy;");
                    if (p > 0)
                    {
                        _w.Line($"float scale = gamma{i}[j] * invstd{q}[j] / k;");
                        _w.Line($"for (int s = 0; s < k; s++) {below}[s * {n} + j] = scale * (k * d{q}[s * {n} + j] - sumDy - xhat{q}[s * {n} + j] * sumDyXhat);");
                    }
                }
                break;
        }
    }

    /// <summary>dst = src ⊙ f'(·) from the activation values <paramref name="a"/>; softmax through its Jacobian per sample.</summary>
    private void EmitStagedActivationDerivative(ActivationKind activation, string a, string src, string dst, int width, string what)
    {
        string n = Literal.Int(width);
        _w.Line("// " + what + "; " + ActivationFormulas.Derivative(activation));
        if (activation == ActivationKind.Softmax)
        {
            using (_w.Block("for (int s = 0; s < k; s++)"))
            {
                _w.Line($"int r = s * {n};");
                _w.Line("float ada = 0f;");
                _w.Line($"for (int j = 0; j < {n}; j++) ada += {a}[r + j] * {src}[r + j];");
                _w.Line($"for (int j = 0; j < {n}; j++) {dst}[r + j] = {a}[r + j] * ({src}[r + j] - ada);");
            }
            return;
        }
        if (activation == ActivationKind.Linear)
        {
            if (src != dst) _w.Line($"{src}.Slice(0, k * {n}).CopyTo({dst});");
            return;
        }
        // The runtime's chain kernel: the same expression (ActivationFormulas.Chain) eight lanes at a time, same bits.
        _w.Line($"{Dense}ChainDerivative<{ActivationFormulas.DerivativeType(activation)}>({a}, {src}, {dst}.Slice(0, k * {n}));");
    }

    /// <summary>An [Activation] layer on one sample: softmax over the vector, else the function element by element.</summary>
    private void EmitActivationLayerOneSample(LayerModel layer, string input, string output)
    {
        if (layer.Activation == ActivationKind.Softmax)
        {
            EmitStagedSoftmax(input, output, layer.Units, null);
        }
        else
        {
            EmitStagedElementwise(layer.Activation, input, output, Literal.Int(layer.Units));
        }
    }
}
