using System;
using System.Collections.Generic;
using System.IO;

namespace Backprop.Generated;

/// <summary>
/// Saves and loads a network's <see cref="INetwork.Parameters"/> and <see cref="INetwork.State"/> as a
/// <a href="https://github.com/huggingface/safetensors">safetensors</a> file: an 8-byte little-endian header length,
/// a JSON header, then raw little-endian F32 data. Tensor names and shapes come from <see cref="INetwork.Tensors"/>
/// (<c>layers.{i}.weight</c> <c>[out, in]</c>, <c>layers.{i}.bias</c> <c>[out]</c>, <c>layers.{i}.bn.*</c>), so a
/// file written by PyTorch's safetensors with the same names loads as is, and the reverse.
/// </summary>
public static class WeightsFileExtensions
{
    /// <summary>
    /// Saves the network's tensors to <paramref name="path"/>, atomically: the file is written to a temporary file in
    /// the same folder, flushed to disk and renamed over <paramref name="path"/>, so an interrupted save leaves the old
    /// file intact and no temporary file behind.
    /// </summary>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="metadata">Optional string pairs written as the header's <c>__metadata__</c> (e.g. <c>format: pt</c>).</param>
    /// <exception cref="IOException">The file could not be written; the old file, if any, is unchanged.</exception>
    public static void SaveWeights(this INetwork network, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        AtomicFile.Write(path, stream => SafeTensorsWriter.Write(network, stream, metadata));
    }

    /// <summary>Writes the network's tensors in safetensors format to <paramref name="stream"/> at its current position.</summary>
    /// <param name="network">The network to save.</param>
    /// <param name="stream">A writable stream; it is neither flushed to disk nor closed.</param>
    /// <param name="metadata">Optional string pairs written as the header's <c>__metadata__</c>.</param>
    public static void SaveWeights(this INetwork network, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        SafeTensorsWriter.Write(network, stream, metadata);
    }

    /// <summary>
    /// Loads the network's tensors from the safetensors file at <paramref name="path"/>. The file must hold exactly the
    /// network's tensors as F32 with the network's shapes (plus, optionally, PyTorch's <c>*.num_batches_tracked</c>,
    /// which is ignored). The whole file is validated before anything is copied: on failure the network is unchanged.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="path">The file to read.</param>
    /// <exception cref="WeightsFileException">The file is malformed or does not match the network; the message names
    /// the file, the tensor and what was expected.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static void LoadWeights(this INetwork network, string path)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (path is null) throw new ArgumentNullException(nameof(path));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        SafeTensorsReader.Load(network, stream, path);
    }

    /// <summary>
    /// Loads the network's tensors from the safetensors file at <paramref name="path"/>, pairing them with the file's
    /// tensors by <paramref name="names"/>: <see cref="WeightNames.ModuleOrder"/> reads a PyTorch <c>state_dict</c> saved
    /// from an <c>nn.Sequential</c> (<c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, ...) in one call. Validation is
    /// as for <see cref="LoadWeights(INetwork, string)"/>; on failure the network is unchanged.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="path">The file to read.</param>
    /// <param name="names">How the file's tensors are named.</param>
    /// <exception cref="WeightsFileException">The file is malformed or does not match the network; the message names
    /// the file, the tensor (the file's name and, when they differ, the network's) and what was expected, and lists
    /// the file's tensors when one is missing.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static void LoadWeights(this INetwork network, string path, WeightNames names)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (path is null) throw new ArgumentNullException(nameof(path));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        SafeTensorsReader.Load(network, stream, path, names);
    }

    /// <summary>
    /// Loads the network's tensors from the safetensors file at <paramref name="path"/>, each from the file's tensor
    /// that <paramref name="nameInFile"/> names: for files whose names follow no order the network can infer, e.g.
    /// <c>t =&gt; $"encoder.{2 * t.Layer}.{(t.Role == TensorRole.Weight ? "weight" : "bias")}"</c>. Every file tensor
    /// must be read by exactly one network tensor (PyTorch's <c>*.num_batches_tracked</c> excepted). Validation is as
    /// for <see cref="LoadWeights(INetwork, string)"/>; on failure the network is unchanged.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="path">The file to read.</param>
    /// <param name="nameInFile">The name in the file of each of the network's <see cref="INetwork.Tensors"/>.</param>
    /// <exception cref="WeightsFileException">The file is malformed or does not match the network.</exception>
    /// <exception cref="ArgumentException"><paramref name="nameInFile"/> returned null or an empty name.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static void LoadWeights(this INetwork network, string path, Func<TensorInfo, string> nameInFile)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (path is null) throw new ArgumentNullException(nameof(path));
        if (nameInFile is null) throw new ArgumentNullException(nameof(nameInFile));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        SafeTensorsReader.Load(network, stream, path, WeightNames.Network, nameInFile);
    }

    /// <summary>
    /// Loads the network's tensors from a safetensors file held in <paramref name="stream"/> from its current position
    /// to its end (bytes after the data are an error, as in a file). Validation is as for
    /// <see cref="LoadWeights(INetwork, string)"/>; on failure the network is unchanged.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="stream">A readable stream; it is not closed.</param>
    /// <param name="name">How messages name the stream; the file name of a <see cref="FileStream"/> by default.</param>
    /// <exception cref="WeightsFileException">The content is malformed or does not match the network.</exception>
    public static void LoadWeights(this INetwork network, Stream stream, string? name = null)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        SafeTensorsReader.Load(network, stream, name ?? (stream as FileStream)?.Name ?? "(stream)");
    }

    /// <summary>
    /// Loads the network's tensors from a safetensors file held in <paramref name="stream"/>, pairing them with the
    /// file's tensors by <paramref name="names"/> (see <see cref="LoadWeights(INetwork, string, WeightNames)"/>).
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="stream">A readable stream; it is not closed.</param>
    /// <param name="names">How the file's tensors are named.</param>
    /// <param name="name">How messages name the stream; the file name of a <see cref="FileStream"/> by default.</param>
    /// <exception cref="WeightsFileException">The content is malformed or does not match the network.</exception>
    public static void LoadWeights(this INetwork network, Stream stream, WeightNames names, string? name = null)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        SafeTensorsReader.Load(network, stream, name ?? (stream as FileStream)?.Name ?? "(stream)", names);
    }

    /// <summary>
    /// Loads the network's tensors from a safetensors file held in <paramref name="stream"/>, each from the file's
    /// tensor that <paramref name="nameInFile"/> names (see <see cref="LoadWeights(INetwork, string, Func{TensorInfo, string})"/>).
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="stream">A readable stream; it is not closed.</param>
    /// <param name="nameInFile">The name in the file of each of the network's <see cref="INetwork.Tensors"/>.</param>
    /// <param name="name">How messages name the stream; the file name of a <see cref="FileStream"/> by default.</param>
    /// <exception cref="WeightsFileException">The content is malformed or does not match the network.</exception>
    /// <exception cref="ArgumentException"><paramref name="nameInFile"/> returned null or an empty name.</exception>
    public static void LoadWeights(this INetwork network, Stream stream, Func<TensorInfo, string> nameInFile, string? name = null)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        if (nameInFile is null) throw new ArgumentNullException(nameof(nameInFile));
        SafeTensorsReader.Load(network, stream, name ?? (stream as FileStream)?.Name ?? "(stream)", WeightNames.Network, nameInFile);
    }
}
