namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// The method attributes of the one-sample inference methods a user calls in a loop (<c>Forward</c> and its
/// <c>ForwardOne</c>, trainable, baked and int8): compiled fully optimized on their first call
/// (<c>MethodImplOptions.AggressiveOptimization</c>) rather than tiered. Tiered, they start as tier-0 code, 5 to 10×
/// slower, and a process limited to one CPU (a container, <c>taskset</c>) keeps them there for a second or more
/// (the runtime waits 10 × 100 ms without new tier-0 code before it counts calls). The runtime's one-sample kernels
/// they call carry the same flag. What is given up is dynamic PGO for these methods; benchmarks/README.md
/// ("Tiering as users see it") has the steady-state comparison. The <c>TrainStep</c> path (the generated method and
/// the kernels only it calls) stays tiered: fully optimized, its glue measured slower in steady state without PGO,
/// and with only its kernels fully optimized its tier-0 glue stayed slow for seconds (see <c>EmitTrainStep</c>).
/// </summary>
internal sealed partial class NetworkEmitter
{
    private const string MethodImpl = "global::System.Runtime.CompilerServices.MethodImpl";
    private const string MethodImplOptions = "global::System.Runtime.CompilerServices.MethodImplOptions";

    /// <summary>Writes the attribute line of a one-sample method.</summary>
    private void EmitOneSampleMethodImpl()
    {
        _w.Line("// compiled fully optimized on its first call, not tiered: one sample's latency counts from the first call");
        _w.Line($"[{MethodImpl}({MethodImplOptions}.AggressiveOptimization)]");
    }
}
