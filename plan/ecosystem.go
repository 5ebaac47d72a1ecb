package plan

import (
	"path"
	"sort"
	"strings"
)

// Ecosystem is what a provider tells the core about its ecosystem's
// tools, whichever preset a Stagefile names: a Stagefile without a preset
// runs the same package managers, and its checks and lint must know them.
// The core (plan, llb, frontend, sbom) names no ecosystem itself; every
// such fact comes from here (a test keeps it so).
type Ecosystem struct {
	// Launchers start the app without passing signals on to it (package
	// managers): as PID 1 they keep SIGTERM from the app.
	Launchers []string
	// RunsFile, when set, reports whether argv (the release's entrypoint
	// and cmd), whose program is one of Launchers, runs the app's file in
	// its own process instead, as a runtime does: then it is no launcher.
	RunsFile func(argv []string) bool
	// StartExample is how an app of the ecosystem starts directly, in
	// exec form, for the advice about launchers.
	StartExample string
	// DependencyDirs are folders the installs create, at any depth of
	// workdir: never a manifest nor a build output, since the release gets
	// them from the production install.
	DependencyDirs []string
	// CredentialFiles often hold a registry token.
	CredentialFiles []CredentialFile
	// Aliases are other names people write for the preset, for the
	// did-you-mean of an unknown preset.
	Aliases []string
}

// CredentialFile is a settings file that often holds a registry token.
type CredentialFile struct {
	Name string
	// SecretAdvice, when set, is where a secret mounted over the file
	// should go instead, and how the file can name it.
	SecretAdvice string
}

// Starter is a Provider that can tell which file a command of its
// ecosystem runs, for the release's start check.
type Starter interface {
	// Script returns the index in argv of the script file argv runs and
	// the suffixes the program tries after the name as written ("" for
	// the name itself); ok is false when argv is not one of the
	// ecosystem's interpreters or runs no file (inline code, a module).
	Script(argv []string) (i int, suffixes []string, ok bool)
}

// ReleaseFS reads the files of a built release.
type ReleaseFS interface {
	// ReadDir lists the names in dir that match pattern (path.Match).
	ReadDir(dir, pattern string) ([]string, error)
	// ReadFile reads length bytes of name from offset (fewer at its end).
	ReadFile(name string, offset, length int) ([]byte, error)
}

// ShippedLister is a Provider that can list the packages a built release
// holds by reading its files (installed metadata, a binary's build
// info), where no lockfile said it before the build.
type ShippedLister interface {
	// Shipped lists them and says what it read; ok is false when the
	// release holds nothing of the provider's ecosystem.
	Shipped(p *Plan, release ReleaseFS) (pkgs []Package, from string, ok bool, err error)
}

// Initializer is a Provider that `stagefile init` can ask about a build
// context before it has a Stagefile: whether the context is the
// preset's, which packages of a workspace are apps, and what the app's
// files say of the values the preset leaves to the Stagefile (what the
// build writes, the port the app listens on). Everything else init
// writes it takes from the resolved plan and its warnings.
type Initializer interface {
	// Markers are files at the root of a context that make it the
	// preset's (its manifests, its lockfiles); one is enough.
	Markers() []string
	// WorkspaceFiles are the context files Workspace reads, asked again
	// with the files read so far, at most FileRounds times, as Files is.
	WorkspaceFiles(read map[string][]byte) []string
	// Workspace is the workspace the files declare, nil when they
	// declare none.
	Workspace(files map[string][]byte) *Workspace
	// SuggestFiles are the context files Suggest reads for the resolved
	// plan p (its App set), asked again with the files read so far, at
	// most SuggestRounds times (a config file extends another). Only the first SuggestFileSize bytes of each
	// are read: enough to scan a start file, not to trust a manifest cut
	// short (a JSON or TOML file that does not parse says nothing).
	SuggestFiles(p *Plan, read map[string][]byte) []string
	// Suggest says what the files tell of the values p leaves unset or
	// incomplete that the Stagefile should write: build.outputs,
	// release.expose, and, as a commented-out hint only, release.cmd.
	Suggest(p *Plan, files map[string][]byte) []Suggestion
}

// SuggestFileSize bounds what Suggest reads of each file, SuggestRounds
// how often SuggestFiles is asked.
const (
	SuggestFileSize = 1 << 20
	SuggestRounds   = 8
)

// Workspace is a monorepo's packages, as its manifests declare them.
type Workspace struct {
	// Kind names the workspace and the file that declares it, for
	// messages: "a KIND workspace (FILE)".
	Kind     string
	Packages []WorkspacePackage
}

