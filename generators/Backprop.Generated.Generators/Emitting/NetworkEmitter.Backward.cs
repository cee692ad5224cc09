using System.Linq;
using System.Text;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

internal sealed partial class NetworkEmitter
{
    /// <summary>True when the loss is a mean over every output element (1/(k·OutputSize)), false for a mean over samples.</summary>
    private bool ElementwiseMean => _model.Loss != LossKind.CrossEntropy;

    private void EmitBackward()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Training step on k ≥ 1 samples: a training-mode forward pass, then backpropagation. Returns the mean loss");
        _w.Line("/// and ADDS the gradient of that mean loss to <see cref=\"Gradients\"/> (call <see cref=\"ZeroGradients\"/> between steps).");
        _w.Line("/// <c>inputs.Length == k * InputSize</c>, <c>targets.Length == k * OutputSize</c>. Allocates nothing after the first call.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples.</exception>");
        using (_w.Block($"public float Backward({RoSpan} inputs, {RoSpan} targets)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, targets.Length, OutputSize, nameof(inputs), nameof(targets));");
            string buffer = "default";
            if (_plan.TrainingBuffer.Size > 0)
            {
                _w.Line($"{Span} buffer = _trainingBuffer ??= new float[{Literal.Int(_plan.TrainingBuffer.Size)}];");
                buffer = "buffer";
            }
            if (ElementwiseMean)
            {
                _w.Line("// L is the mean over all k × OutputSize elements, so each element's derivative carries 1 / (k · OutputSize).");
                _w.Line("float gradScale = 1f / (k * OutputSize);");
            }
            else
            {
                _w.Line("// L is the mean over the k samples, so each sample's derivative carries 1 / k.");
                _w.Line("float gradScale = 1f / k;");
            }
            _w.Line("float total = 0f;");
            if (UsesBatchPath)
            {
                EmitBatchDispatch();
            }
            using (_w.Block(UsesBatchPath ? "for (; s < k; s++)" : "for (int s = 0; s < k; s++)"))
            {
                _w.Line($"total += BackwardOne(inputs.Slice(s * InputSize, InputSize), targets.Slice(s * OutputSize, OutputSize), gradScale, {buffer});");
            }
            _w.Line("TrainingStep++;");
            _w.Line("return total / k;");
        }
        _w.Line();
        _w.Line("/// <summary>One sample: forward in training mode, the loss, then ∂L/∂parameters added to the gradients. Returns the sample's loss.</summary>");
        using (_w.Block($"private float BackwardOne({RoSpan} x, {RoSpan} t, float gradScale, {Span} buffer)"))
        {
            EmitParameterSlices(gradients: true);
            EmitSampleTraining("// ---- Backward pass: the chain rule, layer by layer from the output ----", fused: false);
            _w.Line("return loss;");
        }
        if (UsesBatchPath)
        {
            _w.Line();
            EmitBackwardChunks();
        }
        _w.Line();
        EmitTrainStep();
    }

    /// <summary>
    /// The body shared by BackwardOne and TrainStep after the parameter slices: buffer slices, the training-mode
    /// forward pass, the loss and its gradient, then each layer's backward step: gradients added, or with
    /// <paramref name="fused"/> the SGD update written straight into the parameters (TrainStep).
    /// </summary>
    private void EmitSampleTraining(string backwardHeader, bool fused)
    {
        EmitBufferSlices("buffer", _plan.TrainingBuffer);
        _w.Line();
        _w.Line("// ---- Forward pass, keeping every activation the derivatives need ----");
        for (int l = 0; l < Last; l++)
        {
            EmitHiddenForward(l);
            _w.Line();
        }
        EmitOutputForward(training: true);
        _w.Line();
        _w.Line("// ---- Loss and its gradient at the output pre-activation z ----");
        EmitLossAndOutputGradient();
        _w.Line();
        _w.Line(backwardHeader);
        for (int l = Last; l >= 0; l--)
        {
            EmitLayerBackward(l, fused);
            _w.Line();
        }
    }

    /// <summary>
    /// The fused one-sample SGD step of Dense-only networks: the backward pass writes <c>W -= lr · ∂L/∂W</c> straight
    /// into the parameters, layer by layer from the output (each layer's input gradient is taken from its weights
    /// before they change), so the gradient buffer is neither written, read back by the optimizer, nor zeroed.
    /// </summary>
    private void EmitTrainStep()
    {
        _w.Line("/// <summary>");
        _w.Line("/// One step of plain stochastic gradient descent on one sample, fused into the backward pass: returns the sample's");
        _w.Line("/// loss and updates <see cref=\"Parameters\"/> by <c>p -= learningRate · ∂L/∂p</c> as each layer's gradient is found,");
        _w.Line("/// without going through <see cref=\"Gradients\"/> (they are left as they were). The parameters end bit for bit as");
        _w.Line("/// after <c>ZeroGradients(); Backward(input, target); Sgd.Step(Parameters, Gradients, learningRate);</c>, in one pass");
        _w.Line("/// over the weights instead of three. For momentum, Adam, weight decay or clipping use <see cref=\"Backward\"/> and an optimizer.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">input is not InputSize floats, target not OutputSize floats, or the learning rate is negative or not finite.</exception>");
        // not inlined into the caller's loop: inlined there (dynamic PGO does it), the step's span slices exhaust the
        // caller's inlining budget and stay calls (measured: about 15 ns of a digits step). Left tiered, unlike Forward
        // (EmitOneSampleMethodImpl): compiled fully optimized, without dynamic PGO, the digits step's glue measured
        // 8 to 20 ns slower in steady state (199-210 ns against 188-194 ns), and with only the kernels it alone calls
        // (BackwardRowsSgd, SgdBias, ChainDerivative, CrossEntropyAtLogits) fully optimized its tier-0 glue stayed
        // at about 310 ns a step for seconds in a one-CPU process, so those stay tiered with it (benchmarks/README.md,
        // "Tiering as users see it").
        _w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (_w.Block($"public float TrainStep({RoSpan} input, {RoSpan} target, float learningRate)"))
        {
            _w.Line(Cs + "NetworkGuard.CheckTrainStep(input.Length, InputSize, target.Length, OutputSize, learningRate);");
            if (_plan.TrainingBuffer.Size > 0)
            {
                _w.Line($"{Span} buffer = _trainingBuffer ??= new float[{Literal.Int(_plan.TrainingBuffer.Size)}];");
            }
            _w.Line("global::System.ReadOnlySpan<float> x = input, t = target;");
            _w.Line(ElementwiseMean
                ? "float gradScale = 1f / OutputSize; // one sample: the mean is over its OutputSize elements"
                : "const float gradScale = 1f; // one sample: the mean over samples is the sample's loss");
            EmitParameterSlices(gradients: false, writable: true);
            EmitSampleTraining("// ---- Backward pass with the update: per layer ∂L/∂input from the old weights, then p -= learningRate · ∂L/∂p ----", fused: true);
            _w.Line("TrainingStep++;");
            _w.Line("return loss;");
        }
    }

    /// <summary>
    /// ∂L/∂z of layer <paramref name="l"/>: locals where the layer is unrolled, else a span (always a span in the batch
    /// path, and for an output layer whose softmax the plan keeps in spans).
    /// </summary>
    private Vec Dz(int l, bool batch = false) =>
        new("dz" + Literal.Int(l), _layers[l].Units, Unrolled(_layers[l]) && !batch && !(l == Last && _plan.OutputSoftmaxInBuffers));

    /// <summary>
    /// The loss of one sample and its gradient at the output pre-activation. <paramref name="batch"/>: one column of a
    /// chunk in the batch path, where the output vectors are spans even for an unrolled output layer.
    /// </summary>
    private void EmitLossAndOutputGradient(bool batch = false)
    {
        LayerModel layer = OutputLayer;
        string i = Literal.Int(Last);
        bool unrolled = Unrolled(layer) && !batch && !_plan.OutputSoftmaxInBuffers;
        int n = layer.Units;
        var z = new Vec("z" + i, n, unrolled);
        var a = new Vec("a" + i, n, unrolled);
        var dz = Dz(Last, batch);
        var t = new Vec("t", n, isLocal: false);

        bool logits = _plan.OutputIsLogits;
        if (_model.Loss == LossKind.CrossEntropy && (logits || layer.Activation == ActivationKind.Softmax))
        {
            foreach (string line in LossFormulas.AtLogitsComment(LossKind.CrossEntropy, logits).Split('\n')) _w.Line(line);
            _w.Line(logits
                ? $"float loss = {Cs}LossKernels.CrossEntropyWithLogits({z.Name}, t, {dz.Name}, gradScale);"
                : $"float loss = {Cs}LossKernels.CrossEntropyAtLogits({z.Name}, {a.Name}, lse, t, {dz.Name}, gradScale);");
            return;
        }

        _w.Line("float loss = 0f;");
        if (_model.Loss == LossKind.BinaryCrossEntropy && (logits || layer.Activation == ActivationKind.Sigmoid))
        {
            foreach (string line in LossFormulas.AtLogitsComment(LossKind.BinaryCrossEntropy, logits).Split('\n')) _w.Line(line);
            EmitElementwise(n, unrolled, j => new[] { $"loss += {Cs}LossKernels.BinaryCrossEntropyWithLogits({z.At(j)}, {t.At(j)});" });
            _w.Line("loss /= OutputSize;");
            EmitElementwise(n, unrolled, j => new[]
            {
                dz.Assign(j, $"{Cs}LossKernels.BinaryCrossEntropyGradient({(logits ? ActivationFormulas.Value(ActivationKind.Sigmoid, z.At(j)) : a.At(j))}, {t.At(j)}, gradScale)"),
            });
            return;
        }

        var dy = new Vec("dy", n, unrolled);
        foreach (string line in LossFormulas.Comment(_model.Loss, layer.Activation).Split('\n')) _w.Line(line);
        EmitElementwise(n, unrolled, j => LossFormulas.Element(_model.Loss, a.At(j), t.At(j), "_" + j, g => dy.Assign(j, g)));
        if (LossFormulas.MeanOverElements(_model.Loss))
        {
            _w.Line("loss /= OutputSize;");
        }

        if (layer.Activation == ActivationKind.Softmax)
        {
            _w.Line("// Through the softmax Jacobian: ∂L/∂z_j = y_j (∂L/∂y_j − Σ_i y_i ∂L/∂y_i)");
            _w.Line("float ydy = 0f;");
            EmitElementwise(n, unrolled, j => new[] { $"ydy += {a.At(j)} * {dy.At(j)};" });
            EmitElementwise(n, unrolled, j => new[] { dz.Assign(j, $"{a.At(j)} * ({dy.At(j)} - ydy)") });
        }
        else
        {
            EmitActivationDerivative(layer.Activation, a, dy, dz);
        }
    }

    /// <summary>∂L/∂z = ∂L/∂a ⊙ f'(z), with f' written in terms of the activation a.</summary>
    private void EmitActivationDerivative(ActivationKind activation, Vec a, Vec da, Vec dz)
    {
        _w.Line("// " + ActivationFormulas.Derivative(activation));
        bool unrolled = a.IsLocal || da.IsLocal || dz.IsLocal;
        if (!unrolled)
        {
            _w.Line($"{Dense}ChainDerivative<{ActivationFormulas.DerivativeType(activation)}>({a.Name}, {da.Name}, {dz.Name}); // SIMD, eight at a time");
            return;
        }
        EmitElementwise(dz.Length, unrolled, j => new[]
        {
            dz.Assign(j, ActivationFormulas.Chain(activation, a.At(j), da.At(j))),
        });
    }

    private void EmitLayerBackward(int l, bool fused)
    {
        if (fused)
        {
            EmitLayerBackwardFused(l);
            return;
        }
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        Vec dz = Dz(l);
        Vec input = LayerInput(l);
        int fanIn = layer.Inputs;
        _w.Line($"// Layer {i}: ∂L/∂W{i}[o, i] += ∂L/∂z{i}[o] · {input.Name}[i];  ∂L/∂b{i}[o] += ∂L/∂z{i}[o]");
        if (Unrolled(layer))
        {
            for (int o = 0; o < layer.Units; o++)
            {
                for (int k = 0; k < fanIn; k++)
                {
                    _w.Line($"gW{i}[{Literal.Int(o * fanIn + k)}] += {dz.At(o)} * {input.At(k)};");
                }
                _w.Line($"gb{i}[{Literal.Int(o)}] += {dz.At(o)};");
            }
        }
        else
        {
            _w.Line($"for (int o = 0; o < {Literal.Int(layer.Units)}; o++) gb{i}[o] += {dz.At("o")};");
            if (l == 0)
            {
                _w.Line($"{Dense}BackwardRows(W{i}, gW{i}, {dz.Name}, {Literal.Int(layer.Units)}, {Literal.Int(fanIn)}, {input.Name}, default); // SIMD, 4 rows per sweep");
                return;
            }
            string lower = Literal.Int(l - 1);
            _w.Line($"// ... and in the same sweep over W{i}'s rows, ∂L/∂a{lower}[i] = Σ_o W{i}[o, i] · ∂L/∂z{i}[o]   (Wᵀ · ∂L/∂z{i})");
            _w.Line($"{Dense}BackwardRows(W{i}, gW{i}, {dz.Name}, {Literal.Int(layer.Units)}, {Literal.Int(fanIn)}, {input.Name}, da{lower}); // SIMD, 4 rows per sweep");
            EmitBelowDerivative(l, new Vec("da" + lower, fanIn, isLocal: false));
            return;
        }

        if (l > 0)
        {
            EmitBelowDerivative(l, EmitUnrolledInputGradient(l));
        }
    }

    /// <summary>Through the activation of the layer below layer <paramref name="l"/>: ∂L/∂z = ∂L/∂a ⊙ f'(z).</summary>
    private void EmitBelowDerivative(int l, Vec da)
    {
        string below = Literal.Int(l - 1);
        _w.Line($"// Layer {below}: ∂L/∂z{below} = ∂L/∂a{below} ⊙ f'(z{below})");
        EmitActivationDerivative(_layers[l - 1].Activation, Activations(l - 1), da, Dz(l - 1));
    }

    /// <summary>∂L/∂a of the layer below an unrolled layer, one line per input: Wᵀ · ∂L/∂z written out.</summary>
    private Vec EmitUnrolledInputGradient(int l)
    {
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        string below = Literal.Int(l - 1);
        Vec dz = Dz(l);
        int fanIn = layer.Inputs;
        var da = new Vec("da" + below, fanIn, isLocal: true);
        _w.Line($"// ∂L/∂a{below}[i] = Σ_o W{i}[o, i] · ∂L/∂z{i}[o]   (Wᵀ · ∂L/∂z{i})");
        for (int k = 0; k < fanIn; k++)
        {
            var sum = new StringBuilder();
            for (int o = 0; o < layer.Units; o++)
            {
                if (o > 0) sum.Append(" + ");
                sum.Append($"W{i}[{Literal.Int(o * fanIn + k)}] * {dz.At(o)}");
            }
            _w.Line(da.Assign(Literal.Int(k), sum.ToString()));
        }
        return da;
    }

    /// <summary>
    /// One layer of the fused train step: the input gradient from the weights as they are, then the SGD update
    /// <c>W -= lr · (∂L/∂z ⊗ input)</c>, <c>b -= lr · ∂L/∂z</c> (rounded as the gradient, then the step, would be).
    /// </summary>
    private void EmitLayerBackwardFused(int l)
    {
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        Vec dz = Dz(l);
        Vec input = LayerInput(l);
        int fanIn = layer.Inputs;
        string below = Literal.Int(l - 1);
        if (Unrolled(layer))
        {
            Vec? da = l > 0 ? EmitUnrolledInputGradient(l) : null;
            _w.Line($"// Layer {i} update: W{i}[o, i] -= lr · ∂L/∂z{i}[o] · {input.Name}[i];  b{i}[o] -= lr · ∂L/∂z{i}[o]");
            for (int o = 0; o < layer.Units; o++)
            {
                for (int k = 0; k < fanIn; k++)
                {
                    _w.Line($"W{i}[{Literal.Int(o * fanIn + k)}] -= learningRate * ({dz.At(o)} * {input.At(k)});");
                }
                _w.Line($"b{i}[{Literal.Int(o)}] -= learningRate * {dz.At(o)};");
            }
            if (da is not null)
            {
                EmitBelowDerivative(l, da);
            }
            return;
        }

        _w.Line($"// Layer {i} update: b{i}[o] -= lr · ∂L/∂z{i}[o]; then one sweep over W{i}'s rows takes ∂L/∂input from each row before");
        _w.Line($"// W{i}[o, i] -= lr · ∂L/∂z{i}[o] · {input.Name}[i] overwrites it");
        _w.Line($"{Dense}SgdBias(b{i}, {dz.Name}, learningRate); // b{i}[o] -= learningRate * {dz.At("o")}, eight at a time");
        string dx = l == 0 ? "default" : "da" + below;
        _w.Line($"{Dense}BackwardRowsSgd(W{i}, {dz.Name}, {Literal.Int(layer.Units)}, {Literal.Int(fanIn)}, {input.Name}, {dx}, learningRate); // SIMD, 4 rows per sweep");
        if (l > 0)
        {
            EmitBelowDerivative(l, new Vec("da" + below, fanIn, isLocal: false));
        }
    }
}
