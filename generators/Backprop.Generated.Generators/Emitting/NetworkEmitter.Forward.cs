using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

internal sealed partial class NetworkEmitter
{
    private void EmitForward()
    {
        EmitForwardPublic();
        _w.Line();
        _w.Line("/// <summary>One sample: <paramref name=\"x\"/> holds InputSize floats, <paramref name=\"y\"/> receives OutputSize floats.</summary>");
        EmitOneSampleMethodImpl();
        using (_w.Block($"private void ForwardOne({RoSpan} x, {Span} y, {Span} scratch)"))
        {
            EmitParameterSlices(gradients: false);
            EmitBufferSlices("scratch", _plan.ForwardScratch);
            for (int l = 0; l < Last; l++)
            {
                _w.Line();
                EmitHiddenForward(l);
            }
            _w.Line();
            EmitOutputForward(training: false);
        }
        if (UsesBatchPath)
        {
            _w.Line();
            EmitForwardChunks();
        }
        else if (_plan.LaneForward)
        {
            _w.Line();
            EmitForwardLanes();
        }
    }

    private void EmitForwardPublic()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Runs the network in inference mode on k ≥ 1 samples stored one after another:");
        _w.Line(UsesBatchPath
            ? "/// <c>inputs.Length == k * InputSize</c>, <c>outputs.Length == k * OutputSize</c>. From 8 samples on, chunks of 32 go through"
            : _plan.LaneForward
            ? "/// <c>inputs.Length == k * InputSize</c>, <c>outputs.Length == k * OutputSize</c>. From 8 samples on, eight at a time on SIMD"
            : "/// <c>inputs.Length == k * InputSize</c>, <c>outputs.Length == k * OutputSize</c>. Allocates nothing.");
        if (UsesBatchPath)
        {
            _w.Line("/// matrix kernels (equal to one sample at a time within float rounding); allocates nothing after a thread's first such call.");
        }
        else if (_plan.LaneForward)
        {
            _w.Line("/// lanes (bit-equal to one sample at a time). Allocates nothing.");
        }
        _w.Line("/// </summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths are not whole, matching numbers of samples.</exception>");
        EmitOneSampleMethodImpl();
        using (_w.Block($"public void Forward({RoSpan} inputs, {Span} outputs)"))
        {
            _w.Line("int k = " + Cs + "NetworkGuard.SampleCount(inputs.Length, InputSize, outputs.Length, OutputSize, nameof(inputs), nameof(outputs));");
            string scratch = "default";
            bool pooled = _plan.ForwardScratch.Size > MaxStackallocFloats;
            if (_plan.ForwardScratch.Size > 0 && !pooled)
            {
                _w.Line($"{Span} scratch = stackalloc float[ScratchSize];");
                scratch = "scratch";
            }
            else if (pooled)
            {
                _w.Line("float[] rented = global::System.Buffers.ArrayPool<float>.Shared.Rent(ScratchSize);");
                _w.Line($"{Span} scratch = global::System.MemoryExtensions.AsSpan(rented, 0, ScratchSize);");
                _w.Line("try");
                _w.Line("{");
                _w.Indent();
                scratch = "scratch";
            }
            bool multiSample = UsesBatchPath || _plan.LaneForward;
            if (multiSample)
            {
                _w.Line("int s = 0;");
                if (UsesBatchPath) EmitForwardDispatch();
                else EmitLaneDispatch();
            }
            using (_w.Block(multiSample ? "for (; s < k; s++)" : "for (int s = 0; s < k; s++)"))
            {
                _w.Line($"ForwardOne(inputs.Slice(s * InputSize, InputSize), outputs.Slice(s * OutputSize, OutputSize), {scratch});");
            }
            if (pooled)
            {
                _w.Unindent();
                _w.Line("}");
                _w.Line("finally");
                _w.Line("{");
                _w.Line("    global::System.Buffers.ArrayPool<float>.Shared.Return(rented);");
                _w.Line("}");
            }
        }
    }

    /// <summary>The activations of layer <paramref name="l"/> as the derivative code reads them.</summary>
    private Vec Activations(int l) => new("a" + Literal.Int(l), _layers[l].Units, Unrolled(_layers[l]));

    /// <summary>The input of layer <paramref name="l"/>: <c>x</c> or the previous layer's activations.</summary>
    private Vec LayerInput(int l) => l == 0 ? new Vec("x", _model.InputSize, isLocal: false) : Activations(l - 1);

    private string LayerHeader(LayerModel layer, string what) =>
        $"// Layer {Literal.Int(layer.Position)}: Dense {Literal.Int(layer.Inputs)} → {Literal.Int(layer.Units)}, {layer.Activation}. {what}";

    private void EmitHiddenForward(int l)
    {
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        _w.Line(LayerHeader(layer, $"z{i} = W{i}·{LayerInput(l).Name} + b{i}; a{i} = {ActivationFormulas.Formula(layer.Activation).Replace("z", "z" + i)}"));
        if (Unrolled(layer))
        {
            var z = new Vec("z" + i, layer.Units, isLocal: true);
            EmitAffine(l, z);
            Vec a = Activations(l);
            EmitActivation(layer.Activation, z, a);
            if (HiddenOutputInSpan(l))
            {
                _w.Line($"// The next layer loops over a{i}: store it in scratch.");
                for (int o = 0; o < layer.Units; o++)
                {
                    _w.Line($"a{i}[{Literal.Int(o)}] = {a.At(o)};");
                }
            }
        }
        else
        {
            string input = LayerInput(l).Name;
            bool fused = ActivationFormulas.IsFused(layer.Activation);
            _w.Line($"{Dense}Gemv<{ActivationFormulas.FusedType(layer.Activation)}>(W{i}, b{i}, {Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}, {input}, a{i}); // SIMD, {(fused ? "activation fused" : "z only")}");
            if (layer.Activation == ActivationKind.Tanh)
            {
                _w.Line($"{TanhFunction}(a{i}); // in place, four at a time (Cephes' tanhf on Vector128)");
            }
            else if (!fused && layer.Activation != ActivationKind.Linear)
            {
                _w.Line($"for (int o = 0; o < {Literal.Int(layer.Units)}; o++) a{i}[o] = {ActivationFormulas.Value(layer.Activation, $"a{i}[o]")};");
            }
        }
    }

    /// <summary>z = W·input + b for layer <paramref name="l"/>, unrolled into locals or looped into a span.</summary>
    private void EmitAffine(int l, Vec z)
    {
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        Vec input = LayerInput(l);
        if (Unrolled(layer))
        {
            for (int o = 0; o < layer.Units; o++)
            {
                var sum = new StringBuilder();
                sum.Append($"b{i}[{Literal.Int(o)}]");
                for (int k = 0; k < layer.Inputs; k++)
                {
                    sum.Append($" + W{i}[{Literal.Int(o * layer.Inputs + k)}] * {input.At(k)}");
                }
                _w.Line(z.Assign(Literal.Int(o), sum.ToString()));
            }
        }
        else
        {
            _w.Line($"{Dense}Gemv<{Cs}LinearActivation>(W{i}, b{i}, {Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}, {input.Name}, {z.Name}); // SIMD matrix-vector product");
        }
    }

    private void EmitOutputForward(bool training)
    {
        LayerModel layer = OutputLayer;
        string i = Literal.Int(Last);
        bool unrolled = Unrolled(layer);
        _w.Line(LayerHeader(layer, $"z{i} = W{i}·{LayerInput(Last).Name} + b{i}; output = {ActivationFormulas.Formula(layer.Activation).Replace("z", "z" + i)}"));
        Vec z;
        Vec a;
        if (training)
        {
            bool locals = unrolled && !_plan.OutputSoftmaxInBuffers;
            z = new Vec("z" + i, layer.Units, locals);
            a = new Vec("a" + i, layer.Units, locals);
        }
        else
        {
            // Inference: a looped output layer, or one whose softmax is taken over a span, computes z in place in y.
            bool locals = unrolled && layer.Activation != ActivationKind.Softmax;
            z = locals ? new Vec("z" + i, layer.Units, isLocal: true) : new Vec("y", layer.Units, isLocal: false);
            a = new Vec("y", layer.Units, isLocal: false);
        }
        EmitAffine(Last, z);
        EmitActivation(layer.Activation, z, a, logSumExp: training && _model.Loss == LossKind.CrossEntropy);
    }

    /// <summary>
    /// a = f(z) elementwise, or the softmax through the runtime's <c>Softmax</c> (spans only: the plan keeps a softmax
    /// output in spans); with <paramref name="logSumExp"/> the softmax also declares <c>lse</c> = log Σ e^z for the loss.
    /// </summary>
    private void EmitActivation(ActivationKind activation, Vec z, Vec a, bool logSumExp = false)
    {
        int n = z.Length;
        bool unrolled = z.IsLocal || a.IsLocal;
        if (activation == ActivationKind.Tanh)
        {
            EmitTanh(z, a);
            return;
        }
        if (activation != ActivationKind.Softmax)
        {
            EmitElementwise(n, unrolled, j => new[] { a.Assign(j, ActivationFormulas.Value(activation, z.At(j))) });
            return;
        }
        EmitSoftmax(z.Name, a.Name, logSumExp);
    }

    /// <summary>a = softmax(z) over spans, one runtime call; with <paramref name="logSumExp"/> it declares <c>lse</c>.</summary>
    private void EmitSoftmax(string z, string a, bool logSumExp)
    {
        _w.Line("// " + ActivationFormulas.SoftmaxComment);
        _w.Line(logSumExp
            ? $"float lse = {Cs}Softmax.ApplyLogSumExp({z}, {a}); // lse = log Σ_i e^z_i = m + log Σ_i e^(z_i − m)"
            : $"{Cs}Softmax.Apply({z}, {a});");
    }

    /// <summary>
    /// f over n values four per Vector128 call: value(j) fills lane j mod 4 (0 past n), assign(j, lane) stores the result.
    /// </summary>
    private void EmitFourAtATime(int n, string vectorName, System.Func<int, string> value, string function, System.Func<int, string, string> assign)
    {
        const string V128 = "global::System.Runtime.Intrinsics.Vector128";
        for (int g = 0; g < n; g += 4)
        {
            string v = vectorName + Literal.Int(g / 4);
            string args = string.Join(", ", Enumerable.Range(g, 4).Select(j => j < n ? value(j) : "0f"));
            _w.Line($"{V128}<float> {v} = {function}({V128}.Create({args}));");
            for (int j = g; j < n && j < g + 4; j++)
            {
                _w.Line(assign(j, j == g ? $"{V128}.ToScalar({v})" : $"{V128}.GetElement({v}, {Literal.Int(j - g)})"));
            }
        }
    }

    private const string TanhFunction = Cs + "VectorMath.Tanh";

    /// <summary>
    /// a = tanh(z) through <c>VectorMath.Tanh</c> (Cephes' tanhf on Vector128, within 1 ulp, the same bits on every
    /// machine): four units per call for locals, in place over the span for spans. Four scalar MathF.Tanh calls cost
    /// ten times as much.
    /// </summary>
    private void EmitTanh(Vec z, Vec a)
    {
        int n = z.Length;
        if (!z.IsLocal && !a.IsLocal)
        {
            _w.Line($"{z.Name}.CopyTo({a.Name});");
            _w.Line($"{TanhFunction}({a.Name}); // a = tanh(z) in place, four at a time (Cephes' tanhf on Vector128)");
            return;
        }
        _w.Line("// tanh four units at a time (VectorMath.Tanh: Cephes' tanhf on Vector128, within 1 ulp)");
        EmitFourAtATime(n, a.Name + "_v", z.At, TanhFunction, (j, value) => a.Assign(Literal.Int(j), value));
    }

    /// <summary>
    /// Emits <paramref name="statements"/> for j = 0..n-1: one copy per element with a literal index when
    /// <paramref name="unrolled"/>, else one loop over <c>j</c>. Temporaries named <c>name_j</c> work in both forms.
    /// </summary>
    private void EmitElementwise(int n, bool unrolled, Func<string, IEnumerable<string>> statements)
    {
        if (unrolled)
        {
            for (int j = 0; j < n; j++)
            {
                foreach (string line in statements(Literal.Int(j))) _w.Line(line);
            }
        }
        else
        {
            string[] lines = statements("j").ToArray();
            if (lines.Length == 1)
            {
                _w.Line($"for (int j = 0; j < {Literal.Int(n)}; j++) {lines[0]}");
                return;
            }
            using (_w.Block($"for (int j = 0; j < {Literal.Int(n)}; j++)"))
            {
                foreach (string line in lines) _w.Line(line);
            }
        }
    }
}
