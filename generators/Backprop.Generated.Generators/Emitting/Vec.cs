namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// A vector the emitted code works with: either unrolled scalar locals (<c>a0_3</c>) or a span (<c>a0[3]</c>, <c>a0[j]</c>).
/// Small layers use locals so the JIT keeps them in registers; large layers use spans and loops.
/// </summary>
internal sealed class Vec
{
    public Vec(string name, int length, bool isLocal)
    {
        Name = name;
        Length = length;
        IsLocal = isLocal;
    }

    public string Name { get; }

    public int Length { get; }

    public bool IsLocal { get; }

    /// <summary>The element at <paramref name="index"/>: a literal for locals, a literal or loop variable for spans.</summary>
    public string At(string index) => IsLocal ? Name + "_" + index : Name + "[" + index + "]";

    public string At(int index) => At(Literal.Int(index));

    /// <summary>A statement that sets the element (declaring it for locals).</summary>
    public string Assign(string index, string expression) =>
        IsLocal ? "float " + At(index) + " = " + expression + ";" : At(index) + " = " + expression + ";";
}
