// Compiled into the runtime and, linked, into the generator (see Enums.cs for the namespace switch).
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated;
#endif

/// <summary>
/// The element types the safetensors format defines, with their width in bits. Networks store only
/// <c>F32</c>; the others are recognised so that a tensor the loader ignores (PyTorch's I64
/// <c>num_batches_tracked</c>) can still be sized and skipped, and an unknown type is reported as such.
/// </summary>
internal static class SafeTensorsDtype
{
    /// <summary>The only type networks read and write.</summary>
    public const string F32 = "F32";

    /// <summary>
    /// The width of one element of <paramref name="dtype"/> in bits, or 0 when the format does not define it.
    /// The list follows the reference implementation (safetensors 0.6), sub-byte float types included.
    /// </summary>
    public static int BitSize(string dtype) => dtype switch
    {
        "F4" => 4,
        "F6_E2M3" or "F6_E3M2" => 6,
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" or "F8_E4M3FNUZ" or "F8_E5M2FNUZ" => 8,
        "I16" or "U16" or "F16" or "BF16" => 16,
        "I32" or "U32" or "F32" => 32,
        "I64" or "U64" or "F64" or "C64" => 64,
        _ => 0,
    };
}
