namespace Backprop.Generated.Tests;

/// <summary>
/// Measures managed allocations of a piece of code on the current thread. The runtime occasionally allocates on a
/// test thread for its own reasons (tiered-JIT promotion, the test framework's bookkeeping) once in a while; code that
/// allocates per call allocates in every round. So the code runs in several rounds and the smallest count is reported:
/// 0 means at least one whole round allocated nothing.
/// </summary>
internal static class AllocationProbe
{
    public static long MinBytes(Action round, int rounds = 3)
    {
        long min = long.MaxValue;
        for (int r = 0; r < rounds && min != 0; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            min = Math.Min(min, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return min;
    }
}
