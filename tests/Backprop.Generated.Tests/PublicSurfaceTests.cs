using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Backprop.Generated.Tests;

/// <summary>
/// The runtime's public surface (docs/public-api.md): user API in <c>Backprop.Generated</c>, code for generated code in
/// <c>Backprop.Generated.CompilerServices</c> and hidden from IntelliSense, and every public type and member listed in
/// src/Backprop.Generated/PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt.
/// </summary>
/// <remarks>
/// The PublicApiAnalyzers already fail the runtime's build when the code and the files differ (RS0016, RS0017); these
/// tests read the built assembly by reflection instead of the compiler's view, so they still catch a difference if
/// the analyzer is switched off, its rules are suppressed or the files stop being its inputs.
/// </remarks>
public class PublicSurfaceTests
{
    private const string UserNamespace = "Backprop.Generated";
    private const string GeneratedCodeNamespace = "Backprop.Generated.CompilerServices";

    private static readonly Assembly Runtime = typeof(INetwork).Assembly;

    [Fact]
    public void Public_types_live_in_the_user_namespace_or_the_one_for_generated_code()
    {
        string[] elsewhere = Runtime.GetExportedTypes()
            .Where(t => t.Namespace is not (UserNamespace or GeneratedCodeNamespace))
            .Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();
        Assert.True(elsewhere.Length == 0, "Public types outside " + UserNamespace + " and " + GeneratedCodeNamespace + ": " + string.Join(", ", elsewhere));
    }

    [Fact]
    public void Every_public_type_for_generated_code_is_hidden_from_IntelliSense()
    {
        // Nested public types (delegates of BatchBackward and BatchWorkers) are reached only through their hidden
        // declaring type; the rule is on the top-level types.
        string[] visible = Runtime.GetExportedTypes()
            .Where(t => t.Namespace == GeneratedCodeNamespace && !t.IsNested && !IsHidden(t))
            .Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();
        Assert.True(visible.Length == 0,
            $"Public types in {GeneratedCodeNamespace} without [EditorBrowsable(EditorBrowsableState.Never)]: {string.Join(", ", visible)}");
    }

    [Fact]
    public void Nothing_of_the_user_API_is_hidden()
    {
        var hidden = new List<string>();
        foreach (Type type in Runtime.GetExportedTypes().Where(t => t.Namespace == UserNamespace))
        {
            if (HasEditorBrowsable(type)) hidden.Add(type.FullName!);
            foreach (MemberInfo member in VisibleMembers(type))
            {
                if (HasEditorBrowsable(member)) hidden.Add(type.FullName + "." + member.Name);
            }
        }
        Assert.True(hidden.Count == 0,
            $"[EditorBrowsable] in the user namespace {UserNamespace} (code for generated code belongs in {GeneratedCodeNamespace}): {string.Join(", ", hidden)}");
    }

    [Fact]
    public void The_API_files_list_exactly_the_public_types_and_members_of_the_built_assembly()
    {
        List<string> declared = DeclaredApi();
        var typeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in declared)
        {
            if (!line.Contains(" -> ", StringComparison.Ordinal) && !line.Contains(' ', StringComparison.Ordinal)) typeNames.Add(line);
        }

        List<string> fromFiles = declared.Select(line => Key(line, typeNames)).ToList();
        List<string> fromAssembly = AssemblyKeys();

