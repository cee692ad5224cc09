using System.Linq;

namespace Backprop.Generated.Generators.Emitting;

internal sealed partial class NetworkEmitter
{
    /// <summary>
    /// File-local types: one constant-size struct per distinct layer input of the batch path, which the runtime's
    /// batch forward kernel takes as a type argument so the JIT compiles it with the row stride as a constant. Every
    /// kernel itself is ordinary C# in the runtime (<c>Backprop.Generated.CompilerServices</c>).
    /// </summary>
    private void EmitFileHelpers()
    {
        if (!UsesBatchPath)
        {
            return;
        }
        foreach (int n in _layers.Select(l => l.Inputs).Distinct().OrderBy(n => n))
        {
            _w.Line();
            _w.Line($"/// <summary>{Literal.Int(n)} as a type: the input size of a batch forward kernel call, so the JIT compiles it with that row stride.</summary>");
            _w.Line($"file readonly struct {SizeType(n)} : {Cs}IConstantSize {{ public static int Value => {Literal.Int(n)}; }}");
        }
    }
}
