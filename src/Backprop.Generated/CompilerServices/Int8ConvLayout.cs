// Compiled into the runtime and, linked, into the generator (see the generator's project file): the generator sizes
// the scratch of an int8 convolutional network with the arithmetic the runtime's Int8ConvKernels cut it with.
#if BACKPROP_GENERATOR
namespace Backprop.Generated.Generators.Shared;
#else
namespace Backprop.Generated.CompilerServices;
#endif

/// <summary>
/// The scratch layout of one int8 convolution call (<c>Int8ConvKernels.Forward</c>), one source for the runtime and the
/// generator. Per call, reused sample after sample: the int32 sums of a block of <see cref="PositionBlock"/> output
/// positions, the quantized input (magnitudes of the positive and of the negative values), the same copied into
/// zero-padded planes, the im2col patches of a block (positive and negative), and the weights with each row padded to
/// <see cref="PaddedFanIn"/> when the fan-in is under 32. Every byte region ends with <see cref="Slack"/> spare bytes, as
/// the patch copies read and write 8 bytes at a time.
/// </summary>
internal static class Int8ConvLayout
{
    /// <summary>Output positions whose patches are built and multiplied together (the samples of one matrix product).</summary>
    public const int PositionBlock = 64;

    /// <summary>Spare bytes after each region: an 8-byte copy may start up to 1 byte before a region's last value.</summary>
    public const int Slack = 8;

    /// <summary>
    /// A patch row's length: the fan-in, or 32 when the fan-in is smaller, so the matrix product runs on whole 32-byte
    /// vectors instead of its scalar loop (the extra weights are 0, so the extra products are 0).
    /// </summary>
    public static int PaddedFanIn(int fanIn) => fanIn < 32 ? 32 : fanIn;

    /// <summary>Bytes of the zero-padded planes of one sample: channels × (height + 2·padding) × (width + 2·padding).</summary>
    public static int PaddedPlaneBytes(in ConvShape s) => s.InChannels * (s.InHeight + 2 * s.PaddingY) * (s.InWidth + 2 * s.PaddingX);

    /// <summary>
    /// Bytes of scratch one call needs, whatever its number of samples: 4 · block · filters (sums)
    /// + 2 · (input + slack) + 2 · (padded planes + slack) + 2 · (block · padded fan-in + slack)
    /// + filters · padded fan-in (only when the fan-in is padded).
    /// </summary>
    public static int ScratchBytes(in ConvShape s)
    {
        int fanIn = s.FanIn, padded = PaddedFanIn(fanIn);
        return 4 * PositionBlock * s.Filters
            + 2 * (s.InputSize + Slack)
            + 2 * (PaddedPlaneBytes(s) + Slack)
            + 2 * (PositionBlock * padded + Slack)
            + (padded != fanIn ? s.Filters * padded : 0);
    }
}
