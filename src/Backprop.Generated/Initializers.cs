namespace Backprop.Generated;

/// <summary>
/// What <see cref="Init.Auto"/> resolves to, and the constant behind the LeakyReLU gain. Generated networks initialize
/// their weights in <see cref="INetwork.InitializeParameters"/> (and their seed constructor): the result depends only
/// on the seed, the layer index and the shapes.
/// </summary>
public static class Initializers
{
    /// <summary>The LeakyReLU negative slope, also used in the He gain <c>sqrt(2 / (1 + slope^2))</c>.</summary>
    public const float LeakyReLUSlope = ActivationConstants.LeakyReLUSlope;

    /// <summary>Resolves <see cref="Init.Auto"/>: He uniform for ReLU and LeakyReLU, Xavier uniform otherwise.</summary>
    public static Init Resolve(Init init, Activation activation) => InitRule.Resolve(init, activation);
}
