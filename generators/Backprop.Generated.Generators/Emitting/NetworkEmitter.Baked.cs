using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop.Generated.Generators.Model;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// Baked weights and typed buffers. A network declared with <c>Weights = "file"</c> becomes inference-only: its
/// weights are <c>static ReadOnlySpan&lt;float&gt;</c> properties over constant arrays, which C# compiles to data in
/// the assembly (no allocation, no I/O), and its <c>Forward</c> is the trainable network's <c>Forward</c> reading them:
/// the same statements in the same order, so the outputs are bit-identical to the trainable network's after
/// <c>LoadWeights</c> of the same file.
/// </summary>
internal sealed partial class NetworkEmitter
{
    private const string CompilerServices = "global::System.Runtime.CompilerServices.";

    private readonly CompilationFeatures _features;
    private readonly BakedWeights? _baked;

    /// <summary>What <c>Forward</c> reads the parameters from: the instance's array, or the baked constants.</summary>
    private string ParameterSource => _baked is null ? "_parameters.Span" : "Parameters";

    /// <summary>A read-only slice of the batch-norm running statistics.</summary>
    private string StateSlice(int offset, string length) => _baked is null
        ? $"global::System.MemoryExtensions.AsSpan(_state, {Literal.Int(offset)}, {length})"
        : $"State.Slice({Literal.Int(offset)}, {length})";

    private void EmitParameterBytes()
    {
        _w.Line(_baked is null
            ? "/// <summary>Bytes of the parameters and state (4 × (ParameterCount + StateCount)); an instance also holds as many bytes of gradients as of parameters, plus training buffers.</summary>"
            : "/// <summary>Bytes of the baked parameters and state (4 × (ParameterCount + StateCount)), stored once in the assembly's data, not per instance.</summary>");
        _w.Line($"public const int ParameterBytes = {Literal.Int(4L * (_model.ParameterCount + _model.StateCount))};");
    }

