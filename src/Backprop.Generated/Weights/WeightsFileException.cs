using System;
using System.IO;

namespace Backprop.Generated;

/// <summary>
/// A weights file is malformed or does not fit the network it is loaded into. The message names the file, the tensor
/// (where there is one) and what was expected versus what was found. A load that throws this leaves the network's
/// parameters and state unchanged.
/// </summary>
public class WeightsFileException : IOException
{
    /// <summary>Creates an exception with a plain <paramref name="message"/>.</summary>
    public WeightsFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a plain <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public WeightsFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about <paramref name="fileName"/> and, where there is one, <paramref name="tensorName"/>.</summary>
    /// <param name="fileName">The file (or stream description) being read.</param>
    /// <param name="tensorName">The tensor the problem concerns, or <see langword="null"/>.</param>
    /// <param name="problem">What is wrong, with the expected and actual values.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public WeightsFileException(string fileName, string? tensorName, string problem, Exception? innerException = null)
        : base(Format(fileName, tensorName, problem), innerException)
    {
        FileName = fileName;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The file (or stream description) that was being read, when known.</summary>
    public string? FileName { get; }

    /// <summary>The tensor the problem concerns, or <see langword="null"/> when it concerns the whole file.</summary>
    public string? TensorName { get; }

    /// <summary>The problem alone, without the file and tensor names; <see langword="null"/> for plain messages.</summary>
    public string? Problem { get; }

    private static string Format(string fileName, string? tensorName, string problem) => tensorName is null
        ? $"Weights file '{fileName}': {problem}"
        : $"Weights file '{fileName}', tensor '{Printable(tensorName)}': {problem}";

    /// <summary>A name from a file made safe for a message: control characters escaped, long names shortened.</summary>
    internal static string Printable(string name) => SafeTensorsHeader.Printable(name);
}
