using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace Backprop.Generated;

/// <summary>
/// An IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST (<c>train-images-idx3-ubyte</c>, ...): a
/// 4-byte magic number <c>00 00 08 d</c> (two zero bytes, the type code <c>0x08</c> for unsigned byte, <c>d</c> the
/// number of dimensions), <c>d</c> big-endian 32-bit dimension sizes, then the product of the sizes in bytes, the
/// last dimension varying fastest. A gzip-compressed file (as distributed: <c>.gz</c>) is recognised by its first
/// two bytes and read transparently, whatever its name.
/// </summary>
/// <remarks>
/// Every structural fact is checked against the file, and a mismatch throws <see cref="InvalidDataException"/>
/// whose message names the file, what was expected and what was found: the magic number, a type code other than
/// unsigned byte (the other IDX types, signed byte, short, int, float and double, are not read), zero dimensions,
/// a data section shorter or longer than the dimensions say, and gzip data that does not decompress.
/// </remarks>
public sealed class IdxFile
{
    private readonly byte[] _data;
    private readonly int[] _dimensions;

    private IdxFile(string name, int[] dimensions, int itemSize, byte[] data)
    {
        Name = name;
        _dimensions = dimensions;
        ItemSize = itemSize;
        _data = data;
    }

    /// <summary>The file's path (or the name given to <see cref="Read(Stream, string)"/>), as used in messages.</summary>
    public string Name { get; }

    /// <summary>The dimension sizes from the header, outermost first: <c>[60000, 28, 28]</c> for an image file.</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>The first dimension: the number of items (images or labels).</summary>
    public int Count => _dimensions[0];

    /// <summary>Bytes per item: the product of every dimension but the first (1 for a label file).</summary>
    public int ItemSize { get; }

