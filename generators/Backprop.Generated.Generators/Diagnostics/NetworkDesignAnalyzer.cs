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

    /// <summary>Whether <paramref name="loss"/> fits an output layer with <paramref name="output"/>.</summary>
    internal static bool Fits(LossKind loss, ActivationKind output) => loss switch
    {
        LossKind.CrossEntropy => output == ActivationKind.Softmax,
        LossKind.BinaryCrossEntropy => output == ActivationKind.Sigmoid,
        LossKind.Hinge => output is not (ActivationKind.Sigmoid or ActivationKind.Softmax or ActivationKind.ReLU),
        _ => output != ActivationKind.Softmax,
    };

    internal static string Units(int units) => units == 1 ? "1 unit" : units + " units";

    private sealed class Rules
    {
        private readonly NetworkDeclaration _declaration;
        private readonly NetworkModel _model;
        private readonly System.Action<Diagnostic> _report;
        private readonly CancellationToken _cancellationToken;

        public Rules(NetworkDeclaration declaration, System.Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            _declaration = declaration;
            _model = declaration.Model;
            _report = report;
            _cancellationToken = cancellationToken;
        }

        /// <summary>BPG0001, BPG0002, BPG0003. Init.Auto never fires: it resolves to the fitting initializer.</summary>
        public void CheckInitializers()
        {
            foreach (LayerModel layer in _model.Layers)
            {
                ActivationKind activation = EffectiveActivation(layer.Index);
                InitKind declared = layer.DeclaredInit;
                switch (declared)
                {
                    case InitKind.HeUniform or InitKind.HeNormal when !IsReluFamily(activation):
                        InitKind xavier = declared == InitKind.HeUniform ? InitKind.XavierUniform : InitKind.XavierNormal;
                        ReportInit(DiagnosticDescriptors.HeInitOnSaturatingLayer, layer, xavier,
                            layer.Index, Units(layer.Units), activation, declared, HeReason(activation), xavier);
                        break;
                    case InitKind.XavierUniform or InitKind.XavierNormal or InitKind.LeCunNormal when IsReluFamily(activation):
                        InitKind he = declared == InitKind.XavierUniform ? InitKind.HeUniform : InitKind.HeNormal;
                        ReportInit(DiagnosticDescriptors.XavierInitOnReluLayer, layer, he,
                            layer.Index, Units(layer.Units), activation, declared, he);
                        break;
                    // A one-layer network (linear or logistic regression) has no hidden units to keep apart: zeros is fine there.
                    case InitKind.Zeros when _model.Layers.Count > 1:
                        InitKind fitting = NetworkParser.ResolveInit(InitKind.Auto, activation);
                        ReportInit(DiagnosticDescriptors.ZeroInit, layer, fitting, layer.Index, Units(layer.Units), fitting);
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
            _report(Diagnostic.Create(descriptor, _declaration.InitLocation(layer.Index, _cancellationToken),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.FittingInitProperty, fitting.ToString()),
                args));

        /// <summary>BPG0004 (loss vs output activation) and the output-width part of BPG0006.</summary>
        public void CheckLossAndOutput()
        {
            LayerModel output = _model.Layers[_model.Layers.Count - 1];
            ActivationKind activation = EffectiveActivation(output.Index);
            LossKind loss = _model.Loss;
            if (!Fits(loss, activation))
            {
                LossKind fitting = FittingLoss(activation);
                _report(Diagnostic.Create(DiagnosticDescriptors.LossDoesNotFitOutput, _declaration.LossLocation(_cancellationToken),
                    ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.FittingLossProperty, fitting.ToString()),
                    output.Index, Units(output.Units), activation, loss, LossReason(loss, activation), fitting));
            }

            if (output.Units == 1 && (loss == LossKind.CrossEntropy || activation == ActivationKind.Softmax))
            {
                _report(Diagnostic.Create(DiagnosticDescriptors.LayerOrder, _declaration.UnitsLocation(output.Index, _cancellationToken),
                    $"The output layer (layer {output.Index}, Dense, 1 unit) has one unit",
                    $"{(loss == LossKind.CrossEntropy ? "Loss.CrossEntropy" : "a Softmax output")} needs two or more classes, and a softmax over one unit is always 1, so nothing is learned",
                    "use one unit per class (at least 2), or for a yes/no target one Sigmoid unit with Loss.BinaryCrossEntropy"));
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

        /// <summary>BPG0005: four or more Sigmoid/Tanh hidden layers in a row; one diagnostic per run, on its fourth layer.</summary>
        public void CheckSaturatingStacks()
        {
            int hidden = _model.Layers.Count - 1;
            int start = 0;
            while (start < hidden)
            {
                if (!IsSaturating(EffectiveActivation(start)))
                {
                    start++;
                    continue;
                }
                int end = start;
                while (end + 1 < hidden && IsSaturating(EffectiveActivation(end + 1)))
                {
                    end++;
                }
                int length = end - start + 1;
                if (length >= SaturatingRunLimit)
                {
                    LayerModel at = _model.Layers[start + SaturatingRunLimit - 1];
                    _report(Diagnostic.Create(DiagnosticDescriptors.VanishingGradientStack,
                        _declaration.ActivationLocation(at.Index, _cancellationToken),
                        at.Index, Units(at.Units), length, RunKinds(start, end), start, end));
                }
                start = end + 1;
            }
        }

        private static bool IsSaturating(ActivationKind activation) => activation is ActivationKind.Sigmoid or ActivationKind.Tanh;

        private string RunKinds(int start, int end)
        {
            bool sigmoid = false, tanh = false;
            for (int i = start; i <= end; i++)
            {
                sigmoid |= EffectiveActivation(i) == ActivationKind.Sigmoid;
                tanh |= EffectiveActivation(i) == ActivationKind.Tanh;
            }
            return sigmoid && tanh ? "Sigmoid/Tanh" : sigmoid ? "Sigmoid" : "Tanh";
        }

        /// <summary>The activation that follows layer <paramref name="index"/>'s weights.</summary>
        private ActivationKind EffectiveActivation(int index) => _model.Layers[index].Activation;
    }
}
