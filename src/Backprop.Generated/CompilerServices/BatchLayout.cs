// Compiled into the runtime and, linked, into the generator (see the generator's project file).
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated.CompilerServices;
#endif

/// <summary>
/// The layout the generator plans batch buffers with and the runtime's batch kernels assume: one source, compiled into
/// both the runtime and the generator (linked), so the two cannot disagree.
/// </summary>
internal static class BatchLayout
{
    /// <summary>Samples per chunk of the batch path: the columns of every feature-major block.</summary>
    public const int Chunk = 32;

    /// <summary>The fewest samples worth a chunk: fewer (a small batch, or the last samples of one) go per sample.</summary>
    public const int MinSamples = 8;
}
