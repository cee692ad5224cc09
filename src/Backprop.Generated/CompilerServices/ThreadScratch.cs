using System;
using System.ComponentModel;

namespace Backprop.Generated.CompilerServices;

/// <summary>
/// One 64-byte aligned float buffer per thread, for the batch path of generated <c>Forward</c> methods: <c>Forward</c>
/// may run on several threads at once, so it cannot use an instance buffer, and a chunk of 32 samples through a large
/// network needs more floats than fit on the stack. The buffer grows to the largest request seen on that thread and is
/// then reused, so <c>Forward</c> allocates nothing after a thread's first batch call. A caller must be done with the
/// span before anything else on the same thread asks for it (generated <c>Forward</c> calls nothing that does). Used
/// by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ThreadScratch
{
    [ThreadStatic]
    private static AlignedFloats? t_buffer;

    /// <summary>This thread's buffer, at least <paramref name="floats"/> long, as a span of exactly that many floats (contents undefined).</summary>
    public static Span<float> Get(int floats)
    {
        AlignedFloats? buffer = t_buffer;
        if (buffer is null || buffer.Length < floats)
        {
            t_buffer = buffer = new AlignedFloats(floats);
        }
        return buffer.Span.Slice(0, floats);
    }
}
