using System;
using System.Collections.Generic;
using System.IO;
using Backprop.Generated;

namespace FashionMnist;

/// <summary>Fashion-MNIST's training and test images, read from the four IDX files (pixels / 255, one-hot labels).</summary>
/// <param name="Folder">Where the files were read from.</param>
/// <param name="Train">The training images (60,000 in the full set).</param>
/// <param name="Test">The test images (10,000 in the full set).</param>
public sealed record FashionData(string Folder, Dataset Train, Dataset Test)
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Zalando's repository, whose README links the four files.</summary>
    public const string ZalandoUrl = "https://github.com/zalandoresearch/fashion-mnist";

    /// <summary>The four file names, as Zalando and Debian name them (gzip-compressed IDX).</summary>
    public static readonly IReadOnlyList<string> FileNames =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>The ten classes in label order.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The committed 2,000 + 500 image subset copied next to the program (<c>data/</c>).</summary>
    public static string SubsetFolder => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>
    /// The folder to read: <paramref name="requested"/> when given, else <see cref="DebianFolder"/> when it holds the
    /// files; null when neither does (<see cref="MissingMessage"/> says what to do).
    /// </summary>
    public static string? Locate(string? requested) =>
        requested ?? (HasFiles(DebianFolder) ? DebianFolder : null);

    /// <summary>Whether <paramref name="folder"/> holds the four files.</summary>
    public static bool HasFiles(string folder)
    {
        foreach (string name in FileNames)
        {
            if (!File.Exists(Path.Combine(folder, name))) return false;
        }
        return true;
    }

    /// <summary>What to do when no data folder was given and the Debian package is not installed.</summary>
    public static string MissingMessage =>
        $"Fashion-MNIST was not found: no --data folder was given and {DebianFolder} does not hold the files. Either install " +
        $"Debian's package (sudo apt-get install dataset-fashion-mnist), or download the four files ({string.Join(", ", FileNames)}) " +
        $"from {ZalandoUrl} into a folder and pass --data <folder>. For a quick try on the 2,000 + 500 image subset that ships with " +
        $"the sample: --data {SubsetFolder}";

    /// <summary>Reads the four files from <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it and the four expected names.</exception>
    /// <exception cref="InvalidDataException">A file is not well-formed IDX, or images and labels do not fit (see <see cref="Dataset.FromIdx(string, string, int)"/>).</exception>
    public static FashionData Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        foreach (string name in FileNames)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path} does not exist; a Fashion-MNIST folder holds {string.Join(", ", FileNames)}.", path);
        }
        Dataset train = Dataset.FromIdx(Path.Combine(folder, FileNames[0]), Path.Combine(folder, FileNames[1]), ClassNames.Count);
        Dataset test = Dataset.FromIdx(Path.Combine(folder, FileNames[2]), Path.Combine(folder, FileNames[3]), ClassNames.Count);
        const int pixels = 28 * 28;
        if (train.InputSize != pixels || test.InputSize != pixels)
            throw new InvalidDataException($"Fashion-MNIST images are 28×28 = {pixels} pixels; {folder} holds {train.InputSize} (training) and {test.InputSize} (test) pixels per image.");
        return new FashionData(Path.GetFullPath(folder), train, test);
    }
}
