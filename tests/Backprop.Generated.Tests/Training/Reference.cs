using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Backprop.Generated.Tests.Training;

/// <summary>Reads tests/reference/training_reference.json, written by training_reference.py with PyTorch.</summary>
internal static class Reference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "training_reference.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement Case(string section, string name) =>
        Root.GetProperty(section).EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    public static float[] Floats(this JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    public static float Float(this JsonElement e, string name, float fallback) =>
        e.TryGetProperty(name, out JsonElement v) ? (float)v.GetDouble() : fallback;

    public static bool Bool(this JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) && v.GetBoolean();

    /// <summary>Distance in units in the last place between two floats of the same sign.</summary>
    public static long Ulps(float a, float b)
    {
        if (a == b) return 0;
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if ((ia < 0) != (ib < 0)) return long.MaxValue;
        return Math.Abs((long)ia - ib);
    }
}
