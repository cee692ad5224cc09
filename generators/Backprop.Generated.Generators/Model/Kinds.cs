// The generator's names for the runtime's enums. The enums themselves are the runtime's own source
// (src/Backprop.Generated/Enums.cs), compiled into this project (see the csproj), so the two cannot drift apart.
global using ActivationKind = Backprop.Generated.Generators.Shared.Activation;
global using InitKind = Backprop.Generated.Generators.Shared.Init;
global using LossKind = Backprop.Generated.Generators.Shared.Loss;
