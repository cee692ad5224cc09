using System.Linq;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// Writes the one-sample kernels of looped Dense layers into the file-local <c>BackpropKernels</c>: a matrix-vector
/// product with the activation fused (4 weight rows per pass share each load of x), and the backward pass of a layer
/// in one sweep over the weight rows (weight gradient and input gradient together, 4 rows per sweep). Vector512 where
/// accelerated, else Vector256, else scalar loops; no bounds checks (refs and offsets).
/// </summary>
internal static class SampleKernels
{
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string Mm = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string RoSpan = "global::System.ReadOnlySpan<float>";
    private const string Span = "global::System.Span<float>";

    private static readonly (int Bits, int Floats)[] Widths = { (512, 16), (256, 8) };

    private const int Rows = 4;

    public static void Emit(IndentedWriter w)
    {
        EmitGemv(w);
        EmitGemvLongRows(w);
        EmitBackwardRows(w);
        EmitBackwardRowsSgd(w);
    }

    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";
    private const string V128T = "global::System.Runtime.Intrinsics.Vector128<float>";

    /// <summary>A vector folded to 128 bits by adding its halves.</summary>
    private static string Fold(int bits, string s)
    {
        const string V256 = "global::System.Runtime.Intrinsics.Vector256";
        const string V512 = "global::System.Runtime.Intrinsics.Vector512";
        return bits == 512
            ? $"{V256}.GetLower({V512}.GetLower({s}) + {V512}.GetUpper({s})) + {V256}.GetUpper({V512}.GetLower({s}) + {V512}.GetUpper({s}))"
            : $"{V256}.GetLower({s}) + {V256}.GetUpper({s})";
    }

    private static string V(int bits) => $"global::System.Runtime.Intrinsics.Vector{bits}";

    private static string T(int bits) => $"global::System.Runtime.Intrinsics.Vector{bits}<float>";

