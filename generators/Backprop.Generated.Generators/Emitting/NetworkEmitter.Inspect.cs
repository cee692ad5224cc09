using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// <c>Inspect</c> and <c>LayerCount</c> of trainable networks (<c>IInspectableNetwork</c>): k samples one at a time
/// through every layer in inference mode, each layer's output kept in a buffer of the calling thread's
/// (<c>EmissionPlan.InspectBuffer</c>) and handed to the runtime's <c>ActivityAccumulator</c>, which does all the
/// statistics. What is specific to a layer kind is one case of <see cref="EmitInspectLayer"/>: how to compute its
/// output for one sample; a new kind adds a case there. Convolutional networks run each sample through the same
/// layer code as their <c>Forward</c> (<c>EmitConvLayerForward</c>, k = 1), each output element (channel, position) a unit.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private void EmitInspect()
    {
        EmissionPlan plan = _plan;
        _w.Line();
        _w.Line("/// <summary>Declared layers: every layer attribute counts, so <c>Inspect</c> fills this many <see cref=\"" + Rt + "LayerActivity\"/> values.</summary>");
        _w.Line($"public const int LayerCount = {Literal.Int(_layers.Count)};");
        _w.Line();
        _w.Line($"int {Rt}IInspectableNetwork.LayerCount => LayerCount;");
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// Runs k ≥ 1 samples (<c>inputs.Length == k * InputSize</c>) in inference mode, as <see cref=\"Forward\"/> (dropout off,");
        _w.Line("/// batch norm on the running statistics), and fills <paramref name=\"layers\"/> (LayerCount long) with each layer's statistics");
        _w.Line("/// over the k samples, in declaration order: mean, population standard deviation, saturated and dead fractions.");
        _w.Line($"/// One sample at a time, through {Literal.Int(plan.InspectBuffer.Size)} floats of this thread's: allocates nothing after a thread's first call.");
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">inputs is not a whole, positive number of samples, or layers.Length is not LayerCount.</exception>");
        using (_w.Block($"public void Inspect({RoSpan} inputs, global::System.Span<{Rt}LayerActivity> layers)"))
        {
            // Convolutional networks reuse their layer-by-layer forward code, written over k samples: here k is 1 per pass.
            bool conv = _model.HasConvolutions;
            string count = conv ? "count" : "k";
            string sample = conv ? "sample" : "s";
            _w.Line($"int {count} = {Cs}NetworkGuard.InspectSampleCount(inputs.Length, InputSize, layers.Length, LayerCount);");
            if (conv)
            {
                EmitConvParameterSlices(gradients: false);
            }
            else
            {
                EmitStagedParameterSlices(gradients: false);
            }
            _w.Line($"{Span} buffer = {Cs}ThreadScratch.Get({Literal.Int(plan.InspectBuffer.Size)}); // one sample's layer outputs, and which units were ever active");
            EmitBufferSlices("buffer", plan.InspectBuffer);
            if (plan.InspectAliveLength > 0)
            {
                _w.Line($"buffer.Slice({Literal.Int(plan.InspectBuffer.Size - plan.InspectAliveLength)}, {Literal.Int(plan.InspectAliveLength)}).Clear(); // alive*: no unit active yet");
            }
            _w.Line($"global::System.Span<{Cs}ActivityAccumulator> stats = stackalloc {Cs}ActivityAccumulator[LayerCount];");
            _w.Line("stats.Clear(); // one accumulator per layer, from nothing (also under [SkipLocalsInit])");
            using (_w.Block($"for (int {sample} = 0; {sample} < {count}; {sample}++)"))
            {
                _w.Line($"{RoSpan} x = inputs.Slice({sample} * InputSize, InputSize);");
                if (conv) _w.Line("const int k = 1; // the samples the layer code below runs over: this one");
                for (int p = 0; p < _layers.Count; p++)
                {
                    LayerModel layer = _layers[p];
                    string output = plan.InspectOutputs[p];
                    string input = p == 0 ? "x" : plan.InspectOutputs[p - 1];
                    if (conv)
                    {
                        _w.Line(ConvHeader(layer));
                        if (layer.Kind == LayerKind.Dropout)
                        {
                            _w.Line("// identity in inference: the statistics are those of the layer's input");
                        }
                        else
                        {
                            EmitConvLayerForward(p, input, output, training: false);
                        }
                        _w.Line($"stats[{Literal.Int(p)}].Add({output}, {Rt}Activation.{layer.Activation}, {AliveSpan(p)});");
                        continue;
                    }
                    _w.Line(StagedHeader(layer));
                    EmitInspectLayer(layer, input, output);
                    _w.Line($"stats[{Literal.Int(p)}].Add({output}, {Rt}Activation.{layer.Activation}, {AliveSpan(p)});");
                }
            }
            for (int p = 0; p < _layers.Count; p++)
            {
                LayerModel layer = _layers[p];
                string q = Literal.Int(p);
                _w.Line($"layers[{q}] = stats[{q}].Result({q}, \"{EmissionPlan.InspectKind(layer)}\", {Rt}Activation.{layer.Activation}, {Literal.Int(layer.Units)}, {AliveSpan(p)});");
            }
        }
    }

    private string AliveSpan(int p) => EmissionPlan.TracksDeadUnits(_layers[p].Activation) ? "alive" + Literal.Int(p) : "default";

    /// <summary>One layer's output for one sample, from <paramref name="input"/> into <paramref name="output"/>, in inference mode.</summary>
    private void EmitInspectLayer(LayerModel layer, string input, string output)
    {
        string n = Literal.Int(layer.Units);
        string i = Literal.Int(layer.Index);
        switch (layer.Kind)
        {
            case LayerKind.Dense:
                _w.Line($"{Dense}Gemv<{ActivationFormulas.FusedType(layer.Activation)}>(W{i}, b{i}, {n}, {Literal.Int(layer.Inputs)}, {input}, {output});");
                if (layer.Activation == ActivationKind.Tanh)
                {
                    EmitStagedTanh(output);
                }
                else if (layer.Activation == ActivationKind.Softmax)
                {
                    EmitStagedSoftmax(output, output, layer.Units, null);
                }
                else if (!ActivationFormulas.IsFused(layer.Activation) && layer.Activation != ActivationKind.Linear)
                {
                    _w.Line($"for (int j = 0; j < {n}; j++) {output}[j] = {ActivationFormulas.Value(layer.Activation, output + "[j]")};");
                }
                break;
            case LayerKind.Activation:
                EmitActivationLayerOneSample(layer, input, output);
                break;
            case LayerKind.Dropout:
                _w.Line("// identity in inference: the statistics are those of the layer's input");
                break;
            case LayerKind.BatchNorm:
                _w.Line("// y_j = γ_j (x_j − running mean_j) / √(running var_j + ε) + β_j");
                _w.Line($"{Cs}BatchNormKernels.Inference(gamma{i}, beta{i}, rmean{i}, rvar{i}, {Epsilon}, {input}, {output}, {n}, 1, 1);");
                break;
            default:
                // A layer kind added without its case here: fail the build loudly rather than report wrong statistics.
                _w.Line($"#error Inspect has no case for layer kind {layer.Kind} (add it to EmitInspectLayer in NetworkEmitter.Inspect.cs)");
                break;
        }
    }
}
