using System.Collections.Generic;
using System.Linq;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>The code path a network's generated methods take (docs/internals.md, "The paths a network takes").</summary>
internal enum NetworkPath
{
    /// <summary>Dense layers only, every one unrolled: straight-line code per sample, no kernels, no batch path.</summary>
    Unrolled,

    /// <summary>Dense layers only, at least one looped: one-sample kernels, and chunks of 32 through the batch kernels from 8 samples on.</summary>
    Batch,

    /// <summary>A network with [BatchNorm], [Dropout] or [Activation] layers: each layer over the whole batch before the next.</summary>
    LayerByLayer,
}

/// <summary>How one Dense layer is written.</summary>
internal enum LayerForm
{
    /// <summary>One statement per multiply-add, values in locals (at most <see cref="Limits.UnrollMaxWeights"/> weights).</summary>
    Unrolled,

    /// <summary>Calls into the runtime's kernels over spans.</summary>
    Looped,
}

/// <summary>A float buffer cut into named slices, laid out one after another in the order they were reserved.</summary>
internal sealed class BufferPlan
{
    private readonly Dictionary<string, (int Offset, int Length)> _slices = new();
    private readonly List<string> _order = new();

    /// <summary>Floats in the buffer.</summary>
    public int Size { get; private set; }

    /// <summary>The slices in layout order.</summary>
    public IEnumerable<(string Name, int Offset, int Length)> Slices => _order.Select(n => (n, _slices[n].Offset, _slices[n].Length));

    /// <summary>Whether a slice of that name exists.</summary>
    public bool Contains(string name) => _slices.ContainsKey(name);

    /// <summary>The slice of that name.</summary>
    public (int Offset, int Length) this[string name] => _slices[name];

    /// <summary>Adds a slice of <paramref name="length"/> floats at the end.</summary>
    public void Reserve(string name, int length)
    {
        _slices[name] = (Size, length);
        _order.Add(name);
        Size += length;
    }
}

/// <summary>
/// Every decision about how a network is emitted, computed once from the model before any text is written, as plain
/// data (System.Text.Json's spec style): the path and why, each layer's form, whether the loss's gradient is taken at
/// the logits, and the buffers with their slices. The emitters read it and decide nothing themselves;
/// <c>EmissionPlanTests</c> tests each decision without emitting text.
/// </summary>
internal sealed class EmissionPlan
{
    private EmissionPlan(NetworkModel model)
    {
        IReadOnlyList<LayerModel> layers = model.Layers.ToList();
        LayerModel output = layers[layers.Count - 1];
        Forms = layers.Select(FormOf).ToList();
        PlanInspect(layers);
        if (model.HasConvolutions)
        {
            Path = NetworkPath.LayerByLayer;
            PathReason = "it has convolution or pooling layers, which run layer by layer over all the samples through the runtime's convolution and pooling kernels";
            ConvolutionChunks = layers.All(l => l.Kind is not (LayerKind.BatchNorm or LayerKind.Dropout or LayerKind.Activation));
        }
        else if (!model.IsDenseOnly)
        {
            Path = NetworkPath.LayerByLayer;
            PathReason = "it has [BatchNorm], [Dropout] or [Activation] layers, which need each layer over the whole batch";
        }
        else if (Forms.All(f => f == LayerForm.Unrolled))
        {
            Path = NetworkPath.Unrolled;
            PathReason = $"every Dense layer has at most {Limits.UnrollMaxWeights} weights";
        }
        else
        {
            Path = NetworkPath.Batch;
            PathReason = $"a Dense layer has more than {Limits.UnrollMaxWeights} weights";
        }

        OutputIsLogits =
            output.Kind is LayerKind.Dense or LayerKind.Activation &&
            output.Activation == ActivationKind.Linear &&
            model.Loss is LossKind.CrossEntropy or LossKind.BinaryCrossEntropy;
        FusedOutputGradient =
            OutputIsLogits ||
            output.Kind is LayerKind.Dense or LayerKind.Activation &&
            ((model.Loss == LossKind.CrossEntropy && output.Activation == ActivationKind.Softmax) ||
             (model.Loss == LossKind.BinaryCrossEntropy && output.Activation == ActivationKind.Sigmoid));

        OutputSoftmaxInBuffers =
            Path != NetworkPath.LayerByLayer && Forms[layers.Count - 1] == LayerForm.Unrolled &&
            (output.Activation == ActivationKind.Softmax || (model.Loss == LossKind.CrossEntropy && OutputIsLogits));

        if (Path == NetworkPath.LayerByLayer)
        {
            for (int p = 0; p < layers.Count - 1; p++)
            {
                if (layers[p].Kind != LayerKind.Dropout)
                {
                    ForwardScratch.Reserve("h" + p, layers[p].Units);
                }
            }
            foreach (LayerModel layer in layers)
            {
                TrainingFloatsPerSample += 2 * layer.Units; // output and its gradient
                if (layer.Kind == LayerKind.Dropout) TrainingFloatsPerSample += layer.Units; // mask
                if (layer.Kind == LayerKind.BatchNorm)
                {
                    TrainingFloatsPerSample += layer.Units; // x̂
                    TrainingFixedFloats += layer.Features; // 1/σ per feature or channel
                }
            }
            if (FusedOutputGradient && output.Kind == LayerKind.Dense && !OutputIsLogits) TrainingFloatsPerSample += output.Units; // logits
            return;
        }

        int last = layers.Count - 1;
        if (Path == NetworkPath.Batch)
        {
            PlanBatchBuffer(model, layers);
            PlanForwardChunkBuffer(model, layers);
        }
        for (int l = 0; l < last; l++)
        {
            if (HiddenOutputInSpan(l))
            {
                ForwardScratch.Reserve("a" + l, layers[l].Units);
                TrainingBuffer.Reserve("a" + l, layers[l].Units);
            }
        }
        if (Forms[last] == LayerForm.Looped || OutputSoftmaxInBuffers)
        {
            TrainingBuffer.Reserve("z" + last, output.Units);
            TrainingBuffer.Reserve("a" + last, output.Units);
            if (!FusedOutputGradient)
            {
                TrainingBuffer.Reserve("dy", output.Units);
            }
        }
        for (int l = last; l >= 0; l--)
        {
            if (l == last && OutputSoftmaxInBuffers)
            {
                TrainingBuffer.Reserve("dz" + l, layers[l].Units);
            }
            else if (Forms[l] == LayerForm.Looped)
            {
                TrainingBuffer.Reserve("dz" + l, layers[l].Units);
                if (l > 0)
                {
                    TrainingBuffer.Reserve("da" + (l - 1), layers[l - 1].Units);
                }
            }
        }
    }

