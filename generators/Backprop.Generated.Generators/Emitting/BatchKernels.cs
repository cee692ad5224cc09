using System.Linq;

namespace Backprop.Generated.Generators.Emitting;

/// <summary>
/// Writes the mini-batch matrix kernels of the Dense-only batch path into the file-local <c>BackpropKernels</c>.
/// A chunk of <see cref="Chunk"/> samples is kept feature-major (<c>[features × 32]</c>, sample s of feature f at
/// <c>f * 32 + s</c>), so every kernel is a register-tiled outer-product loop: R rows × V vectors of accumulators that
/// stay in registers, fed by one vector load per column vector and one broadcast per row. The same text is written
/// for Vector512 (16 floats: 12 rows × 2 vectors) and Vector256 (8 floats: 3 rows × 4 vectors); each public kernel
/// picks the widest accelerated one, and Backward uses the per-sample code when neither is.
/// </summary>
internal static class BatchKernels
{
    /// <summary>Samples per chunk: the columns of every feature-major block.</summary>
    public const int Chunk = 32;

    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string Mm = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string RoSpan = "global::System.ReadOnlySpan<float>";
    private const string Span = "global::System.Span<float>";
    private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    private sealed class Width
    {
        public Width(int bits, int floats, int rows, int vectors)
        {
            Bits = bits;
            Floats = floats;
            Rows = rows;
            Vectors = vectors;
        }

        public int Bits { get; }
        public int Floats { get; }
        public int Rows { get; }
        public int Vectors { get; }
        public string V => $"global::System.Runtime.Intrinsics.Vector{Bits}";
        public string T => $"global::System.Runtime.Intrinsics.Vector{Bits}<float>";
        public string Fma => "Fma" + Bits;
    }

    private static readonly Width[] Widths = { new(512, 16, 12, 2), new(256, 8, 3, 4) };

    /// <summary>The per-size constant type a forward kernel is specialized with (so row strides are immediates).</summary>
    public static string SizeType(int n) => "BackpropSize" + Literal.Int(n);

    /// <summary>The size interface and one constant struct per distinct layer input size.</summary>
    public static void EmitSizeTypes(IndentedWriter w, System.Collections.Generic.IEnumerable<int> sizes)
    {
        w.Line();
        w.Line("/// <summary>A layer size as a type, so the JIT compiles each batch forward kernel with its row stride as a constant.</summary>");
        using (w.Block("file interface IBackpropSize"))
        {
            w.Line("static abstract int Value { get; }");
        }
        foreach (int n in sizes.Distinct().OrderBy(n => n))
        {
            w.Line();
            w.Line($"file readonly struct {SizeType(n)} : IBackpropSize {{ public static int Value => {Literal.Int(n)}; }}");
        }
    }

    /// <summary>The kernels, written inside the BackpropKernels class body.</summary>
    public static void Emit(IndentedWriter w)
    {
        w.Line();
        w.Line("// ---- Mini-batch kernels: chunks of 32 samples, feature-major ([features × 32]) ----");
        w.Line();
        w.Line("/// <summary>Samples per chunk of the batch path (the columns of every feature-major block).</summary>");
        w.Line($"public const int Chunk = {Literal.Int(Chunk)};");
        w.Line();
        w.Line("/// <summary>True when the batch path has a SIMD width to run on (else Backward stays per sample).</summary>");
        w.Line("public static bool BatchAccelerated => global::System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated || global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;");
        EmitAdd(w);
        EmitTransposes(w);
        EmitForward(w);
        EmitInputGradient(w);
        EmitWeightGradient(w);
    }

    public static void EmitFma(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>a · b + c, fused when the CPU has FMA (it does wherever Vector512 is accelerated).</summary>");
        w.Line(Inline);
        w.Line("private static global::System.Runtime.Intrinsics.Vector512<float> Fma512(global::System.Runtime.Intrinsics.Vector512<float> a, global::System.Runtime.Intrinsics.Vector512<float> b, global::System.Runtime.Intrinsics.Vector512<float> c) =>");
        w.Line("    global::System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? global::System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;");
        w.Line();
        w.Line("/// <summary>a · b + c, fused when the CPU has FMA.</summary>");
        w.Line(Inline);
        w.Line("private static global::System.Runtime.Intrinsics.Vector256<float> Fma256(global::System.Runtime.Intrinsics.Vector256<float> a, global::System.Runtime.Intrinsics.Vector256<float> b, global::System.Runtime.Intrinsics.Vector256<float> c) =>");
        w.Line("    global::System.Runtime.Intrinsics.X86.Fma.IsSupported ? global::System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;");
    }