    /// <summary>The data section, <c>Count × ItemSize</c> bytes, item after item.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>The bytes of item <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public ReadOnlySpan<byte> GetItem(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"IDX '{Name}' holds {Count} items; the index must be in [0, {Count}).");
        return _data.AsSpan(index * ItemSize, ItemSize);
    }

    /// <summary>Reads an IDX file of unsigned bytes, gzip-compressed or not.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file (see the remarks of <see cref="IdxFile"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads an IDX file of unsigned bytes, gzip-compressed or not, from a stream (read to its end, not closed).</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="name">Names the file in messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed unsigned-byte IDX file (see the remarks of <see cref="IdxFile"/>).</exception>
    public static IdxFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var buffered = new BufferedStream(stream, 1 << 16);
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(buffered, magic, name, decompressing: false);
        if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            // gzip: start again from the first byte through a decompressor
            var rest = new PrefixedStream(magic[..got].ToArray(), buffered);
            using var gzip = new GZipStream(rest, CompressionMode.Decompress, leaveOpen: true);
            return ReadIdx(gzip, name, decompressing: true);
        }
        return ReadIdx(new PrefixedStream(magic[..got].ToArray(), buffered), name, decompressing: false);
    }

    private static IdxFile ReadIdx(Stream s, string name, bool decompressing)
    {
        string what = decompressing ? "IDX (gzip)" : "IDX";
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(s, magic, name, decompressing);
        if (got < 4)
            throw new InvalidDataException($"{what} '{name}': the file is {got} bytes long; an IDX file starts with a 4-byte magic number (00 00 08 d).");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"{what} '{name}': the magic number is {Hex(magic)}; an IDX file starts with two zero bytes, then the type code and the number of dimensions (00 00 08 d for unsigned bytes). Is this an IDX file?");
        if (magic[2] != 0x08)
            throw new InvalidDataException($"{what} '{name}': the type code is 0x{magic[2]:x2} ({TypeName(magic[2])}); only 0x08 (unsigned byte, as in MNIST and Fashion-MNIST) is read.");
        int rank = magic[3];
        if (rank == 0)
            throw new InvalidDataException($"{what} '{name}': the magic number {Hex(magic)} declares 0 dimensions; an IDX file has at least one (the item count).");

        Span<byte> header = stackalloc byte[4 * 255];
        header = header[..(4 * rank)];
        got = ReadFully(s, header, name, decompressing);
        if (got < header.Length)
            throw new InvalidDataException($"{what} '{name}': the header declares {rank} dimensions ({4 * rank} bytes of sizes) but the file ends after {got} of them.");
        var dimensions = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 * i, 4));
            if (size > int.MaxValue)
                throw new InvalidDataException($"{what} '{name}': dimension {i} is {size}, more than {int.MaxValue}.");
            dimensions[i] = (int)size;
        }
        long itemSize = SaturatingProduct(dimensions.AsSpan(1));
        long total = dimensions[0] == 0 ? 0 : itemSize <= Array.MaxLength / dimensions[0] ? itemSize * dimensions[0] : Array.MaxLength + 1L;
        if (itemSize > Array.MaxLength || total > Array.MaxLength)
            throw new InvalidDataException($"{what} '{name}': the dimensions {Shape(dimensions)} need more than {Array.MaxLength} bytes of data, more than one array holds.");

        var data = new byte[total];
        got = ReadFully(s, data, name, decompressing);
        if (got < data.Length)
            throw new InvalidDataException($"{what} '{name}': the dimensions {Shape(dimensions)} need {total} bytes of data after the {4 + 4 * rank}-byte header, but the file holds only {got} (truncated?).");
        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(s, extra, name, decompressing) != 0)
        {
            long more = 1;
            var chunk = new byte[1 << 16];
            int n;
            while ((n = ReadFully(s, chunk, name, decompressing)) > 0) more += n;
            throw new InvalidDataException($"{what} '{name}': the dimensions {Shape(dimensions)} need {total} bytes of data after the {4 + 4 * rank}-byte header, but the file holds {total + more} ({more} more).");
        }
        return new IdxFile(name, dimensions, (int)itemSize, data);
    }

    /// <summary>The product of <paramref name="sizes"/> (1 for none), or a number above <see cref="Array.MaxLength"/> once it passes it.</summary>
    private static long SaturatingProduct(ReadOnlySpan<int> sizes)
    {
        long p = 1;
        foreach (int s in sizes) p = p > Array.MaxLength ? p : p * s;
        return p;
    }

    private static int ReadFully(Stream s, Span<byte> buffer, string name, bool decompressing)
    {
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = s.Read(buffer[read..]);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException e) when (decompressing)
        {
            throw new InvalidDataException($"IDX (gzip) '{name}': the gzip data is corrupt after {read} decompressed bytes of this read: {e.Message}", e);
        }
        return read;
    }

    internal static string Shape(IReadOnlyList<int> dimensions) => string.Join("×", dimensions);

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes[0]:x2} {bytes[1]:x2} {bytes[2]:x2} {bytes[3]:x2}");

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX type",
    };

    /// <summary>A read-only stream that first returns <c>prefix</c>, then the rest of <c>inner</c> (not closed).</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            if (_position < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed partial class Dataset
{
    /// <summary>
    /// A classification data set from a pair of IDX files as MNIST and Fashion-MNIST ship them (gzip-compressed or
    /// not): the images (<c>N × …</c> unsigned bytes, e.g. <c>N × 28 × 28</c>) become the inputs, each image
    /// flattened in file order (row after row, the last dimension fastest) and every pixel scaled to [0, 1] as
    /// <c>byte / 255f</c> (the same float as PyTorch's <c>ToTensor</c> and <c>uint8 / 255</c>); the labels
    /// (<c>N</c> unsigned bytes) become one-hot targets of <paramref name="classCount"/> outputs.
    /// </summary>
    /// <param name="imagesPath">The images file, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="labelsPath">The labels file, e.g. <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <param name="classCount">The number of classes (outputs), 1 to 256; every label must be below it. Default 10.</param>
    /// <exception cref="InvalidDataException">A file is not a well-formed unsigned-byte IDX file, the images file has
    /// fewer than 2 dimensions or no image, the labels file is not 1-dimensional, the counts differ, or a label is
    /// not below <paramref name="classCount"/>; the message names the file(s), what was expected and what was found.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is not in [1, 256].</exception>
    public static Dataset FromIdx(string imagesPath, string labelsPath, int classCount = 10)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        CheckClassCount(classCount);
        return FromIdx(IdxFile.Read(imagesPath), IdxFile.Read(labelsPath), classCount);
    }

    /// <summary>As <see cref="FromIdx(string, string, int)"/>, from IDX files already read.</summary>
    /// <exception cref="InvalidDataException">The shapes do not fit or a label is out of range (see <see cref="FromIdx(string, string, int)"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is not in [1, 256].</exception>
    public static Dataset FromIdx(IdxFile images, IdxFile labels, int classCount = 10)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        CheckClassCount(classCount);
        if (images.Dimensions.Count < 2)
            throw new InvalidDataException($"IDX images '{images.Name}': {images.Dimensions.Count} dimension ({IdxFile.Shape(images.Dimensions)}); an images file has at least 2 (count × pixels, e.g. count × 28 × 28).");
        if (labels.Dimensions.Count != 1)
            throw new InvalidDataException($"IDX labels '{labels.Name}': {labels.Dimensions.Count} dimensions ({IdxFile.Shape(labels.Dimensions)}); a labels file has exactly 1 (the count).");
        if (images.Count == 0)
            throw new InvalidDataException($"IDX images '{images.Name}': the file holds no image (shape {IdxFile.Shape(images.Dimensions)}).");
        int inputSize = images.ItemSize;
        if (inputSize == 0)
            throw new InvalidDataException($"IDX images '{images.Name}': each image has 0 pixels (shape {IdxFile.Shape(images.Dimensions)}).");
        if (labels.Count != images.Count)
            throw new InvalidDataException($"IDX images '{images.Name}' hold {images.Count} images ({IdxFile.Shape(images.Dimensions)}) but labels '{labels.Name}' hold {labels.Count} labels; they must be the same count.");

        ReadOnlySpan<byte> labelBytes = labels.Data;
        var targets = new float[checked(labelBytes.Length * classCount)];
        for (int i = 0; i < labelBytes.Length; i++)
        {
            int label = labelBytes[i];
            if (label >= classCount)
                throw new InvalidDataException($"IDX labels '{labels.Name}': label {i} is {label}; with {classCount} classes labels must be in [0, {classCount}).");
            targets[i * classCount + label] = 1f;
        }
        ReadOnlySpan<byte> pixels = images.Data;
        var inputs = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) inputs[i] = pixels[i] / 255f;
        return new Dataset(inputs, targets, inputSize, classCount, images.Count);
    }

    private static void CheckClassCount(int classCount)
    {
        if (classCount is < 1 or > 256)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "An IDX labels file holds bytes: the class count must be in [1, 256].");
    }
}