    private void EmitBakedClass()
    {
        TypeDeclarationModel type = _model.Type;
        BakedWeights baked = _baked!;
        string shape = _model.HasConvolutions
            ? ConvChain()
            : string.Join(" → ", new[] { Literal.Int(_model.InputSize) + " inputs" }.Concat(_layers.Select(ShortDescription)));
        _w.Line("/// <remarks>");
        _w.Line($"/// <para>Inference-only feedforward network {shape}, with the {Literal.Int(_model.ParameterCount)} parameters" +
                (_model.StateCount > 0 ? $" and {Literal.Int(_model.StateCount)} state values" : "") +
                $" of <c>{Xml(baked.FileName)}</c> baked in at build time: <see cref=\"Parameters\"/> is data in the assembly, " +
                (_model.HasConvolutions
                    ? "laid out as the trainable network's <c>Parameters</c> (per layer with weights W row-major as PyTorch stores it, then b).</para>"
                    : "laid out as the trainable network's <c>Parameters</c> (per Dense layer W [out × in] row-major, then b).</para>"));
        _w.Line("/// <para><c>Forward</c> allocates nothing, reads no file and may run on several threads at once; its outputs are bit-identical " +
                "to the trainable network's after <c>LoadWeights</c> of the same file.</para>");
        _w.Line("/// </remarks>");
        _w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"Backprop.Generated.Generators\", \"{Version}\")]");
        using (_w.Block($"partial {type.Keyword} {type.Name} : {Rt}IInferenceNetwork"))
        {
            EmitSizeConstants(
                _model.HasConvolutions
                    ? "Baked parameters: for each layer with weights its weights (Dense [out × in], convolution [filters × in × kernel] as PyTorch) row-major, then its biases."
                    : "Baked parameters: for each layer its weights [out × in] row-major, then its biases.",
                "Baked batch-norm running means and variances.");
            _w.Line();
            _w.Line("/// <summary>The weights file the parameters were baked from.</summary>");
            _w.Line($"public const string BakedWeightsFile = \"{CSharp(baked.FileName)}\";");
            _w.Line();
            EmitInferenceMembers();
            _w.Line();
            EmitBakedData("Parameters", "The baked parameters, in the trainable network's layout (see the remarks). Data in the assembly: reading it allocates nothing.",
                baked.Parameters, parameters: true);
            if (_model.StateCount > 0)
            {
                _w.Line();
                EmitBakedData("State", "The baked batch-norm running statistics: per BatchNorm layer its running means, then its running variances.",
                    baked.State, parameters: false);
            }
            _w.Line();
            if (_model.HasConvolutions)
            {
                EmitConvForward();
            }
            else if (_model.IsDenseOnly)
            {
                EmitForward();
            }
            else
            {
                EmitStagedForward();
            }
            EmitTypedBuffers();
        }
    }

    /// <summary>
    /// <c>public static ReadOnlySpan&lt;float&gt; Name =&gt; new float[] { ... };</c>, one tensor after another with a
    /// comment naming it, a weight matrix one row per line (wrapped at 8 values).
    /// </summary>
    private void EmitBakedData(string name, string summary, float[] values, bool parameters)
    {
        _w.Line($"/// <summary>{summary}</summary>");
        _w.Line($"public static {RoSpan} {name} => new float[]");
        _w.Line("{");
        _w.Indent();
        foreach (LayerModel layer in _layers)
        {
            string i = Literal.Int(layer.Index);
            if (parameters && layer.Kind == LayerKind.Dense)
            {
                _w.Line($"// layers.{i}.weight [{Literal.Int(layer.Units)}, {Literal.Int(layer.Inputs)}] at {Literal.Int(layer.ParameterOffset)}: one row (output unit) per line");
                for (int o = 0; o < layer.Units; o++)
                {
                    EmitValues(values, layer.ParameterOffset + o * layer.Inputs, layer.Inputs);
                }
                _w.Line($"// layers.{i}.bias [{Literal.Int(layer.Units)}] at {Literal.Int(layer.BiasOffset)}");
                EmitValues(values, layer.BiasOffset, layer.Units);
            }
            else if (parameters && layer.IsConvolution)
            {
                int fanIn = layer.In.Channels * layer.KernelArea;
                string kernel = layer.Kind == LayerKind.Conv2D ? $"{Literal.Int(layer.Window!.Kernel)}, {Literal.Int(layer.Window.Kernel)}" : Literal.Int(layer.Window!.Kernel);
                _w.Line($"// layers.{i}.weight [{Literal.Int(layer.Out.Channels)}, {Literal.Int(layer.In.Channels)}, {kernel}] at {Literal.Int(layer.ParameterOffset)}: one filter per line");
                for (int f = 0; f < layer.Out.Channels; f++)
                {
                    EmitValues(values, layer.ParameterOffset + f * fanIn, fanIn);
                }
                _w.Line($"// layers.{i}.bias [{Literal.Int(layer.BiasCount)}] at {Literal.Int(layer.BiasOffset)}");
                EmitValues(values, layer.BiasOffset, layer.BiasCount);
            }
            else if (layer.Kind == LayerKind.BatchNorm)
            {
                int offset = parameters ? layer.ParameterOffset : layer.StateOffset;
                string[] names = parameters ? new[] { "bn.weight", "bn.bias" } : new[] { "bn.running_mean", "bn.running_var" };
                for (int k = 0; k < 2; k++)
                {
                    _w.Line($"// layers.{i}.{names[k]} [{Literal.Int(layer.Features)}] at {Literal.Int(offset + k * layer.Features)}");
                    EmitValues(values, offset + k * layer.Features, layer.Features);
                }
            }
        }
        _w.Unindent();
        _w.Line("};");
    }

    private void EmitValues(float[] values, int offset, int count)
    {
        const int PerLine = 8;
        var line = new StringBuilder();
        for (int start = 0; start < count; start += PerLine)
        {
            line.Clear();
            int end = Math.Min(count, start + PerLine);
            for (int k = start; k < end; k++)
            {
                line.Append(FloatLiteral(values[offset + k])).Append(',');
                if (k + 1 < end) line.Append(' ');
            }
            _w.Line(line.ToString());
        }
    }

    /// <summary>
    /// A C# literal with exactly the bits of <paramref name="value"/>: the shortest round-tripping form ("R"),
    /// checked by parsing it back and replaced by the always-exact 9 significant digits when the host's "R" is not
    /// (as on .NET Framework). NaNs all become <c>float.NaN</c> (their payload is not kept), infinities are named.
    /// </summary>
    internal static string FloatLiteral(float value)
    {
        if (float.IsNaN(value)) return "float.NaN";
        if (float.IsPositiveInfinity(value)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(value)) return "float.NegativeInfinity";
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (!RoundTrips(text, value))
        {
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        }
        return text + "f";
    }

    private static bool RoundTrips(string text, float value) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed) &&
        BitConverter.ToInt32(BitConverter.GetBytes(parsed), 0) == BitConverter.ToInt32(BitConverter.GetBytes(value), 0);

    /// <summary>Text for a doc comment.</summary>
    private static string Xml(string text) => CSharp(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>The inside of a C# string literal.</summary>
    private static string CSharp(string text)
    {
        var escaped = new StringBuilder();
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) || char.IsSurrogate(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    /// <summary>
    /// <c>Input</c> and <c>Output</c>: one sample as an <c>[InlineArray]</c> struct, and a <c>Forward</c> overload on
    /// them, so a caller runs inference with neither arrays nor stackalloc. Only when the compilation has inline arrays
    /// (C# 12 and .NET 8).
    /// </summary>
    private void EmitTypedBuffers()
    {
        if (!_features.InlineArrays)
        {
            return;
        }
        _w.Line();
        _w.Line("/// <summary>One input sample: <see cref=\"InputSize\"/> floats held inline (index it, or use it as a span); no array needed.</summary>");
        _w.Line($"[{CompilerServices}InlineArray(InputSize)]");
        using (_w.Block("public struct Input"))
        {
            _w.Line("private float _element0;");
        }
        _w.Line();
        _w.Line("/// <summary>One output sample: <see cref=\"OutputSize\"/> floats held inline (index it, or use it as a span); no array needed.</summary>");
        _w.Line($"[{CompilerServices}InlineArray(OutputSize)]");
        using (_w.Block("public struct Output"))
        {
            _w.Line("private float _element0;");
        }
        _w.Line();
        _w.Line("/// <summary>Runs one sample in inference mode, from and into fixed-size values: no array, no stackalloc, no allocation.</summary>");
        using (_w.Block("public void Forward(in Input input, out Output output)"))
        {
            _w.Line("output = default;");
            _w.Line($"Forward(({RoSpan})input, ({Span})output);");
        }
    }
}