    /// <summary>y += x, for adding a worker's gradients to the network's.</summary>
    private static void EmitAdd(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>y[i] += x[i] over equal-length spans: a worker's gradients added to the network's.</summary>");
        using (w.Block($"public static void Add({Span} y, {RoSpan} x)"))
        {
            w.Line($"ref float ry = ref {Mm}.GetReference(y);");
            w.Line($"ref float rx = ref {Mm}.GetReference(x);");
            w.Line("int n = global::System.Math.Min(y.Length, x.Length);");
            w.Line("int i = 0;");
            using (w.Block("if (global::System.Numerics.Vector.IsHardwareAccelerated)"))
            {
                w.Line("int width = global::System.Numerics.Vector<float>.Count;");
                w.Line("for (; i <= n - width; i += width) global::System.Numerics.Vector.StoreUnsafe(global::System.Numerics.Vector.LoadUnsafe(ref ry, (nuint)i) + global::System.Numerics.Vector.LoadUnsafe(ref rx, (nuint)i), ref ry, (nuint)i);");
            }
            w.Line($"for (; i < n; i++) {Unsafe}.Add(ref ry, i) += {Unsafe}.Add(ref rx, i);");
        }
    }

    private static void EmitTransposes(IndentedWriter w)
    {
        const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";
        const string V = "global::System.Runtime.Intrinsics.Vector256";
        w.Line();
        w.Line("/// <summary>ns samples of n floats each (sample-major) → dst [n × 32] feature-major; columns ns..31 are zeroed.</summary>");
        using (w.Block($"public static void ToFeatureMajor({RoSpan} src, int n, int ns, {Span} dst)"))
        {
            w.Line("if (ns < Chunk) dst.Slice(0, n * Chunk).Clear();");
            w.Line($"Transpose(ref {Mm}.GetReference(src), ns, n, n, ref {Mm}.GetReference(dst), Chunk);");
        }
        w.Line();
        w.Line("/// <summary>src [n × 32] feature-major → ns samples of n floats (sample-major), for the weight-gradient kernel.</summary>");
        using (w.Block($"public static void ToSampleMajor({RoSpan} src, int n, int ns, {Span} dst)"))
        {
            w.Line($"Transpose(ref {Mm}.GetReference(src), n, ns, Chunk, ref {Mm}.GetReference(dst), n);");
        }
        w.Line();
        w.Line("/// <summary>dst[c, r] = src[r, c] for a rows × cols block (row strides given): 8 × 8 tiles in AVX registers, the edges scalar.</summary>");
        using (w.Block("private static void Transpose(ref float src, int rows, int cols, int srcStride, ref float dst, int dstStride)"))
        {
            w.Line("int r = 0;");
            using (w.Block($"if ({Avx}.IsSupported)"))
            {
                using (w.Block("for (; r <= rows - 8; r += 8)"))
                {
                    w.Line("int c = 0;");
                    w.Line($"for (; c <= cols - 8; c += 8) Transpose8x8(ref {Unsafe}.Add(ref src, r * srcStride + c), (nuint)srcStride, ref {Unsafe}.Add(ref dst, c * dstStride + r), (nuint)dstStride);");
                    using (w.Block("for (; c < cols; c++)"))
                    {
                        w.Line($"for (int k = 0; k < 8; k++) {Unsafe}.Add(ref dst, c * dstStride + r + k) = {Unsafe}.Add(ref src, (r + k) * srcStride + c);");
                    }
                }
            }
            using (w.Block("for (; r < rows; r++)"))
            {
                w.Line($"for (int c = 0; c < cols; c++) {Unsafe}.Add(ref dst, c * dstStride + r) = {Unsafe}.Add(ref src, r * srcStride + c);");
            }
        }
        w.Line();
        w.Line("/// <summary>One 8 × 8 tile transposed in registers: pairwise unpacks, then 64-bit shuffles, then 128-bit lane swaps.</summary>");
        w.Line(Inline);
        using (w.Block("private static void Transpose8x8(ref float src, nuint srcStride, ref float dst, nuint dstStride)"))
        {
            for (int k = 0; k < 8; k++)
            {
                string offset = k == 0 ? "0" : k == 1 ? "srcStride" : $"{Literal.Int(k)} * srcStride";
                w.Line($"global::System.Runtime.Intrinsics.Vector256<float> r{Literal.Int(k)} = {V}.LoadUnsafe(ref src, {offset});");
            }
            for (int k = 0; k < 8; k += 2)
            {
                string a = Literal.Int(k), b = Literal.Int(k + 1);
                w.Line($"global::System.Runtime.Intrinsics.Vector256<float> t{a} = {Avx}.UnpackLow(r{a}, r{b}), t{b} = {Avx}.UnpackHigh(r{a}, r{b});");
            }
            foreach ((int u, int a, int b, string imm) in new[] { (0, 0, 2, "0x44"), (1, 0, 2, "0xEE"), (2, 1, 3, "0x44"), (3, 1, 3, "0xEE"), (4, 4, 6, "0x44"), (5, 4, 6, "0xEE"), (6, 5, 7, "0x44"), (7, 5, 7, "0xEE") })
            {
                w.Line($"global::System.Runtime.Intrinsics.Vector256<float> u{Literal.Int(u)} = {Avx}.Shuffle(t{Literal.Int(a)}, t{Literal.Int(b)}, {imm});");
            }
            for (int k = 0; k < 8; k++)
            {
                string offset = k == 0 ? "0" : k == 1 ? "dstStride" : $"{Literal.Int(k)} * dstStride";
                string imm = k < 4 ? "0x20" : "0x31";
                w.Line($"{V}.StoreUnsafe({Avx}.Permute2x128(u{Literal.Int(k % 4)}, u{Literal.Int(k % 4 + 4)}, {imm}), ref dst, {offset});");
            }
        }
    }