        string diff = MultisetDiff(fromAssembly, fromFiles);
        Assert.True(diff.Length == 0,
            "The runtime's public surface differs from src/Backprop.Generated/PublicAPI.*.txt (+ in the assembly only, - in the files only; " +
            "overloads count once each; see docs/public-api.md to update the files):\n" + diff);
        Assert.True(fromFiles.Count > 300, $"Only {fromFiles.Count} API entries read: the files were not found or not parsed.");
    }

    [Fact]
    public void The_API_key_of_a_line_names_its_type_and_member()
    {
        var types = new HashSet<string>(StringComparer.Ordinal) { "Backprop.Generated.Sgd", "Backprop.Generated.EpochReport", "Backprop.Generated.TensorInfo" };
        Assert.Equal("Backprop.Generated.Sgd :: Sgd", Key("Backprop.Generated.Sgd.Sgd(float learningRate, float momentum = 0) -> void", types));
        Assert.Equal("Backprop.Generated.Sgd :: Momentum.get", Key("Backprop.Generated.Sgd.Momentum.get -> float", types));
        Assert.Equal("Backprop.Generated.EpochReport :: operator ==", Key("static Backprop.Generated.EpochReport.operator ==(Backprop.Generated.EpochReport? left, Backprop.Generated.EpochReport? right) -> bool", types));
        Assert.Equal("Backprop.Generated.EpochReport :: ToString", Key("~override Backprop.Generated.EpochReport.ToString() -> string", types));
        Assert.Equal("Backprop.Generated.EpochReport :: <Clone>$", Key("Backprop.Generated.EpochReport.<Clone>$() -> Backprop.Generated.EpochReport!", types));
        Assert.Equal("Backprop.Generated.TensorInfo :: this[].get", Key("Backprop.Generated.TensorInfo.this[int index].get -> float", types));
        Assert.Equal("Backprop.Generated.Sgd :: Limit", Key("const Backprop.Generated.Sgd.Limit = 64 -> int", types));
        Assert.Equal("Backprop.Generated.Sgd", Key("Backprop.Generated.Sgd", types));
        Assert.Equal("Backprop.Generated.Sgd :: Old", Key("*REMOVED*Backprop.Generated.Sgd.Old() -> void", types));
    }

    /// <summary>The entries of both API files, without the <c>#nullable enable</c> header and blank lines.</summary>
    private static List<string> DeclaredApi()
    {
        string folder = Path.Combine(RepositoryRoot(), "src", "Backprop.Generated");
        var lines = new List<string>();
        foreach (string name in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            string path = Path.Combine(folder, name);
            Assert.True(File.Exists(path), $"{path} is missing.");
            lines.AddRange(File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }
        // An entry of Shipped.txt marked *REMOVED* in Unshipped.txt is gone from the surface.
        foreach (string removed in lines.Where(l => l.StartsWith("*REMOVED*", StringComparison.Ordinal)).ToList())
        {
            lines.Remove(removed);
            lines.Remove(removed["*REMOVED*".Length..]);
        }
        return lines;
    }

    /// <summary>
    /// <c>type :: member</c> for a member line, the type alone for a type line: the part before the signature, without
    /// the modifiers (static, override, const, ~ for oblivious nullability) and with an indexer's parameters dropped.
    /// </summary>
    private static string Key(string line, IReadOnlySet<string> typeNames)
    {
        if (line.StartsWith("*REMOVED*", StringComparison.Ordinal)) line = line["*REMOVED*".Length..];
        line = line.TrimStart('~');
        string[] modifiers = ["static ", "abstract ", "virtual ", "override ", "sealed ", "const ", "readonly ", "new ", "~"];
        for (bool stripped = true; stripped;)
        {
            stripped = false;
            foreach (string modifier in modifiers)
            {
                if (line.StartsWith(modifier, StringComparison.Ordinal))
                {
                    line = line[modifier.Length..];
                    stripped = true;
                }
            }
        }
        int end = line.Length;
        foreach (string stop in new[] { " -> ", " = " })
        {
            int at = line.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && at < end) end = at;
        }
        // "operator ==(" has its parenthesis after the operator token; a method's after its name.
        int paren = line.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0 && paren < end) end = paren;
        string path = line[..end];
        int open = path.IndexOf("this[", StringComparison.Ordinal);
        if (open >= 0) path = path[..(open + 5)] + path[path.IndexOf(']', open)..];

        if (typeNames.Contains(path)) return path;
        string? type = typeNames.Where(t => path.StartsWith(t + ".", StringComparison.Ordinal)).MaxBy(t => t.Length);
        Assert.True(type is not null, $"No declared type holds the API entry '{line}'.");
        return type + " :: " + path[(type.Length + 1)..];
    }

    /// <summary>The same keys from the built assembly: every exported type and its externally visible members.</summary>
    private static List<string> AssemblyKeys()
    {
        var keys = new List<string>();
        foreach (Type type in Runtime.GetExportedTypes())
        {
            string typeName = TypeName(type);
            keys.Add(typeName);
            if (typeof(Delegate).IsAssignableFrom(type))
            {
                keys.Add(typeName + " :: Invoke"); // a delegate is its type and its signature
                continue;
            }
            if (type.IsValueType && !type.IsEnum) keys.Add(typeName + " :: " + SimpleName(type)); // the implicit struct constructor
            foreach (MemberInfo member in VisibleMembers(type))
            {
                switch (member)
                {
                    case ConstructorInfo ctor when !ctor.IsStatic:
                        keys.Add(typeName + " :: " + SimpleName(type));
                        break;
                    case MethodInfo method when !method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal):
                        keys.Add(typeName + " :: " + MethodName(method));
                        break;
                    case PropertyInfo property:
                        string name = property.GetIndexParameters().Length > 0 ? "this[]" : property.Name;
                        if (property.GetMethod is { } get && IsVisible(get)) keys.Add($"{typeName} :: {name}.get");
                        if (property.SetMethod is { } set && IsVisible(set))
                        {
                            bool init = set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                            keys.Add($"{typeName} :: {name}.{(init ? "init" : "set")}");
                        }
                        break;
                    case FieldInfo field when !field.IsSpecialName:
                        keys.Add(typeName + " :: " + field.Name);
                        break;
                    case EventInfo e:
                        keys.Add(typeName + " :: " + e.Name);
                        break;
                }
            }
        }
        return keys;
    }

    /// <summary>
    /// Members a user of the assembly can reach: public ones, and protected ones of types that can be derived from
    /// (a sealed optimizer's protected overrides are not API), accessors included.
    /// </summary>
    private static IEnumerable<MemberInfo> VisibleMembers(Type type) => type
        .GetMembers(BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
        .Where(m => m switch
        {
            MethodBase method => IsVisible(method),
            FieldInfo field => field.IsPublic || !field.DeclaringType!.IsSealed && (field.IsFamily || field.IsFamilyOrAssembly),
            PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisible),
            EventInfo e => e.AddMethod is { } add && IsVisible(add),
            _ => false, // nested types are listed as types of their own
        });

    private static bool IsVisible(MethodBase method) =>
        method.IsPublic || !method.DeclaringType!.IsSealed && (method.IsFamily || method.IsFamilyOrAssembly);

    private static string MethodName(MethodInfo method) => method.Name switch
    {
        "op_Equality" => "operator ==",
        "op_Inequality" => "operator !=",
        "op_Implicit" => "implicit operator",
        "op_Explicit" => "explicit operator",
        _ => method.IsGenericMethodDefinition
            ? method.Name + "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">"
            : method.Name,
    };

    private static string TypeName(Type type)
    {
        string own = SimpleName(type);
        if (type.IsGenericTypeDefinition) own += "<" + string.Join(", ", type.GetGenericArguments().Select(a => a.Name)) + ">";
        return (type.DeclaringType is { } outer ? TypeName(outer) : type.Namespace) + "." + own;
    }

    private static string SimpleName(Type type)
    {
        int tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type.Name : type.Name[..tick];
    }

    private static bool IsHidden(MemberInfo member) =>
        member.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never };

    private static bool HasEditorBrowsable(MemberInfo member) =>
        member.GetCustomAttribute<EditorBrowsableAttribute>() is { State: not EditorBrowsableState.Always };

    private static string MultisetDiff(List<string> actual, List<string> expected)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string key in actual) counts[key] = counts.GetValueOrDefault(key) + 1;
        foreach (string key in expected) counts[key] = counts.GetValueOrDefault(key) - 1;
        var lines = new List<string>();
        foreach (var (key, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            for (int i = 0; i < Math.Abs(count); i++) lines.Add((count > 0 ? "+ " : "- ") + key);
        }
        return string.Join("\n", lines);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Backprop.Generated.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Backprop.Generated.sln above {AppContext.BaseDirectory}.");
    }
}
