using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generated.Generators.Tests;

/// <summary>
/// Code fixes without Microsoft.CodeAnalysis.Testing: sources go into an <see cref="AdhocWorkspace"/> (one project
/// per source array), the analyzers run on the project's compilation, a provider registers its actions for a
/// diagnostic, and the chosen <see cref="CodeAction"/>'s <see cref="ApplyChangesOperation"/> gives the new solution.
/// Fix All goes through the provider's own <see cref="FixAllProvider"/> with a <see cref="FixAllContext"/>.
/// </summary>
internal static partial class Harness
{
    /// <summary>A solution with one project per element of <paramref name="projects"/>, each holding those sources.</summary>
    public static Solution CreateSolution(params string[][] projects)
    {
        var workspace = new AdhocWorkspace();
        Solution solution = workspace.CurrentSolution;
        for (int p = 0; p < projects.Length; p++)
        {
            ProjectId projectId = ProjectId.CreateNewId($"User{p}");
            solution = solution.AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, $"User{p}", $"User{p}", LanguageNames.CSharp,
                compilationOptions: Compilation().Options, parseOptions: ParseOptions, metadataReferences: References));
            for (int d = 0; d < projects[p].Length; d++)
            {
                solution = solution.AddDocument(DocumentId.CreateNewId(projectId), $"File{d}.cs", SourceText.From(projects[p][d]), filePath: $"/src/p{p}/File{d}.cs");
            }
        }
        return solution;
    }

    /// <summary>The analyzers' diagnostics for one project.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project) =>
        Analyze((await project.GetCompilationAsync())!);

    /// <summary>The actions <paramref name="provider"/> registers for <paramref name="diagnostic"/>.</summary>
    public static async Task<ImmutableArray<CodeAction>> GetFixesAsync(Document document, CodeFixProvider provider, Diagnostic diagnostic)
    {
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions.ToImmutable();
    }

    /// <summary>Applies an action the way an IDE does: its operations, of which only ApplyChangesOperation is expected.</summary>
    public static async Task<Solution> ApplyAsync(CodeAction action)
    {
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        ApplyChangesOperation apply = Assert.IsType<ApplyChangesOperation>(Assert.Single(operations));
        return apply.ChangedSolution;
    }

    /// <summary>
    /// Fixes the first <paramref name="diagnosticId"/> diagnostic of <paramref name="source"/> with the action whose
    /// title is <paramref name="title"/> and returns the new text; also returns the titles offered.
    /// </summary>
    public static async Task<(string Fixed, ImmutableArray<string> Titles)> ApplyFixAsync(string source, CodeFixProvider provider, string diagnosticId, string? title = null)
    {
        Solution solution = CreateSolution(new[] { source });
        Document document = solution.Projects.Single().Documents.Single();
        Diagnostic diagnostic = (await AnalyzeAsync(document.Project)).First(d => d.Id == diagnosticId);
        ImmutableArray<CodeAction> actions = await GetFixesAsync(document, provider, diagnostic);
        CodeAction action = title is null ? actions.First() : Assert.Single(actions, a => a.Title == title);
        Solution changed = await ApplyAsync(action);
        string text = (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
        return (text, actions.Select(a => a.Title).ToImmutableArray());
    }

    /// <summary>
    /// Runs the provider's Fix All for <paramref name="diagnosticId"/> and <paramref name="equivalenceKey"/> in
    /// <paramref name="scope"/>, triggered from the first document of the first project; returns every document's
    /// text, per project.
    /// </summary>
    public static async Task<string[][]> FixAllAsync(string[][] projects, CodeFixProvider provider, FixAllScope scope, string equivalenceKey, params string[] diagnosticIds)
    {
        Solution solution = CreateSolution(projects);
        Document trigger = solution.Projects.OrderBy(p => p.Name).First().Documents.OrderBy(d => d.Name).First();
        FixAllProvider fixAll = provider.GetFixAllProvider()!;
        Assert.Contains(scope, fixAll.GetSupportedFixAllScopes());
        var context = new FixAllContext(trigger, provider, scope, equivalenceKey, diagnosticIds, new AnalyzerDiagnosticProvider(), CancellationToken.None);
        CodeAction action = (await fixAll.GetFixAsync(context))!;
        Solution changed = await ApplyAsync(action);
        return await Task.WhenAll(changed.Projects.OrderBy(p => p.Name).Select(async p =>
            await Task.WhenAll(p.Documents.OrderBy(d => d.Name).Select(async d => (await d.GetTextAsync()).ToString()))));
    }

    /// <summary>Feeds Fix All with the analyzers' diagnostics of the solution being fixed.</summary>
    private sealed class AnalyzerDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            await AnalyzeAsync(project);

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            SyntaxTree? tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return (await AnalyzeAsync(document.Project)).Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>()); // every diagnostic here has a source location
    }
}
