using System.Linq;
using Backprop.Generated.Generators.Shared;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>The C# that creates the runtime's <c>TensorInfo</c> for one tensor of the model's shared layout.</summary>
internal static class TensorInfoSource
{
    /// <summary><c>new TensorInfo("layers.0.weight", 0, TensorRole.Weight, TensorStorage.Parameters, 0, 4, 2),</c> with <paramref name="rt"/> as the runtime namespace prefix.</summary>
    public static string Construction(TensorSpec tensor, string rt) =>
        $"new {rt}TensorInfo(\"{tensor.Name}\", {Literal.Int(tensor.Layer)}, {rt}TensorRole.{tensor.Role}, {rt}TensorStorage.{tensor.Storage}, " +
        $"{Literal.Int(tensor.Offset)}, {string.Join(", ", tensor.Shape.Select(Literal.Int))}),";
}