// WorkspacePackage is a package of a workspace.
type WorkspacePackage struct {
	// Dir is its folder, relative to the context ("." for a root that is
	// a package itself).
	Dir string
	// Start says how it starts when it is an app (its start script, its
	// main package); "" for a library.
	Start string
}

// Suggestion is a value for a field of the Stagefile, from the context.
type Suggestion struct {
	// Field is the Stagefile's field: "build.outputs", "release.expose",
	// "release.entrypoint", "release.cmd"; or ".dockerignore": patterns
	// the context's .dockerignore should hold (what the build writes, the
	// developer's own installs).
	Field string
	// Values are its items, as written (paths relative to the context).
	Values []string
	// From says what was read, for a one-line comment.
	From string
	// Unsure: the files suggest the value without settling it (a
	// framework's default command, two candidates): it is written
	// commented out, with a TODO, never as a value.
	Unsure bool
}

// Providers are the presets by the name `preset:` gives.
type Providers map[string]Provider

// Names are the providers' names, sorted.
func (ps Providers) Names() []string {
	names := make([]string, 0, len(ps))
	for n := range ps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Sorted are the providers in the order of their names.
func (ps Providers) Sorted() []Provider {
	var out []Provider
	for _, n := range ps.Names() {
		out = append(out, ps[n])
	}
	return out
}

// Ecosystems are the providers' ecosystems, in the order of their names.
func (ps Providers) Ecosystems() Ecosystems {
	var out Ecosystems
	for _, p := range ps.Sorted() {
		out = append(out, p.Ecosystem())
	}
	return out
}

// Ecosystems answer the core's questions across every provider.
type Ecosystems []Ecosystem

// Launcher reports whether argv starts the app through a launcher, and
// how an app of its ecosystem starts instead.
func (es Ecosystems) Launcher(argv []string) (example string, ok bool) {
	if len(argv) == 0 {
		return "", false
	}
	name := path.Base(argv[0])
	for _, e := range es {
		for _, l := range e.Launchers {
			if l == name && (e.RunsFile == nil || !e.RunsFile(argv)) {
				return e.StartExample, true
			}
		}
	}
	return "", false
}

// DependencyDir is the dependency folder clean (a cleaned relative path)
// is, or is inside: "" when none.
func (es Ecosystems) DependencyDir(clean string) string {
	for _, e := range es {
		for _, d := range e.DependencyDirs {
			if clean == d || strings.HasPrefix(clean, d+"/") || strings.HasSuffix(clean, "/"+d) || strings.Contains(clean, "/"+d+"/") {
				return d
			}
		}
	}
	return ""
}

// genericCredentials are credential files of no one ecosystem.
var genericCredentials = []CredentialFile{{Name: ".netrc"}, {Name: ".git-credentials"}}

// CredentialFile finds the credential file named like p's base name.
func (es Ecosystems) CredentialFile(p string) (CredentialFile, bool) {
	base := path.Base(p)
	for _, c := range genericCredentials {
		if c.Name == base {
			return c, true
		}
	}
	for _, e := range es {
		for _, c := range e.CredentialFiles {
			if c.Name == base {
				return c, true
			}
		}
	}
	return CredentialFile{}, false
}

// Alias is the provider a name people write stands for.
func (ps Providers) Alias(name string) (string, bool) {
	for _, n := range ps.Names() {
		for _, a := range ps[n].Ecosystem().Aliases {
			if a == name {
				return n, true
			}
		}
	}
	return "", false
}

// Script asks every Starter which file argv runs.
func (ps Providers) Script(argv []string) (i int, suffixes []string, ok bool) {
	for _, p := range ps.Sorted() {
		if s, isStarter := p.(Starter); isStarter {
			if i, suffixes, ok := s.Script(argv); ok {
				return i, suffixes, true
			}
		}
	}
	return 0, nil, false
}

// Shipped asks every ShippedLister what the release holds; the first
// that finds packages of its ecosystem answers.
func (ps Providers) Shipped(p *Plan, release ReleaseFS) ([]Package, string, bool, error) {
	for _, prov := range ps.Sorted() {
		l, isLister := prov.(ShippedLister)
		if !isLister {
			continue
		}
		pkgs, from, ok, err := l.Shipped(p, release)
		if err != nil || ok {
			return pkgs, from, ok, err
		}
	}
	return nil, "", false, nil
}
