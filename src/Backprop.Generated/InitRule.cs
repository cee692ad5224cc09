// Compiled into the runtime and, linked, into the generator: the one definition of what Init.Auto means, read by
// Initializers at run time and by the generator's parser (which prints the choice in the generated code).
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>The rule that resolves <see cref="Init.Auto"/>.</summary>
internal static class InitRule
{
    /// <summary>
    /// <paramref name="init"/> itself unless it is <see cref="Init.Auto"/>; then He uniform for ReLU and LeakyReLU
    /// (their gain keeps the forward variance through a half-rectified unit) and Xavier uniform otherwise.
    /// </summary>
    public static Init Resolve(Init init, Activation activation) => init != Init.Auto
        ? init
        : activation is Activation.ReLU or Activation.LeakyReLU ? Init.HeUniform : Init.XavierUniform;
}