    private static string Acc(int r, int v) => $"c{Literal.Int(r)}_{Literal.Int(v)}";

    private static void DeclareAccumulators(IndentedWriter w, Width width, int rows, System.Func<int, int, string> init)
    {
        for (int r = 0; r < rows; r++)
        {
            w.Line($"{width.T} " + string.Join(", ", Enumerable.Range(0, width.Vectors).Select(v => $"{Acc(r, v)} = {init(r, v)}")) + ";");
        }
    }

    // Y[o, :] = act(b[o] + Σ_i W[o, i] · X[i, :]) for o < m; X is [n × 32], Y is [m × 32].
    private static void EmitForward(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Forward of one Dense layer on a chunk: Y[o, :] = act(b[o] + Σ_i W[o, i] · X[i, :]) for all 32 columns, with W [m × n]");
        w.Line("/// row-major, X [n × 32] and Y [m × 32] feature-major. act: 0 linear, 1 ReLU, 2 LeakyReLU (others are applied by the caller).");
        w.Line("/// </summary>");
        using (w.Block($"public static void ForwardChunk<TN>({RoSpan} weights, {RoSpan} bias, int m, {RoSpan} x, {Span} y, int act) where TN : struct, IBackpropSize"))
        {
            w.Line("int n = TN.Value;");
            w.Line($"ref float rw = ref {Mm}.GetReference(weights);");
            w.Line($"ref float rb = ref {Mm}.GetReference(bias);");
            w.Line($"ref float rx = ref {Mm}.GetReference(x);");
            w.Line($"ref float ry = ref {Mm}.GetReference(y);");
            w.Line("int o = 0;");
            for (int k = 0; k < Widths.Length; k++)
            {
                Width width = Widths[k];
                using (w.Block((k == 0 ? "if" : "else if") + $" ({width.V}.IsHardwareAccelerated)"))
                {
                    w.Line($"// {Literal.Int(width.Rows)} output rows × {Literal.Int(width.Vectors)} vectors of samples in registers; each W[o, i] is broadcast once per tile.");
                    using (w.Block($"for (; o <= m - {Literal.Int(width.Rows)}; o += {Literal.Int(width.Rows)})"))
                    {
                        ForwardTile(w, width, width.Rows);
                    }
                    using (w.Block("for (; o < m; o++)"))
                    {
                        ForwardTile(w, width, 1);
                    }
                }
            }
        }
        w.Line();
        w.Line("/// <summary>b + acc through the activation (0 linear, 1 ReLU, 2 LeakyReLU), stored at dst.</summary>");
        foreach (Width width in Widths)
        {
            w.Line(Inline);
            using (w.Block($"private static void StoreActivated{width.Bits}({width.T} acc, float bias, int act, ref float dst)"))
            {
                w.Line($"{width.T} z = acc + {width.V}.Create(bias);");
                w.Line($"if (act == 1) z = {width.V}.Max(z, {width.T}.Zero);");
                w.Line($"else if (act == 2) z = {width.V}.ConditionalSelect({width.V}.GreaterThan(z, {width.T}.Zero), z, z * 0.01f);");
                w.Line($"{width.V}.StoreUnsafe(z, ref dst);");
            }
        }
    }