    /// <summary>The one rule for a layer's form: a Dense layer with at most 64 weights is unrolled.</summary>
    public static LayerForm FormOf(LayerModel layer) =>
        layer.Kind == LayerKind.Dense && layer.WeightCount <= Limits.UnrollMaxWeights ? LayerForm.Unrolled : LayerForm.Looped;

    /// <summary>The layout of a <c>Precision.Int8</c> network (NetworkEmitter.Int8.cs); null for float32.</summary>
    public Int8Plan? Int8 { get; private set; }

    /// <summary>The plan for <paramref name="model"/>.</summary>
    public static EmissionPlan For(NetworkModel model) => new(model) { Int8 = Int8Plan.For(model) };

    /// <summary>The path the network's methods take.</summary>
    public NetworkPath Path { get; }

    /// <summary>Why it takes that path, for the docs and the tests.</summary>
    public string PathReason { get; }

    /// <summary>Each layer's form, in declaration order (non-Dense layers count as looped).</summary>
    public IReadOnlyList<LayerForm> Forms { get; }

    /// <summary>Whether layer <paramref name="l"/> is unrolled.</summary>
    public bool IsUnrolled(int l) => Forms[l] == LayerForm.Unrolled;

    /// <summary>A hidden layer's activations live in a span when it loops, or when the next layer loops over them.</summary>
    public bool HiddenOutputInSpan(int l) => Forms[l] == LayerForm.Looped || (l + 1 < Forms.Count && Forms[l + 1] == LayerForm.Looped);

    /// <summary>
    /// The loss's gradient at the logits has a closed form, so no ∂L/∂y step is written: cross-entropy on a softmax or
    /// on a Linear output (the logits, as torch.nn.CrossEntropyLoss), binary cross-entropy on a sigmoid or on a Linear
    /// output (as torch.nn.BCEWithLogitsLoss).
    /// </summary>
    public bool FusedOutputGradient { get; }

    /// <summary>
    /// Cross-entropy or binary cross-entropy on a Linear output: the network's outputs are the logits, and the loss
    /// computes softmax(z) or σ(z) itself (for its value and gradient only; Forward returns z).
    /// </summary>
    public bool OutputIsLogits { get; }

    /// <summary>
    /// An unrolled output layer whose softmax is taken (a Softmax output, or cross-entropy on logits) keeps z, its
    /// output and ∂L/∂z in training buffers rather than locals: the softmax and the cross-entropy are span kernels
    /// (<c>Softmax</c>, <c>LossKernels</c>), one implementation for every path.
    /// </summary>
    public bool OutputSoftmaxInBuffers { get; }

    /// <summary>
    /// A convolutional network without [BatchNorm], [Dropout] or [Activation] layers: its Backward goes through chunks of
    /// 32 samples (BatchBackward, so it can deal them to several threads: IParallelBackward) and it has TrainStep
    /// (ISgdTrainStep), as Dense-only networks do. With those layers the batch is one block: batch norm needs every
    /// sample's statistics, and dropout masks are numbered over the whole batch.
    /// </summary>
    public bool ConvolutionChunks { get; }

