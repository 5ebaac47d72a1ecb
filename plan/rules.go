package plan

import "path"

// The rules every Stagefile is checked against. Presets declare their own.
var (
	NoTests = NewRule("NoTests", "The release is built without running any tests.").
		FailRelease("the release would ship untested")
	TestsSkipped         = NewRule("TestsSkipped", "STAGEFILE_SKIP_TESTS is set: the image is untested.")
	PackageManagerAsPID1 = NewRule("PackageManagerAsPID1", "A package manager as PID 1 does not pass SIGTERM on to the app.")
	RunsAsRoot           = NewRule("RunsAsRoot", "The app runs as root.")
	TokenInManifests     = NewRule("TokenInManifests", "A file that often holds a registry token is copied into image layers.")
	NoBuildOutputs       = NewRule("NoBuildOutputs", "The build step runs, but the release takes nothing from it.").
				FailRelease("the release would hold nothing the build made")
	// CredentialsInLockfile: a lockfile records download URLs with a user,
	// a password or a token in them. They are removed from every SBOM,
	// warning and plan, but they are in the repository.
	CredentialsInLockfile = NewRule("CredentialsInLockfile", "A lockfile records download URLs with credentials in them.")
	// UnscopedWorkspace: a preset could not tell which packages of the
	// workspace the app uses, so its source copy is the whole context.
	UnscopedWorkspace = NewRule("UnscopedWorkspace", "An app of a workspace copies the whole context: an edit anywhere reruns its tests and build.")
	// UnknownStartCommand is a preset's finding that it cannot tell how
	// the app starts, and set no start command: the release would run
	// its base image's own command (a language's prompt that exits at
	// once). One rule for every preset.
	UnknownStartCommand = NewRule("UnknownStartCommand", "The preset cannot tell how the app starts, and the Stagefile does not say.").
				Alias("NoEntrypoint").
				FailRelease("the release would run its base image's own command, not the app")
)

// Rules lists the rules above, for docs and tests.
var Rules = []*Rule{NoTests, TestsSkipped, PackageManagerAsPID1, RunsAsRoot, TokenInManifests, NoBuildOutputs, UnusedBuildArg, SecretInArg, UnknownStartCommand, UnscopedWorkspace, CredentialsInLockfile}

// Lint returns the warnings every Stagefile gets; eco tells the
// ecosystems' launchers and credential files. Presets add their own
// warnings when they fill the plan.
func Lint(p *Plan, eco Ecosystems) []*Warning {
	var ws []*Warning
	if p.Test.Run == nil && !p.Test.None.Set() {
		o := Origin{At: p.Test.At}
		ws = append(ws, Warn(p, NoTests, o, "no test step: the release is built without running any tests (add test.run; or, to ship untested on purpose, write test: {none: \"why\"})"))
	}
	r := p.Release
	var argv []string
	var at Origin
	switch {
	case len(r.Entrypoint.Value) > 0:
		argv, at = append(append([]string{}, r.Entrypoint.Value...), r.Cmd.Value...), r.Entrypoint.Origin
	case !r.Entrypoint.Set() && len(r.Cmd.Value) > 0:
		argv, at = r.Cmd.Value, r.Cmd.Origin
	}
	if example, ok := eco.Launcher(argv); ok {
		ws = append(ws, Warn(p, PackageManagerAsPID1, at, "%s as PID 1 does not pass SIGTERM on to the app, so docker stop waits and then kills it (start the app directly, e.g. %s)", path.Base(argv[0]), example))
	}
	switch r.User.Value {
	case "root", "0", "0:0", "root:root":
		ws = append(ws, Warn(p, RunsAsRoot, r.User.Origin, "the app runs as root (use an unprivileged user, e.g. node or 1000)"))
	}
	for _, m := range p.Dependencies.Manifests {
		if _, ok := eco.CredentialFile(m.Value); ok {
			ws = append(ws, Warn(p, TokenInManifests, m.Origin, "%s often holds a registry token and would be stored in image layers (list it under dependencies.config, which mounts it for the steps that read it and never stores it in a layer, and pass tokens as secrets)", m.Value))
		}
	}
	ws = append(ws, lintSecrets(p)...)
	if p.Build.Run != nil && p.Build.Outputs == nil {
		ws = append(ws, Warn(p, NoBuildOutputs, p.Build.Run.Origin, "the build step's outputs are not listed, so the release gets nothing the build made (list what it writes under build.outputs, e.g. build.outputs: [dist]; or build.outputs: [] if the release needs none of it)"))
	}
	return ws
}
