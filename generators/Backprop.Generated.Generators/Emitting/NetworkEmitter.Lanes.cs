using System.Linq;
using System.Text;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// The multi-sample <c>Forward</c> of networks whose Dense layers are all unrolled (<see cref="EmissionPlan.LaneForward"/>):
/// eight samples at a time, one per lane of a Vector256, through the same unrolled statements as the one-sample code with
/// every weight broadcast to the lanes. The generic parts (loading a block feature-major, storing it back, the sigmoid
/// lane by lane) are the runtime's <c>LaneKernels</c>; what is written here is the network: its constants, its layers
/// in order and the activation of each.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string V256f = V256 + "<float>";
    private const string Lanes = Cs + "LaneKernels.";

    /// <summary>The call in Forward: whole blocks of eight samples on the lanes, the rest (at most seven) per sample.</summary>
    private void EmitLaneDispatch()
    {
        using (_w.Block($"if ({Lanes}Applies(k))"))
        {
            _w.Line("// From 8 samples on: eight at a time, one per SIMD lane, through the same operations as one sample (bit-equal to ForwardOne);");
            _w.Line("// everything in registers and on the stack, so Forward stays safe to call from several threads at once.");
            _w.Line($"s = ForwardLanes({ParameterSource}, inputs, outputs, k);");
        }
    }

    /// <summary>ForwardLanes: the weights broadcast once, then per block of eight samples every layer lane by lane.</summary>
    private void EmitForwardLanes()
    {
        _w.Line("/// <summary>");
        _w.Line("/// The multi-sample path of <see cref=\"Forward\"/>: samples eight at a time, sample s of a block in lane s of a Vector256,");
        _w.Line("/// each unit's value a vector of eight samples. Every lane goes through ForwardOne's operations in ForwardOne's order");
        _w.Line("/// (a multiply and an add per weight, the same tanh and exp), so the outputs are bit-equal to one sample at a time.");
        _w.Line("/// Does all samples but the last k mod 8 and returns how many it did.");
        _w.Line("/// </summary>");
        using (_w.Block($"private static int ForwardLanes({RoSpan} p, {RoSpan} inputs, {Span} outputs, int k)"))
        {
            EmitParameterSlices(gradients: false, parametersParameter: true);
            _w.Line("// Every weight and bias broadcast to the eight lanes once: W{l}_{j} = W{l}[j], b{l}_{o} = b{l}[o]");
            foreach (LayerModel layer in _layers)
            {
                string i = Literal.Int(layer.Index);
                for (int o = 0; o < layer.Units; o++)
                {
                    string row = string.Join(", ", Enumerable.Range(o * layer.Inputs, layer.Inputs)
                        .Select(j => $"W{i}_{Literal.Int(j)} = {V256}.Create(W{i}[{Literal.Int(j)}])"));
                    _w.Line($"{V256f} {row};");
                }
                string biases = string.Join(", ", Enumerable.Range(0, layer.Units).Select(o => $"b{i}_{Literal.Int(o)} = {V256}.Create(b{i}[{Literal.Int(o)}])"));
                _w.Line($"{V256f} {biases};");
            }
            _w.Line("int s = 0;");
            using (_w.Block($"for (; k - s >= {Lanes}Lanes; s += {Lanes}Lanes)"))
            {
                _w.Line($"// the block's inputs feature-major: x_i holds feature i of samples s..s+7, one per lane");
                _w.Line($"{RoSpan} xs = inputs.Slice(s * InputSize, {Lanes}Lanes * InputSize);");
                for (int j = 0; j < _model.InputSize; j++)
                {
                    _w.Line($"{V256f} x_{Literal.Int(j)} = {Lanes}Load(xs, InputSize, {Literal.Int(j)});");
                }
                for (int l = 0; l <= Last; l++)
                {
                    _w.Line();
                    EmitLaneLayer(l);
                }
                _w.Line();
                bool softmax = OutputLayer.Activation == ActivationKind.Softmax;
                _w.Line(softmax
                    ? "// z back sample-major into the outputs (the softmax follows, per sample)"
                    : $"// the outputs back sample-major: lane s of {LaneValues(Last)}_j is output j of sample s");
                _w.Line($"{Span} ys = outputs.Slice(s * OutputSize, {Lanes}Lanes * OutputSize);");
                string y = LaneValues(Last);
                for (int j = 0; j < OutputLayer.Units; j++)
                {
                    _w.Line($"{Lanes}Store({y}_{Literal.Int(j)}, ys, OutputSize, {Literal.Int(j)});");
                }
            }
            if (OutputLayer.Activation == ActivationKind.Softmax)
            {
                _w.Line("// " + ActivationFormulas.SoftmaxComment + ", per sample as ForwardOne");
                using (_w.Block("for (int j = 0; j < s; j++)"))
                {
                    _w.Line($"{Span} y = outputs.Slice(j * OutputSize, OutputSize);");
                    _w.Line($"{Cs}Softmax.Apply(y, y);");
                }
            }
            _w.Line("return s;");
        }
    }

    /// <summary>The lane vectors layer <paramref name="l"/> passes on: z for a Linear layer (a = z) and for a softmax output (applied after the loop), else a.</summary>
    private string LaneValues(int l) =>
        (_layers[l].Activation is ActivationKind.Linear or ActivationKind.Softmax ? "z" : "a") + Literal.Int(l);

    /// <summary>
    /// Layer <paramref name="l"/> on the lanes: z{l}_o = b{l}_o + W{l}_… · input_… (left to right, as ForwardOne), then
    /// a{l}_o = f(z{l}_o) lane by lane (a softmax output stays z here; the caller applies it per sample).
    /// </summary>
    private void EmitLaneLayer(int l)
    {
        LayerModel layer = _layers[l];
        string i = Literal.Int(l);
        string input = l == 0 ? "x" : LaneValues(l - 1);
        _w.Line(LayerHeader(layer, $"z{i} = W{i}·{input} + b{i}; a{i} = {ActivationFormulas.Formula(layer.Activation).Replace("z", "z" + i)}, eight samples per vector"));
        for (int o = 0; o < layer.Units; o++)
        {
            var sum = new StringBuilder($"b{i}_{Literal.Int(o)}");
            for (int k = 0; k < layer.Inputs; k++)
            {
                sum.Append($" + W{i}_{Literal.Int(o * layer.Inputs + k)} * {input}_{Literal.Int(k)}");
            }
            _w.Line($"{V256f} z{i}_{Literal.Int(o)} = {sum};");
        }
        if (layer.Activation is ActivationKind.Linear or ActivationKind.Softmax)
        {
            return; // a Linear layer's a is its z; a softmax is applied per sample after the loop
        }
        string function = layer.Activation switch
        {
            ActivationKind.Tanh => TanhFunction,
            ActivationKind.Sigmoid => Lanes + "Sigmoid",
            _ => ActivationFormulas.FusedType(layer.Activation) + ".Apply", // ReLU, LeakyReLU: the kernels' own types
        };
        for (int o = 0; o < layer.Units; o++)
        {
            _w.Line($"{V256f} a{i}_{Literal.Int(o)} = {function}(z{i}_{Literal.Int(o)});");
        }
    }
}
