// Compiled into the runtime and, linked, into the generator: the constants of the activation functions, so the
// generated code, the runtime's kernels and the initializers' gains use the same numbers.
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>The constants of the activation functions.</summary>
internal static class ActivationConstants
{
    /// <summary>LeakyReLU's slope for z ≤ 0: PyTorch's <c>nn.LeakyReLU</c> default.</summary>
    public const float LeakyReLUSlope = 0.01f;
}
