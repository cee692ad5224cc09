using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Backprop.Generated;
using Xunit;

namespace Backprop.Generated.Tests.Training;

/// <summary>IDX files (MNIST / Fashion-MNIST): hand-made files, plain and gzip, well-formed and corrupt; the committed subset.</summary>
public sealed class IdxTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bpg-idx-" + Guid.NewGuid().ToString("N"));

    public IdxTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An IDX file: magic 00 00 type rank, big-endian sizes, then <paramref name="data"/> as given.</summary>
    private static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Optimal)) gz.Write(raw);
        return memory.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // three 2x3 images and their labels
    private static readonly byte[] Pixels = [0, 255, 51, 1, 2, 3, 10, 20, 30, 40, 50, 60, 254, 128, 127, 0, 0, 7];
    private static readonly byte[] Labels = [2, 0, 9];

    [Fact]
    public void A_pair_of_idx_files_gives_pixels_over_255_and_one_hot_labels()
    {
        string images = Write("img.idx", Idx(0x08, [3, 2, 3], Pixels));
        string labels = Write("lab.idx", Idx(0x08, [3], Labels));
        Dataset d = Dataset.FromIdx(images, labels);
        Assert.Equal((3, 6, 10), (d.Count, d.InputSize, d.OutputSize));
        Assert.Equal(Pixels.Select(p => p / 255f).ToArray(), d.Inputs.ToArray());
        Assert.Equal(1f, d.Inputs[1]);                 // 255 -> exactly 1
        Assert.Equal(0.2f, d.Inputs[2]);               // 51 / 255 = 0.2, the float nearest to it
        for (int i = 0; i < 3; i++)
        {
            float[] t = d.GetTarget(i).ToArray();
            Assert.Equal(1f, t[Labels[i]]);
            Assert.Equal(1f, t.Sum());
        }

        IdxFile file = IdxFile.Read(images);
        Assert.Equal([3, 2, 3], file.Dimensions);
        Assert.Equal((3, 6), (file.Count, file.ItemSize));
        Assert.Equal(Pixels.AsSpan(6, 6).ToArray(), file.GetItem(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => file.GetItem(3));
    }

    [Fact]
    public void Gzip_is_read_transparently_whatever_the_name_and_gives_the_same_data()
    {
        Dataset plain = Dataset.FromIdx(Write("a", Idx(0x08, [3, 2, 3], Pixels)), Write("b", Idx(0x08, [3], Labels)));
        Dataset gz = Dataset.FromIdx(Write("a.gz", Gzip(Idx(0x08, [3, 2, 3], Pixels))), Write("b.idx", Gzip(Idx(0x08, [3], Labels))));
        Assert.Equal(plain.Inputs.ToArray(), gz.Inputs.ToArray());
        Assert.Equal(plain.Targets.ToArray(), gz.Targets.ToArray());
        using var stream = new MemoryStream(Gzip(Idx(0x08, [3, 2, 3], Pixels)));
        Assert.Equal(Pixels, IdxFile.Read(stream, "memory").Data.ToArray());
    }

    [Fact]
    public void Class_count_sets_the_outputs_and_labels_past_it_are_refused_naming_file_and_index()
    {
        string images = Write("img", Idx(0x08, [3, 2, 3], Pixels));
        string labels = Write("lab", Idx(0x08, [3], Labels));
        Assert.Equal(12, Dataset.FromIdx(images, labels, classCount: 12).OutputSize);
        var e = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels, classCount: 5));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 2 is 9; with 5 classes labels must be in [0, 5)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromIdx(images, labels, classCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromIdx(images, labels, classCount: 257));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Corrupt_files_are_refused_naming_the_file_what_was_expected_and_what_was_found(bool gzip)
    {
        string Bad(string name, byte[] raw) => Write(name + (gzip ? ".gz" : ""), gzip ? Gzip(raw) : raw);
        string Message(string path) => Assert.Throws<InvalidDataException>(() => IdxFile.Read(path)).Message;

        string csv = Bad("csv", "pixel,label\n1,2\n"u8.ToArray());
        Assert.Contains(csv, Message(csv));
        Assert.Contains("the magic number is 70 69 78 65; an IDX file starts with two zero bytes", Message(csv));

        string floats = Bad("floats", Idx(0x0D, [1], [0, 0, 0, 0]));
        Assert.Contains("the type code is 0x0d (32-bit float); only 0x08 (unsigned byte", Message(floats));

        string rank0 = Bad("rank0", Idx(0x08, [], []));
        Assert.Contains("declares 0 dimensions", Message(rank0));

        string tiny = Bad("tiny", [0, 0]);
        Assert.Contains("the file is 2 bytes long", Message(tiny));

        byte[] cutHeader = Idx(0x08, [3, 2, 3], [])[..10];
        Assert.Contains("declares 3 dimensions (12 bytes of sizes) but the file ends after 6 of them", Message(Bad("cut-header", cutHeader)));

        string truncated = Bad("truncated", Idx(0x08, [3, 2, 3], Pixels[..17]));
        string t = Message(truncated);
        Assert.Contains(truncated, t);
        Assert.Contains("the dimensions 3×2×3 need 18 bytes of data after the 16-byte header, but the file holds only 17", t);

        string longer = Bad("longer", Idx(0x08, [3, 2, 3], [.. Pixels, 1, 2]));
        Assert.Contains("need 18 bytes of data after the 16-byte header, but the file holds 20 (2 more)", Message(longer));

        string huge = Bad("huge", Idx(0x08, [int.MaxValue, 28, 28], [1]));
        Assert.Contains("need more than", Message(huge));
    }

    [Fact]
    public void Corrupt_gzip_data_is_refused_naming_the_file()
    {
        byte[] gz = Gzip(Idx(0x08, [3, 2, 3], Pixels));
        for (int i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A; // scramble the deflate stream, keep the gzip header
        string path = Write("scrambled.gz", gz);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("IDX (gzip)", e.Message);
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused_naming_both_files_and_their_shapes()
    {
        string images = Write("img", Idx(0x08, [3, 2, 3], Pixels));
        string labels = Write("lab", Idx(0x08, [3], Labels));
        string twoLabels = Write("lab2", Idx(0x08, [2], [1, 2]));
        string flat = Write("flat", Idx(0x08, [18], Pixels));
        string labels2d = Write("lab2d", Idx(0x08, [3, 1], Labels));
        string noImages = Write("none", Idx(0x08, [0, 28, 28], []));

        var count = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, twoLabels)).Message;
        Assert.Contains($"IDX images '{images}' hold 3 images (3×2×3) but labels '{twoLabels}' hold 2 labels", count);
        Assert.Contains("at least 2 (count × pixels", Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(flat, labels)).Message);
        Assert.Contains($"IDX labels '{labels2d}': 2 dimensions (3×1); a labels file has exactly 1", Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels2d)).Message);
        Assert.Contains("holds no image", Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(noImages, Write("lab0", Idx(0x08, [0], [])))).Message);
        Assert.Throws<FileNotFoundException>(() => Dataset.FromIdx(Path.Combine(_folder, "missing.gz"), labels));
    }

    [Fact]
    public void The_committed_fashion_subset_holds_what_its_script_wrote()
    {
        // Numbers from numpy on the same files (samples/FashionMnist/data): 200 / 50 images per class, pixel sums,
        // the first labels and row 14 of the first image.
        string folder = Path.Combine(AppContext.BaseDirectory, "fashion");
        Dataset train = Dataset.FromIdx(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        Dataset test = Dataset.FromIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal((2000, 784, 10), (train.Count, train.InputSize, train.OutputSize));
        Assert.Equal((500, 784, 10), (test.Count, test.InputSize, test.OutputSize));
        Assert.Equal(115729498L, PixelSum(train));
        Assert.Equal(27799477L, PixelSum(test));
        Assert.Equal([0, 1, 7, 2, 3, 0, 6, 6, 3, 7], Enumerable.Range(0, 10).Select(i => ArgMax(train.GetTarget(i))));
        Assert.Equal([9, 1, 2, 4, 7, 0, 6, 2, 9, 2], Enumerable.Range(0, 10).Select(i => ArgMax(test.GetTarget(i))));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(200, Enumerable.Range(0, train.Count).Count(i => ArgMax(train.GetTarget(i)) == c)));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(50, Enumerable.Range(0, test.Count).Count(i => ArgMax(test.GetTarget(i)) == c)));
        int[] row14 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 249, 216, 217, 219, 222, 217, 214, 210, 215, 211, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(row14.Select(p => p / 255f), train.GetInput(0).Slice(14 * 28, 28).ToArray());
        float min = train.Inputs.ToArray().Min(), max = train.Inputs.ToArray().Max();
        Assert.True(min >= 0f && max <= 1f, $"pixels in [{min}, {max}], expected within [0, 1]");
    }

    private static long PixelSum(Dataset d)
    {
        long sum = 0;
        foreach (float v in d.Inputs) sum += (long)MathF.Round(v * 255f);
        return sum;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