    private static void ForwardTile(IndentedWriter w, Width width, int rows)
    {
        DeclareAccumulators(w, width, rows, (_, _) => width.T + ".Zero");
        w.Line($"ref float wo = ref {Unsafe}.Add(ref rw, o * n);");
        using (w.Block("for (int i = 0; i < n; i++)"))
        {
            w.Line($"ref float xi = ref {Unsafe}.Add(ref rx, i * Chunk);");
            for (int v = 0; v < width.Vectors; v++)
            {
                w.Line($"{width.T} x{Literal.Int(v)} = {width.V}.LoadUnsafe(ref xi, {Literal.Int(v * width.Floats)});");
            }
            for (int r = 0; r < rows; r++)
            {
                string at = r == 0 ? "i" : $"{Literal.Int(r)} * n + i";
                w.Line($"{(r == 0 ? width.T + " " : "")}wr = {width.V}.Create({Unsafe}.Add(ref wo, {at}));");
                w.Line(string.Join(" ", Enumerable.Range(0, width.Vectors).Select(v => $"{Acc(r, v)} = {width.Fma}(wr, x{Literal.Int(v)}, {Acc(r, v)});")));
            }
        }
        for (int r = 0; r < rows; r++)
        {
            string row = r == 0 ? "o" : $"o + {Literal.Int(r)}";
            for (int v = 0; v < width.Vectors; v++)
            {
                w.Line($"StoreActivated{width.Bits}({Acc(r, v)}, {Unsafe}.Add(ref rb, {row}), act, ref {Unsafe}.Add(ref ry, ({row}) * Chunk + {Literal.Int(v * width.Floats)}));");
            }
        }
    }

    // DX[i, :] = (Σ_o W[o, i] · DZ[o, :]) ⊙ f'(A[i, :]).
    private static void EmitInputGradient(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Input gradient of one Dense layer on a chunk, through the activation below it: DX[i, :] = (Σ_o W[o, i] · DZ[o, :]) ⊙ f'(A[i, :]),");
        w.Line("/// with DZ [m × 32], A and DX [n × 32] feature-major. f' from the activation a: 0 linear (1), 1 ReLU (a > 0), 2 LeakyReLU");
        w.Line("/// (a > 0 ? 1 : 0.01), 3 tanh (1 − a²), 4 sigmoid (a (1 − a)).");
        w.Line("/// </summary>");
        using (w.Block($"public static void InputGradientChunk({RoSpan} weights, int m, int n, {RoSpan} dz, {RoSpan} a, {Span} dx, int derivative)"))
        {
            w.Line($"ref float rw = ref {Mm}.GetReference(weights);");
            w.Line($"ref float rdz = ref {Mm}.GetReference(dz);");
            w.Line($"ref float ra = ref {Mm}.GetReference(a);");
            w.Line($"ref float rdx = ref {Mm}.GetReference(dx);");
            w.Line("int i = 0;");
            for (int k = 0; k < Widths.Length; k++)
            {
                Width width = Widths[k];
                using (w.Block((k == 0 ? "if" : "else if") + $" ({width.V}.IsHardwareAccelerated)"))
                {
                    w.Line($"// {Literal.Int(width.Rows)} input rows × {Literal.Int(width.Vectors)} vectors of samples; W[o, i..] is contiguous, so the broadcasts are too.");
                    using (w.Block($"for (; i <= n - {Literal.Int(width.Rows)}; i += {Literal.Int(width.Rows)})"))
                    {
                        InputGradientTile(w, width, width.Rows);
                    }
                    using (w.Block("for (; i < n; i++)"))
                    {
                        InputGradientTile(w, width, 1);
                    }
                }
            }
        }
        foreach (Width width in Widths)
        {
            w.Line();
            w.Line("/// <summary>acc ⊙ f'(a) for the activation code, stored at dst.</summary>");
            w.Line(Inline);
            using (w.Block($"private static void StoreDerivative{width.Bits}({width.T} acc, ref float activation, int derivative, ref float dst)"))
            {
                w.Line($"{width.T} a = {width.V}.LoadUnsafe(ref activation);");
                w.Line($"if (derivative == 1) acc = {width.V}.ConditionalSelect({width.V}.GreaterThan(a, {width.T}.Zero), acc, {width.T}.Zero);");
                w.Line($"else if (derivative == 2) acc = {width.V}.ConditionalSelect({width.V}.GreaterThan(a, {width.T}.Zero), acc, acc * 0.01f);");
                w.Line($"else if (derivative == 3) acc = acc * ({width.T}.One - a * a);");
                w.Line($"else if (derivative == 4) acc = acc * a * ({width.T}.One - a);");
                w.Line($"{width.V}.StoreUnsafe(acc, ref dst);");
            }
        }
    }