    /// <summary>Layer-by-layer path (convolutional or not): floats of training buffer per sample (outputs, their gradients, masks, x̂, logits).</summary>
    public int TrainingFloatsPerSample { get; }

    /// <summary>Layer-by-layer path: floats of training buffer independent of the batch (1/σ per batch-norm feature).</summary>
    public int TrainingFixedFloats { get; }

    /// <summary>Dense-only networks with a looped layer get the batch kernels, in Forward and Backward.</summary>
    public bool UsesBatchPath => Path == NetworkPath.Batch;

    /// <summary>Scratch of one Forward sample (the stack up to 16,384 floats).</summary>
    public BufferPlan ForwardScratch { get; } = new();

    /// <summary>Per-sample activations and gradients of Backward and TrainStep (Dense-only networks).</summary>
    public BufferPlan TrainingBuffer { get; } = new();

    /// <summary>One chunk of samples through every layer of a batch Backward.</summary>
    public BufferPlan BatchBuffer { get; } = new();

    /// <summary>One chunk of samples through every layer of a batch Forward.</summary>
    public BufferPlan ForwardChunkBuffer { get; } = new();

    /// <summary>
    /// One sample through every layer in <c>Inspect</c>: a slice <c>o{p}</c> per layer output (a Dropout layer is the
    /// identity in inference, so its output is its input and it gets none), and a slice <c>alive{p}</c> of per-unit
    /// flags for each ReLU-family layer (a unit is dead when no sample made it positive).
    /// </summary>
    public BufferPlan InspectBuffer { get; } = new();

    /// <summary>For each layer, the span <c>Inspect</c> finds its output in: its own slice, or its input's (Dropout; <c>x</c> for the first layer).</summary>
    public IReadOnlyList<string> InspectOutputs { get; private set; } = new string[0];

    /// <summary>Floats of the <c>alive{p}</c> slices, which come last in <see cref="InspectBuffer"/> (cleared in one call).</summary>
    public int InspectAliveLength { get; private set; }

    /// <summary>Whether <c>Inspect</c> tracks dead units of a layer with this activation (ReLU and LeakyReLU).</summary>
    public static bool TracksDeadUnits(ActivationKind activation) => activation is ActivationKind.ReLU or ActivationKind.LeakyReLU;

    /// <summary>The <c>LayerActivity.Kind</c> of a layer: the attribute's name without "Attribute", which is the kind's name.</summary>
    public static string InspectKind(LayerModel layer) => layer.Kind.ToString();

    private void PlanInspect(IReadOnlyList<LayerModel> layers)
    {
        var outputs = new string[layers.Count];
        for (int p = 0; p < layers.Count; p++)
        {
            LayerModel layer = layers[p];
            if (layer.Kind == LayerKind.Dropout)
            {
                outputs[p] = p == 0 ? "x" : outputs[p - 1];
                continue;
            }
            outputs[p] = "o" + Literal.Int(p);
            InspectBuffer.Reserve(outputs[p], layer.Units);
        }
        for (int p = 0; p < layers.Count; p++)
        {
            if (TracksDeadUnits(layers[p].Activation))
            {
                InspectBuffer.Reserve("alive" + Literal.Int(p), layers[p].Units);
                InspectAliveLength += layers[p].Units;
            }
        }
        InspectOutputs = outputs;
    }

    private void PlanBatchBuffer(NetworkModel model, IReadOnlyList<LayerModel> layers)
    {
        int c = BatchLayout.Chunk;
        int last = layers.Count - 1;
        LayerModel output = layers[last];
        BatchBuffer.Reserve("xT", model.InputSize * c);
        for (int l = 0; l < last; l++)
        {
            BatchBuffer.Reserve("h" + Literal.Int(l) + "T", layers[l].Units * c);
            BatchBuffer.Reserve("h" + Literal.Int(l), layers[l].Units * c);
        }
        BatchBuffer.Reserve("zT", output.Units * c);
        for (int l = 0; l <= last; l++)
        {
            BatchBuffer.Reserve("d" + Literal.Int(l) + "T", layers[l].Units * c);
        }
        string i = Literal.Int(last);
        BatchBuffer.Reserve("z" + i, output.Units);
        BatchBuffer.Reserve("a" + i, output.Units);
        BatchBuffer.Reserve("dz" + i, output.Units);
        if (!FusedOutputGradient)
        {
            BatchBuffer.Reserve("dy", output.Units);
        }
    }

    private void PlanForwardChunkBuffer(NetworkModel model, IReadOnlyList<LayerModel> layers)
    {
        int c = BatchLayout.Chunk;
        int last = layers.Count - 1;
        ForwardChunkBuffer.Reserve("xT", model.InputSize * c);
        for (int l = 0; l < last; l++)
        {
            ForwardChunkBuffer.Reserve("h" + Literal.Int(l) + "T", layers[l].Units * c);
        }
        ForwardChunkBuffer.Reserve("zT", layers[last].Units * c);
    }
}
