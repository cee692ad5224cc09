using System.Collections.Generic;
using System.Linq;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>Where one layer of an int8 network finds its data.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="QuantizedOffset">Dense: offset of its [out × in] int8 weights in QuantizedWeights; convolution: of its [filters × in × k (× k)] ones.</param>
/// <param name="ScaleOffset">Dense: offset of its per-row scales in WeightScales; convolution: of its per-filter scales.</param>
/// <param name="FloatOffset">Dense and convolution: offset of its biases in Parameters; BatchNorm: of γ (β follows).</param>
/// <param name="Output">The scratch slice the layer writes (per sample), or null for the last layer (y) and Dropout (identity).</param>
internal sealed record Int8Layer(LayerModel Layer, int QuantizedOffset, int ScaleOffset, int FloatOffset, string? Output);

/// <summary>
/// The layout of a <c>Precision.Int8</c> baked network (every decision about it, as plain data, like
/// <see cref="EmissionPlan"/>): the int8 weight matrices one after another in layer order, one scale per weight row, the
/// float32 tensors that stay (biases, batch-norm γ and β) in layer order, and the per-sample scratch (each layer's
/// output, then the quantized input bytes of the widest layer). <c>Forward</c> runs the samples in chunks of
/// <see cref="Chunk"/> through every layer (one sample is a chunk of one), so a batch gives exactly the bits of one
/// sample at a time.
/// </summary>
internal sealed class Int8Plan
{
    /// <summary>Samples per chunk of a batch <c>Forward</c> (four tiles of 4 samples share each weight load).</summary>
    public const int Chunk = 16;

    private Int8Plan(NetworkModel model)
    {
        var layers = new List<Int8Layer>();
        int quantized = 0, scales = 0, floats = 0, scratch = 0, maxFanIn = 0, convBytes = 0;
        IReadOnlyList<LayerModel> all = model.Layers.ToList();
        for (int p = 0; p < all.Count; p++)
        {
            LayerModel layer = all[p];
            string? output = p == all.Count - 1 || layer.Kind == LayerKind.Dropout ? null : "h" + Literal.Int(p);
            if (output is not null)
            {
                Slices.Add((output, scratch, layer.Units));
                scratch += layer.Units;
            }
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    layers.Add(new Int8Layer(layer, quantized, scales, floats, output));
                    quantized += layer.WeightCount;
                    scales += layer.Units;
                    floats += layer.Units;
                    maxFanIn = System.Math.Max(maxFanIn, layer.Inputs);
                    break;
                case LayerKind.Conv1D:
                case LayerKind.Conv2D:
                    // one row per filter: [in × k (× k)], quantized as a Dense row; one scale and one bias per filter
                    layers.Add(new Int8Layer(layer, quantized, scales, floats, output));
                    quantized += layer.WeightCount;
                    scales += layer.BiasCount;
                    floats += layer.BiasCount;
                    convBytes = System.Math.Max(convBytes, Int8ConvLayout.ScratchBytes(layer.ConvShape));
                    break;
                case LayerKind.BatchNorm:
                    layers.Add(new Int8Layer(layer, 0, 0, floats, output));
                    floats += 2 * layer.Features; // per feature, or per channel after a convolution
                    break;
                default:
                    layers.Add(new Int8Layer(layer, 0, 0, 0, output));
                    break;
            }
        }
        Layers = layers;
        QuantizedWeightCount = quantized;
        WeightScaleCount = scales;
        FloatParameterCount = floats;
        HiddenFloats = scratch;
        // Int8Kernels.ScratchBytes(maxFanIn, 1) bytes, in whole floats.
        QuantizedScratchFloats = (2 * maxFanIn + 8 + 3) / 4;
        // Int8ConvLayout.ScratchBytes of the largest convolution, in whole floats: once per chunk, not per sample.
        ConvScratchFloats = (convBytes + 3) / 4;
        ScratchSize = HiddenFloats + QuantizedScratchFloats + ConvScratchFloats;
        ParameterBytes = QuantizedWeightCount + 4L * (WeightScaleCount + FloatParameterCount + model.StateCount);
        FloatWeightBytes = 4L * QuantizedWeightCount;
    }

    /// <summary>The plan of an int8 network, or null for a float32 one.</summary>
    public static Int8Plan? For(NetworkModel model) => model.Precision == Precision.Int8 ? new Int8Plan(model) : null;

    /// <summary>Every layer, in declaration order.</summary>
    public IReadOnlyList<Int8Layer> Layers { get; }

    /// <summary>Length of QuantizedWeights: every Dense layer's out × in and every convolution's filters × in × kernel area.</summary>
    public int QuantizedWeightCount { get; }

    /// <summary>Length of WeightScales: one per output unit of every Dense layer and per filter of every convolution.</summary>
    public int WeightScaleCount { get; }

    /// <summary>Length of Parameters: the biases (Dense and convolution) and batch-norm γ, β that stay float32.</summary>
    public int FloatParameterCount { get; }

    /// <summary>Per sample: floats of layer outputs in scratch.</summary>
    public int HiddenFloats { get; }

    /// <summary>Per sample: floats holding the quantized input bytes of the widest layer.</summary>
    public int QuantizedScratchFloats { get; }

    /// <summary>
    /// Per chunk (not per sample): the floats holding the scratch bytes of the largest convolution, which quantizes,
    /// pads and unfolds one sample at a time (0 without convolutions).
    /// </summary>
    public int ConvScratchFloats { get; }

    /// <summary>The floats a chunk of <paramref name="samples"/> samples needs: per sample the outputs and the Dense input bytes, once the convolution bytes.</summary>
    public int ChunkFloats(int samples) => samples * (HiddenFloats + QuantizedScratchFloats) + ConvScratchFloats;

    /// <summary>One sample: all the scratch, in floats (<see cref="ChunkFloats"/> of 1).</summary>
    public int ScratchSize { get; }

    /// <summary>
    /// What is stored: QuantizedWeightCount bytes + 4 × (WeightScaleCount + FloatParameterCount + StateCount).
    /// </summary>
    public long ParameterBytes { get; }

    /// <summary>The float32 weight matrices the int8 ones replace, in bytes (4 × QuantizedWeightCount).</summary>
    public long FloatWeightBytes { get; }

    /// <summary>The per-sample output slices of scratch (name, offset, length), scaled by the chunk's sample count at run time.</summary>
    public List<(string Name, int Offset, int Length)> Slices { get; } = new();
}