    private static void InputGradientTile(IndentedWriter w, Width width, int rows)
    {
        DeclareAccumulators(w, width, rows, (_, _) => width.T + ".Zero");
        w.Line($"ref float wi = ref {Unsafe}.Add(ref rw, i);");
        using (w.Block("for (int o = 0; o < m; o++)"))
        {
            w.Line($"ref float dzo = ref {Unsafe}.Add(ref rdz, o * Chunk);");
            for (int v = 0; v < width.Vectors; v++)
            {
                w.Line($"{width.T} d{Literal.Int(v)} = {width.V}.LoadUnsafe(ref dzo, {Literal.Int(v * width.Floats)});");
            }
            w.Line($"ref float wo = ref {Unsafe}.Add(ref wi, o * n);");
            for (int r = 0; r < rows; r++)
            {
                w.Line($"{(r == 0 ? width.T + " " : "")}wr = {width.V}.Create({Unsafe}.Add(ref wo, {Literal.Int(r)}));");
                w.Line(string.Join(" ", Enumerable.Range(0, width.Vectors).Select(v => $"{Acc(r, v)} = {width.Fma}(wr, d{Literal.Int(v)}, {Acc(r, v)});")));
            }
        }
        for (int r = 0; r < rows; r++)
        {
            string row = r == 0 ? "i" : $"i + {Literal.Int(r)}";
            for (int v = 0; v < width.Vectors; v++)
            {
                string at = $"({row}) * Chunk + {Literal.Int(v * width.Floats)}";
                w.Line($"StoreDerivative{width.Bits}({Acc(r, v)}, ref {Unsafe}.Add(ref ra, {at}), derivative, ref {Unsafe}.Add(ref rdx, {at}));");
            }
        }
    }