    private static void EmitGemv(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// One sample through a Dense layer: y[o] = act(b[o] + Σ_i W[o, i] · x[i]) for o &lt; m, W [m × n] row-major;");
        w.Line("/// act: 0 linear, 1 ReLU, 2 LeakyReLU (others are applied by the caller). Eight rows per pass over x (then four, then one):");
        w.Line("/// eight independent accumulator chains keep both FMA pipes busy, and each load of x feeds eight FMAs.");
        w.Line("/// </summary>");
        using (w.Block($"public static void Gemv({RoSpan} weights, {RoSpan} bias, int m, int n, {RoSpan} x, {Span} y, int act)"))
        {
            using (w.Block($"if (n >= {Literal.Int(LongRow)} && m >= {Literal.Int(LongRowMinRows)} && ({V(512)}.IsHardwareAccelerated || {V(256)}.IsHardwareAccelerated))"))
            {
                w.Line("GemvLongRows(weights, bias, m, n, x, y, act);");
                w.Line("return;");
            }
            w.Line($"ref float rw = ref {Mm}.GetReference(weights);");
            w.Line($"ref float rx = ref {Mm}.GetReference(x);");
            w.Line("int o = 0;");
            for (int k = 0; k < Widths.Length; k++)
            {
                (int bits, int floats) = Widths[k];
                using (w.Block((k == 0 ? "if" : "else if") + $" ({V(bits)}.IsHardwareAccelerated && n >= {Literal.Int(floats)})"))
                {
                    foreach (int rows in GemvRows)
                    {
                        EmitGemvPass(w, bits, floats, rows);
                    }
                }
            }
            using (w.Block("for (; o < m; o++)"))
            {
                w.Line($"ref float wo = ref {Unsafe}.Add(ref rw, o * n);");
                w.Line("float z = 0f;");
                w.Line("int i = 0;");
                for (int k = 0; k < Widths.Length; k++)
                {
                    (int bits, int floats) = Widths[k];
                    using (w.Block((k == 0 ? "if" : "else if") + $" ({V(bits)}.IsHardwareAccelerated && n >= {Literal.Int(floats)})"))
                    {
                        w.Line($"{T(bits)} s = {T(bits)}.Zero;");
                        w.Line($"for (; i <= n - {Literal.Int(floats)}; i += {Literal.Int(floats)}) s = Fma{bits}({V(bits)}.LoadUnsafe(ref wo, (nuint)i), {V(bits)}.LoadUnsafe(ref rx, (nuint)i), s);");
                        w.Line($"z = {V(bits)}.Sum(s);");
                    }
                }
                w.Line($"for (; i < n; i++) z += {Unsafe}.Add(ref wo, i) * {Unsafe}.Add(ref rx, i);");
                w.Line("y[o] = Activate(bias[o] + z, act);");
            }
        }
        w.Line();
        w.Line("/// <summary>(Σ a, Σ b, Σ c, Σ d): horizontal sums of four vectors in one vector.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        using (w.Block($"private static {V128T} Sum4({V128T} a, {V128T} b, {V128T} c, {V128T} d)"))
        {
            using (w.Block("if (global::System.Runtime.Intrinsics.X86.Sse3.IsSupported)"))
            {
                w.Line("return global::System.Runtime.Intrinsics.X86.Sse3.HorizontalAdd(global::System.Runtime.Intrinsics.X86.Sse3.HorizontalAdd(a, b), global::System.Runtime.Intrinsics.X86.Sse3.HorizontalAdd(c, d));");
            }
            w.Line($"return {V128}.Create({V128}.Sum(a), {V128}.Sum(b), {V128}.Sum(c), {V128}.Sum(d));");
        }
        w.Line();
        w.Line("/// <summary>The fused activations of the kernels: 0 linear, 1 ReLU, 2 LeakyReLU.</summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Line("private static float Activate(float z, int act) => act == 1 ? global::System.MathF.Max(z, 0f) : act == 2 ? (z > 0f ? z : 0.01f * z) : z;");
    }

    /// <summary>Rows at least this long (and at least <see cref="LongRowMinRows"/> of them) go one at a time.</summary>
    private const int LongRow = 256;

    private const int LongRowMinRows = 32;

    private static void EmitGemvLongRows(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// <see cref=\"Gemv\"/> for long rows (n ≥ " + Literal.Int(LongRow) + ", m ≥ " + Literal.Int(LongRowMinRows) + "): one row at a time, so the weights are read as one sequential");
        w.Line("/// stream the prefetcher follows, into eight accumulators (eight vectors per step); one horizontal sum per row.");
        w.Line("/// The rows of a weight matrix are 64-byte aligned, so no load straddles two cache lines.");
        w.Line("/// </summary>");
        using (w.Block($"private static void GemvLongRows({RoSpan} weights, {RoSpan} bias, int m, int n, {RoSpan} x, {Span} y, int act)"))
        {
            w.Line($"ref float rw = ref {Mm}.GetReference(weights);");
            w.Line($"ref float rx = ref {Mm}.GetReference(x);");
            w.Line($"ref float rb = ref {Mm}.GetReference(bias);");
            w.Line($"ref float ry = ref {Mm}.GetReference(y);");
            for (int k = 0; k < Widths.Length; k++)
            {
                (int bits, int floats) = Widths[k];
                int step = 8 * floats;
                using (w.Block((k == 0 ? "if" : "else") + (k == 0 ? $" ({V(bits)}.IsHardwareAccelerated)" : "")))
                {
                    using (w.Block("for (int o = 0; o < m; o++)"))
                    {
                        w.Line($"ref float wo = ref {Unsafe}.Add(ref rw, o * n);");
                        w.Line($"{T(bits)} " + string.Join(", ", Enumerable.Range(0, 8).Select(a => $"a{Literal.Int(a)} = {T(bits)}.Zero")) + ";");
                        w.Line("int i = 0;");
                        using (w.Block($"for (; i <= n - {Literal.Int(step)}; i += {Literal.Int(step)})"))
                        {
                            for (int a = 0; a < 8; a++)
                            {
                                string at = a == 0 ? "(nuint)i" : $"(nuint)(i + {Literal.Int(a * floats)})";
                                w.Line($"a{Literal.Int(a)} = Fma{bits}({V(bits)}.LoadUnsafe(ref wo, {at}), {V(bits)}.LoadUnsafe(ref rx, {at}), a{Literal.Int(a)});");
                            }
                        }
                        w.Line($"for (; i <= n - {Literal.Int(floats)}; i += {Literal.Int(floats)}) a0 = Fma{bits}({V(bits)}.LoadUnsafe(ref wo, (nuint)i), {V(bits)}.LoadUnsafe(ref rx, (nuint)i), a0);");
                        w.Line($"float z = {V(bits)}.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));");
                        w.Line($"for (; i < n; i++) z += {Unsafe}.Add(ref wo, i) * {Unsafe}.Add(ref rx, i);");
                        w.Line($"{Unsafe}.Add(ref ry, o) = Activate({Unsafe}.Add(ref rb, o) + z, act);");
                    }
                }
            }
        }
    }

    /// <summary>Rows of the matrix-vector passes, widest first: 8 independent FMA chains, then 4 for the rest.</summary>
    private static readonly int[] GemvRows = { 8, 4 };

    private static void EmitGemvPass(IndentedWriter w, int bits, int floats, int rows)
    {
        using (w.Block($"for (; o <= m - {Literal.Int(rows)}; o += {Literal.Int(rows)})"))
        {
            w.Line($"ref float w0 = ref {Unsafe}.Add(ref rw, o * n);");
            for (int r = 1; r < rows; r++)
            {
                w.Line($"ref float w{Literal.Int(r)} = ref {Unsafe}.Add(ref w{Literal.Int(r - 1)}, n);");
            }
            w.Line($"{T(bits)} " + string.Join(", ", Enumerable.Range(0, rows).Select(r => $"s{Literal.Int(r)} = {T(bits)}.Zero")) + ";");
            w.Line("int i = 0;");
            using (w.Block($"for (; i <= n - {Literal.Int(floats)}; i += {Literal.Int(floats)})"))
            {
                w.Line($"{T(bits)} xv = {V(bits)}.LoadUnsafe(ref rx, (nuint)i);");
                for (int r = 0; r < rows; r++)
                {
                    w.Line($"s{Literal.Int(r)} = Fma{bits}({V(bits)}.LoadUnsafe(ref w{Literal.Int(r)}, (nuint)i), xv, s{Literal.Int(r)});");
                }
            }
            w.Line($"// the row sums four at a time: fold each accumulator to 128 bits, then two rounds of pairwise adds");
            for (int g = 0; g < rows; g += 4)
            {
                w.Line($"{V128T} z{Literal.Int(g / 4)} = Sum4({string.Join(", ", Enumerable.Range(g, 4).Select(r => Fold(bits, "s" + Literal.Int(r))))});");
            }
            using (w.Block("if (i < n)"))
            {
                w.Line("float " + string.Join(", ", Enumerable.Range(0, rows).Select(r => $"t{Literal.Int(r)} = 0f")) + ";");
                using (w.Block("for (; i < n; i++)"))
                {
                    w.Line($"float xi = {Unsafe}.Add(ref rx, i);");
                    w.Line(string.Join(" ", Enumerable.Range(0, rows).Select(r => $"t{Literal.Int(r)} += {Unsafe}.Add(ref w{Literal.Int(r)}, i) * xi;")));
                }
                for (int g = 0; g < rows; g += 4)
                {
                    w.Line($"z{Literal.Int(g / 4)} += {V128}.Create({string.Join(", ", Enumerable.Range(g, 4).Select(r => "t" + Literal.Int(r)))});");
                }
            }
            for (int g = 0; g < rows; g += 4)
            {
                string z = "z" + Literal.Int(g / 4);
                string at = g == 0 ? "o" : $"o + {Literal.Int(g)}";
                w.Line($"{z} += {V128}.LoadUnsafe(ref {Unsafe}.Add(ref {Mm}.GetReference(bias), {at}));");
                w.Line($"if (act == 1) {z} = {V128}.Max({z}, {V128T}.Zero);");
                w.Line($"else if (act == 2) {z} = {V128}.ConditionalSelect({V128}.GreaterThan({z}, {V128T}.Zero), {z}, {z} * 0.01f);");
                w.Line($"{V128}.StoreUnsafe({z}, ref {Unsafe}.Add(ref {Mm}.GetReference(y), {at}));");
            }
        }
    }

    private static void EmitBackwardRows(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// One sample back through a Dense layer in one sweep over its rows: gW[o, :] += dz[o] · x and, when dx is not empty,");
        w.Line("/// dx = Wᵀ · dz (overwritten). Four rows per sweep, so x and dx are loaded once per four rows.");
        w.Line("/// </summary>");
        EmitBackwardSweep(w, sgd: false);
    }

    private static void EmitBackwardRowsSgd(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// <see cref=\"BackwardRows\"/> with the SGD step fused in, for the train step: when dx is not empty, dx = Wᵀ · dz");
        w.Line("/// (overwritten) from each row before it changes; then W[o, :] -= lr · (dz[o] · x), rounded as the gradient and then the");
        w.Line("/// step would be. Four rows per sweep; the gradient is never stored.");
        w.Line("/// </summary>");
        EmitBackwardSweep(w, sgd: true);
    }

    /// <summary>
    /// The sweep over a layer's rows behind both kernels: the input gradient dx = Wᵀ · dz from each row, and either the
    /// weight gradient added to gW (<paramref name="sgd"/> false) or the SGD update written into W (true).
    /// </summary>
    private static void EmitBackwardSweep(IndentedWriter w, bool sgd)
    {
        string signature = sgd
            ? $"public static void BackwardRowsSgd({Span} weights, {RoSpan} dz, int m, int n, {RoSpan} x, {Span} dx, float learningRate)"
            : $"public static void BackwardRows({RoSpan} weights, {Span} gradW, {RoSpan} dz, int m, int n, {RoSpan} x, {Span} dx)";
        using (w.Block(signature))
        {
            w.Line($"ref float rw = ref {Mm}.GetReference(weights);");
            if (!sgd) w.Line($"ref float rg = ref {Mm}.GetReference(gradW);");
            w.Line($"ref float rx = ref {Mm}.GetReference(x);");
            w.Line($"ref float rdx = ref {Mm}.GetReference(dx);");
            w.Line("bool input = !dx.IsEmpty;");
            w.Line("if (input) dx.Clear();");
            w.Line("int o = 0;");
            for (int k = 0; k < Widths.Length; k++)
            {
                (int bits, int floats) = Widths[k];
                using (w.Block((k == 0 ? "if" : "else if") + $" ({V(bits)}.IsHardwareAccelerated && n >= {Literal.Int(floats)})"))
                {
                    if (sgd) w.Line($"{T(bits)} rate = {V(bits)}.Create(learningRate);");
                    using (w.Block($"for (; o <= m - {Literal.Int(Rows)}; o += {Literal.Int(Rows)})"))
                    {
                        for (int r = 0; r < Rows; r++)
                        {
                            string row = r == 0 ? "o" : $"o + {Literal.Int(r)}";
                            w.Line($"float d{Literal.Int(r)} = dz[{row}];");
                        }
                        w.Line($"{T(bits)} " + string.Join(", ", Enumerable.Range(0, Rows).Select(r => $"v{Literal.Int(r)} = {V(bits)}.Create(d{Literal.Int(r)})")) + ";");
                        w.Line($"ref float w0 = ref {Unsafe}.Add(ref rw, o * n);");
                        if (!sgd) w.Line($"ref float g0 = ref {Unsafe}.Add(ref rg, o * n);");
                        for (int r = 1; r < Rows; r++)
                        {
                            w.Line($"ref float w{Literal.Int(r)} = ref {Unsafe}.Add(ref w{Literal.Int(r - 1)}, n);");
                            if (!sgd) w.Line($"ref float g{Literal.Int(r)} = ref {Unsafe}.Add(ref g{Literal.Int(r - 1)}, n);");
                        }
                        w.Line("int i = 0;");
                        using (w.Block($"for (; i <= n - {Literal.Int(floats)}; i += {Literal.Int(floats)})"))
                        {
                            w.Line($"{T(bits)} xv = {V(bits)}.LoadUnsafe(ref rx, (nuint)i);");
                            if (sgd)
                            {
                                // the old weights, loaded once: for dx first, then updated
                                for (int r = 0; r < Rows; r++)
                                {
                                    w.Line($"{T(bits)} o{Literal.Int(r)} = {V(bits)}.LoadUnsafe(ref w{Literal.Int(r)}, (nuint)i);");
                                }
                            }
                            else
                            {
                                for (int r = 0; r < Rows; r++)
                                {
                                    string g = $"g{Literal.Int(r)}";
                                    w.Line($"{V(bits)}.StoreUnsafe(Fma{bits}(v{Literal.Int(r)}, xv, {V(bits)}.LoadUnsafe(ref {g}, (nuint)i)), ref {g}, (nuint)i);");
                                }
                            }
                            using (w.Block("if (input)"))
                            {
                                w.Line($"{T(bits)} acc = {V(bits)}.LoadUnsafe(ref rdx, (nuint)i);");
                                for (int r = 0; r < Rows; r++)
                                {
                                    string weight = sgd ? $"o{Literal.Int(r)}" : $"{V(bits)}.LoadUnsafe(ref w{Literal.Int(r)}, (nuint)i)";
                                    w.Line($"acc = Fma{bits}(v{Literal.Int(r)}, {weight}, acc);");
                                }
                                w.Line($"{V(bits)}.StoreUnsafe(acc, ref rdx, (nuint)i);");
                            }
                            if (sgd)
                            {
                                for (int r = 0; r < Rows; r++)
                                {
                                    string rr = Literal.Int(r);
                                    w.Line($"{V(bits)}.StoreUnsafe(o{rr} - rate * (v{rr} * xv), ref w{rr}, (nuint)i);");
                                }
                            }
                        }
                        using (w.Block("for (; i < n; i++)"))
                        {
                            w.Line($"float xi = {Unsafe}.Add(ref rx, i);");
                            string dxLine = "if (input) " + $"{Unsafe}.Add(ref rdx, i) += " + string.Join(" + ", Enumerable.Range(0, Rows).Select(r => $"d{Literal.Int(r)} * {Unsafe}.Add(ref w{Literal.Int(r)}, i)")) + ";";
                            if (sgd)
                            {
                                w.Line(dxLine);
                                w.Line(string.Join(" ", Enumerable.Range(0, Rows).Select(r => $"{Unsafe}.Add(ref w{Literal.Int(r)}, i) -= learningRate * (d{Literal.Int(r)} * xi);")));
                            }
                            else
                            {
                                w.Line(string.Join(" ", Enumerable.Range(0, Rows).Select(r => $"{Unsafe}.Add(ref g{Literal.Int(r)}, i) += d{Literal.Int(r)} * xi;")));
                                w.Line(dxLine);
                            }
                        }
                    }
                }
            }
            using (w.Block("for (; o < m; o++)"))
            {
                w.Line("float d = dz[o];");
                w.Line($"ref float wo = ref {Unsafe}.Add(ref rw, o * n);");
                if (!sgd) w.Line($"ref float go = ref {Unsafe}.Add(ref rg, o * n);");
                using (w.Block("for (int i = 0; i < n; i++)"))
                {
                    if (sgd)
                    {
                        w.Line($"if (input) {Unsafe}.Add(ref rdx, i) += d * {Unsafe}.Add(ref wo, i);");
                        w.Line($"{Unsafe}.Add(ref wo, i) -= learningRate * (d * {Unsafe}.Add(ref rx, i));");
                    }
                    else
                    {
                        w.Line($"{Unsafe}.Add(ref go, i) += d * {Unsafe}.Add(ref rx, i);");
                        w.Line($"if (input) {Unsafe}.Add(ref rdx, i) += d * {Unsafe}.Add(ref wo, i);");
                    }
                }
            }
        }
    }
}
