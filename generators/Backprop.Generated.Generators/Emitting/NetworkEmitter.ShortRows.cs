namespace Backprop.Generated.Generators.Emitting;

internal sealed partial class NetworkEmitter
{
    /// <summary>The runtime method a Dense layer's one-sample product calls, as the plan chose it (<see cref="EmissionPlan.ProductOf"/>).</summary>
    private static string Product(Model.LayerModel layer) => EmissionPlan.ProductOf(layer) == ProductKernel.ShortRows
        ? Cs + "ShortRowKernels.Gemv"
        : Dense + "Gemv";
}