    // GW[o, i] += Σ_{s < ns} DZ[o, s] · X[s, i];  Gb[o] += Σ_s DZ[o, s].
    private static void EmitWeightGradient(IndentedWriter w)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Weight and bias gradients of one Dense layer on a chunk: GW[o, i] += Σ_{s < ns} DZ[o, s] · X[s, i], Gb[o] += Σ_s DZ[o, s],");
        w.Line("/// with DZ [m × 32] feature-major and X sample-major (ns rows of n floats). Each gradient tile is loaded once,");
        w.Line("/// updated over the chunk's samples in registers and stored once.");
        w.Line("/// </summary>");
        using (w.Block($"public static void WeightGradientChunk({RoSpan} dz, int m, int n, {RoSpan} x, int ns, {Span} gradW, {Span} gradB)"))
        {
            w.Line($"ref float rdz = ref {Mm}.GetReference(dz);");
            w.Line($"ref float rx = ref {Mm}.GetReference(x);");
            w.Line($"ref float rg = ref {Mm}.GetReference(gradW);");
            w.Line($"ref float rgb = ref {Mm}.GetReference(gradB);");
            using (w.Block("for (int o = 0; o < m; o++)"))
            {
                w.Line($"ref float dzo = ref {Unsafe}.Add(ref rdz, o * Chunk);");
                w.Line("float sum = 0f;");
                w.Line("// a whole chunk in two (or four) vectors and one horizontal sum; else one sample after another");
                w.Line($"if (ns == Chunk && {Widths[0].V}.IsHardwareAccelerated) sum = {Widths[0].V}.Sum({Widths[0].V}.LoadUnsafe(ref dzo) + {Widths[0].V}.LoadUnsafe(ref dzo, 16));");
                w.Line($"else if (ns == Chunk && {Widths[1].V}.IsHardwareAccelerated) sum = {Widths[1].V}.Sum(({Widths[1].V}.LoadUnsafe(ref dzo) + {Widths[1].V}.LoadUnsafe(ref dzo, 8)) + ({Widths[1].V}.LoadUnsafe(ref dzo, 16) + {Widths[1].V}.LoadUnsafe(ref dzo, 24)));");
                w.Line($"else for (int s = 0; s < ns; s++) sum += {Unsafe}.Add(ref dzo, s);");
                w.Line($"{Unsafe}.Add(ref rgb, o) += sum;");
            }
            w.Line("int o0 = 0;");
            for (int k = 0; k < Widths.Length; k++)
            {
                Width width = Widths[k];
                using (w.Block((k == 0 ? "if" : "else if") + $" ({width.V}.IsHardwareAccelerated)"))
                {
                    w.Line($"// {Literal.Int(width.Rows)} gradient rows × {Literal.Int(width.Vectors)} vectors of inputs in registers over the chunk's samples.");
                    using (w.Block($"for (; o0 <= m - {Literal.Int(width.Rows)}; o0 += {Literal.Int(width.Rows)})"))
                    {
                        WeightGradientRows(w, width, width.Rows);
                    }
                    using (w.Block("for (; o0 < m; o0++)"))
                    {
                        WeightGradientRows(w, width, 1);
                    }
                }
            }
        }
    }

    private static void WeightGradientRows(IndentedWriter w, Width width, int rows)
    {
        w.Line($"ref float dzo = ref {Unsafe}.Add(ref rdz, o0 * Chunk);");
        w.Line($"ref float go = ref {Unsafe}.Add(ref rg, o0 * n);");
        w.Line("int i = 0;");
        foreach (int vectors in new[] { width.Vectors, 1 })
        {
            int step = vectors * width.Floats;
            using (w.Block($"for (; i <= n - {Literal.Int(step)}; i += {Literal.Int(step)})"))
            {
                for (int r = 0; r < rows; r++)
                {
                    w.Line($"ref float g{Literal.Int(r)} = ref {Unsafe}.Add(ref go, {(r == 0 ? "i" : $"{Literal.Int(r)} * n + i")});");
                    w.Line($"{width.T} " + string.Join(", ", Enumerable.Range(0, vectors).Select(v => $"{Acc(r, v)} = {width.V}.LoadUnsafe(ref g{Literal.Int(r)}, {Literal.Int(v * width.Floats)})")) + ";");
                }
                using (w.Block("for (int s = 0; s < ns; s++)"))
                {
                    w.Line($"ref float xs = ref {Unsafe}.Add(ref rx, s * n + i);");
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line($"{width.T} x{Literal.Int(v)} = {width.V}.LoadUnsafe(ref xs, {Literal.Int(v * width.Floats)});");
                    }
                    w.Line($"ref float ds = ref {Unsafe}.Add(ref dzo, s);");
                    for (int r = 0; r < rows; r++)
                    {
                        w.Line($"{(r == 0 ? width.T + " " : "")}d = {width.V}.Create({Unsafe}.Add(ref ds, {Literal.Int(r * Chunk)}));");
                        w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"{Acc(r, v)} = {width.Fma}(d, x{Literal.Int(v)}, {Acc(r, v)});")));
                    }
                }
                for (int r = 0; r < rows; r++)
                {
                    w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"{width.V}.StoreUnsafe({Acc(r, v)}, ref g{Literal.Int(r)}, {Literal.Int(v * width.Floats)});")));
                }
            }
        }
        w.Line("// the last n mod " + Literal.Int(width.Floats) + " inputs, scalar");
        using (w.Block("for (; i < n; i++)"))
        {
            using (w.Block($"for (int r = 0; r < {Literal.Int(rows)}; r++)"))
            {
                w.Line($"ref float dr = ref {Unsafe}.Add(ref dzo, r * Chunk);");
                w.Line("float sum = 0f;");
                w.Line($"for (int s = 0; s < ns; s++) sum += {Unsafe}.Add(ref dr, s) * {Unsafe}.Add(ref rx, s * n + i);");
                w.Line($"{Unsafe}.Add(ref go, r * n + i) += sum;");
            }
        }
    }
}
