using System.Collections.Immutable;
using System.Threading;
using Backprop.Generated.Generators.Model;
using Backprop.Generated.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generated.Generators.Diagnostics;

/// <summary>
/// Reports declarations that generate and run but are known to train badly (BPG00nn warnings): initializers that do
/// not fit the activation, a loss that does not fit the output layer, deep saturating stacks and layer orders that
/// cannot work. Only valid declarations are checked (an invalid one already has a BPG01nn error from
/// <see cref="NetworkDeclarationAnalyzer"/>); the reading of the attributes is the parser's, shared with the generator.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkDesignAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Consecutive Sigmoid/Tanh hidden layers from which BPG0005 fires.</summary>
    internal const int SaturatingRunLimit = 4;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.HeInitOnSaturatingLayer,
        DiagnosticDescriptors.XavierInitOnReluLayer,
        DiagnosticDescriptors.ZeroInit,
        DiagnosticDescriptors.LossDoesNotFitOutput,
        DiagnosticDescriptors.VanishingGradientStack,
        DiagnosticDescriptors.LayerOrder);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        if (context.Symbol is not INamedTypeSymbol type || !HasNetworkAttribute(type))
        {
            return;
        }
        NetworkDeclaration? declaration = NetworkParser.ParseDeclaration(type, context.CancellationToken);
        if (declaration is null)
        {
            return;
        }
        var rules = new Rules(declaration, context.ReportDiagnostic, context.CancellationToken);
        rules.CheckInitializers();
        rules.CheckLossAndOutput();
        rules.CheckSaturatingStacks();
        rules.CheckLayerOrder();
    }

    private static bool HasNetworkAttribute(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == KnownNames.NetworkAttribute)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>He initializers suit ReLU-family activations only.</summary>
    internal static bool IsReluFamily(ActivationKind activation) => activation is ActivationKind.ReLU or ActivationKind.LeakyReLU;

    /// <summary>The loss each output activation is meant to be trained with.</summary>
    internal static LossKind FittingLoss(ActivationKind output) => output switch
    {
        ActivationKind.Softmax => LossKind.CrossEntropy,
        ActivationKind.Sigmoid => LossKind.BinaryCrossEntropy,
        _ => LossKind.MeanSquaredError,
    };

    /// <summary>
    /// Whether <paramref name="loss"/> fits an output layer with <paramref name="output"/>. A Linear output is the logits
    /// for cross-entropy (torch.nn.CrossEntropyLoss) and binary cross-entropy (torch.nn.BCEWithLogitsLoss) when
    /// <paramref name="linearIsLogits"/>: the Linear layer is the network's last, so the loss sees its z unchanged.
    /// </summary>
    internal static bool Fits(LossKind loss, ActivationKind output, bool linearIsLogits = true) => loss switch
    {
        LossKind.CrossEntropy => output == ActivationKind.Softmax || (linearIsLogits && output == ActivationKind.Linear),
        LossKind.BinaryCrossEntropy => output == ActivationKind.Sigmoid || (linearIsLogits && output == ActivationKind.Linear),
        LossKind.Hinge => output is not (ActivationKind.Sigmoid or ActivationKind.Softmax or ActivationKind.ReLU),
        _ => output != ActivationKind.Softmax,
    };

    internal static string Units(int units) => units == 1 ? "1 unit" : units + " units";

    private sealed class Rules
    {
        private readonly NetworkDeclaration _declaration;
        private readonly EquatableArray<LayerModel> _layers;
        private readonly LossKind _loss;
        private readonly System.Action<Diagnostic> _report;
        private readonly CancellationToken _cancellationToken;

        /// <summary>Position of the last Dense layer: the output layer.</summary>
        private readonly int _output;

        private readonly int _denseCount;

        public Rules(NetworkDeclaration declaration, System.Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            _declaration = declaration;
            _layers = declaration.Model.Layers;
            _loss = declaration.Model.Loss;
            _report = report;
            _cancellationToken = cancellationToken;
            _output = -1;
            foreach (LayerModel layer in _layers)
            {
                if (layer.HasWeights)
                {
                    _output = layer.Position;
                    _denseCount++;
                }
            }
        }

        private static string Describe(LayerModel layer) => layer.IsConvolution
            ? $"{layer.Kind}, {(layer.Out.Channels == 1 ? "1 filter" : layer.Out.Channels + " filters")}"
            : $"Dense, {Units(layer.Units)}";

        /// <summary>BPG0001, BPG0002, BPG0003. Init.Auto never fires: it resolves to the fitting initializer.</summary>
        public void CheckInitializers()
        {
            foreach (LayerModel layer in _layers)
            {
                if (!layer.HasWeights)
                {
                    continue;
                }
                // The parser's effective activation: the layer's own, or the [Activation] after a Linear Dense (+ BatchNorm/Dropout).
                ActivationKind activation = layer.EffectiveActivation;
                InitKind declared = layer.DeclaredInit;
                switch (declared)
                {
                    case InitKind.HeUniform or InitKind.HeNormal when !IsReluFamily(activation):
                        InitKind xavier = declared == InitKind.HeUniform ? InitKind.XavierUniform : InitKind.XavierNormal;
                        ReportInit(DiagnosticDescriptors.HeInitOnSaturatingLayer, layer, xavier,
                            layer.Position, Describe(layer), activation, declared, HeReason(activation), xavier);
                        break;
                    case InitKind.XavierUniform or InitKind.XavierNormal or InitKind.LeCunNormal when IsReluFamily(activation):
                        InitKind he = declared == InitKind.XavierUniform ? InitKind.HeUniform : InitKind.HeNormal;
                        ReportInit(DiagnosticDescriptors.XavierInitOnReluLayer, layer, he,
                            layer.Position, Describe(layer), activation, declared, he);
                        break;
                    // A one-layer network (linear or logistic regression) has no hidden units to keep apart: zeros is fine there.
                    case InitKind.Zeros when _denseCount > 1:
                        InitKind fitting = NetworkParser.ResolveInit(InitKind.Auto, activation);
                        ReportInit(DiagnosticDescriptors.ZeroInit, layer, fitting, layer.Position, Describe(layer), fitting);
                        break;
                }
            }
        }

        private static string HeReason(ActivationKind activation) => activation switch
        {
            ActivationKind.Sigmoid or ActivationKind.Tanh => $"its doubled variance drives {activation} units into saturation, where their gradient vanishes",
            ActivationKind.Softmax => "its doubled variance makes the softmax start out overconfident, with a vanishing gradient for every other class",
            _ => "its doubled variance makes the signal grow from layer to layer instead of keeping its scale",
        };

        private void ReportInit(DiagnosticDescriptor descriptor, LayerModel layer, InitKind fitting, params object[] args) =>
            _report(Diagnostic.Create(descriptor, _declaration.InitLocation(layer.Position, _cancellationToken),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.FittingInitProperty, fitting.ToString()),
                args));

        /// <summary>
        /// The activation the network's outputs come out of: the last [Activation] layer or, before reaching a Dense
        /// layer, that layer's own; BatchNorm and Dropout are skipped.
        /// </summary>
        private ActivationKind OutputActivation()
        {
            for (int i = _layers.Count - 1; i >= 0; i--)
            {
                if (_layers[i].Kind is LayerKind.Dense or LayerKind.Activation or LayerKind.Conv1D or LayerKind.Conv2D)
                {
                    return _layers[i].Activation;
                }
            }
            return ActivationKind.Linear;
        }

        /// <summary>BPG0004 (loss vs output activation) and the output-width part of BPG0006.</summary>
        public void CheckLossAndOutput()
        {
            LayerModel output = _layers[_output];
            ActivationKind activation = OutputActivation();
            LayerModel last = _layers[_layers.Count - 1];
            bool linearIsLogits = last.Kind is LayerKind.Dense or LayerKind.Activation;
            if (!Fits(_loss, activation, linearIsLogits))
            {
                LossKind fitting = FittingLoss(activation);
                string reason = activation == ActivationKind.Linear && _loss is LossKind.CrossEntropy or LossKind.BinaryCrossEntropy
                    ? $"{(_loss == LossKind.CrossEntropy ? "cross-entropy" : "binary cross-entropy")} on a Linear output reads the outputs as logits, and the last layer (layer {last.Position}, {last.Kind}) changes them after the Linear layer; make the Linear layer the last one"
                    : LossReason(_loss, activation);
                _report(Diagnostic.Create(DiagnosticDescriptors.LossDoesNotFitOutput, _declaration.LossLocation(_cancellationToken),
                    ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.FittingLossProperty, fitting.ToString()),
                    output.Position, Describe(output), activation, _loss, reason, fitting));
            }

            if (output.Kind == LayerKind.Dense && output.Units == 1 && (_loss == LossKind.CrossEntropy || activation == ActivationKind.Softmax))
            {
                ReportOrder(_declaration.UnitsLocation(output.Position, _cancellationToken),
                    $"The output layer (layer {output.Position}, Dense, 1 unit) has one unit",
                    $"{(_loss == LossKind.CrossEntropy ? "Loss.CrossEntropy" : "a Softmax output")} needs two or more classes, and a softmax over one unit is always 1, so nothing is learned",
                    "use one unit per class (at least 2), or for a yes/no target one Sigmoid unit with Loss.BinaryCrossEntropy");
            }
        }

        private static string LossReason(LossKind loss, ActivationKind output) => (loss, output) switch
        {
            (LossKind.MeanSquaredError, ActivationKind.Softmax) =>
                "squared error on softmax probabilities learns slowly when a class is confidently wrong, since the softmax's gradient vanishes there",
            (LossKind.Hinge, ActivationKind.Softmax) =>
                "hinge loss wants scores of either sign (targets -1/+1), and softmax probabilities are never negative",
            (LossKind.BinaryCrossEntropy, ActivationKind.Softmax) =>
                "binary cross-entropy treats each output as an independent probability, while a softmax makes them compete",
            (LossKind.CrossEntropy, _) =>
                $"cross-entropy reads the outputs as a probability distribution (it takes their log), which a {output} output is not",
            (LossKind.BinaryCrossEntropy, _) =>
                $"binary cross-entropy reads each output as a probability in (0, 1) (it takes log y and log(1 - y)), which a {output} output is not",
            _ => $"hinge loss wants scores of either sign (targets -1/+1), and a {output} output is never negative",
        };

        /// <summary>
        /// BPG0005: four or more hidden Dense layers in a row whose (effective) activation is Sigmoid or Tanh, with no
        /// [BatchNorm] among them. One diagnostic per run, on the fourth layer's activation.
        /// </summary>
        public void CheckSaturatingStacks()
        {
            var run = new System.Collections.Generic.List<LayerModel>();
            foreach (LayerModel layer in _layers)
            {
                if (layer.Kind == LayerKind.BatchNorm || (layer.Kind == LayerKind.Dense && (layer.Position == _output || !IsSaturating(layer.EffectiveActivation))))
                {
                    FlushRun(run);
                }
                else if (layer.Kind == LayerKind.Dense)
                {
                    run.Add(layer);
                }
            }
            FlushRun(run);
        }

        private void FlushRun(System.Collections.Generic.List<LayerModel> run)
        {
            if (run.Count >= SaturatingRunLimit)
            {
                LayerModel at = run[SaturatingRunLimit - 1];
                bool sigmoid = run.Exists(l => l.EffectiveActivation == ActivationKind.Sigmoid);
                bool tanh = run.Exists(l => l.EffectiveActivation == ActivationKind.Tanh);
                _report(Diagnostic.Create(DiagnosticDescriptors.VanishingGradientStack,
                    _declaration.ActivationLocation(ActivationSource(at), _cancellationToken),
                    at.Position, Describe(at), run.Count, sigmoid && tanh ? "Sigmoid/Tanh" : sigmoid ? "Sigmoid" : "Tanh",
                    run[0].Position, run[run.Count - 1].Position));
            }
            run.Clear();
        }

        /// <summary>Where a Dense layer's effective activation is written: its own argument, or the [Activation] layer after it.</summary>
        private int ActivationSource(LayerModel dense)
        {
            if (dense.Activation == dense.EffectiveActivation)
            {
                return dense.Position;
            }
            for (int j = dense.Position + 1; j < _layers.Count; j++)
            {
                if (_layers[j].Kind == LayerKind.Activation) return j;
                if (_layers[j].Kind is not (LayerKind.BatchNorm or LayerKind.Dropout)) break;
            }
            return dense.Position;
        }

        private static bool IsSaturating(ActivationKind activation) => activation is ActivationKind.Sigmoid or ActivationKind.Tanh;

        /// <summary>BPG0006 layer order: Dropout last, BatchNorm after the output layer, two Dropout in a row.</summary>
        public void CheckLayerOrder()
        {
            LayerModel output = _layers[_output];
            for (int i = 0; i < _layers.Count; i++)
            {
                LayerModel layer = _layers[i];
                if (layer.Kind == LayerKind.Dropout && i > 0 && _layers[i - 1].Kind == LayerKind.Dropout)
                {
                    double combined = 1 - (1 - _layers[i - 1].Rate) * (1 - layer.Rate);
                    ReportOrder(_declaration.LayerLocation(i, _cancellationToken),
                        $"Layer {i} (Dropout, rate {Rate(layer.Rate)}) directly follows another Dropout (layer {i - 1}, rate {Rate(_layers[i - 1].Rate)})",
                        $"the two only compound to one dropout of rate {Rate(combined)}, which is almost always a slip",
                        $"use a single [Dropout({Rate(combined)})]");
                }
                if (layer.Kind == LayerKind.Dropout && i == _layers.Count - 1)
                {
                    ReportOrder(_declaration.LayerLocation(i, _cancellationToken),
                        $"Layer {i} (Dropout, rate {Rate(layer.Rate)}) is the last layer",
                        "it zeroes random predictions while training, so the loss is computed on corrupted outputs, and does nothing in Forward",
                        $"remove it, or put it before the output layer (layer {output.Position}, {Describe(output)})");
                }
                if (layer.Kind == LayerKind.BatchNorm && i > _output)
                {
                    ReportOrder(_declaration.LayerLocation(i, _cancellationToken),
                        $"Layer {i} (BatchNorm) comes after the output layer (layer {output.Position}, {Describe(output)})",
                        "in training it forces each batch's predictions to the same mean and spread (its shift and scale), so a prediction depends on the rest of the batch and batches whose targets differ on average cannot be fit",
                        "put [BatchNorm] between hidden layers instead");
                }
            }
        }

        private static string Rate(double rate) => System.Math.Round(rate, 4).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

        private void ReportOrder(Location location, string subject, string problem, string remedy) =>
            _report(Diagnostic.Create(DiagnosticDescriptors.LayerOrder, location, subject, problem, remedy));
    }
}
