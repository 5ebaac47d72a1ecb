// Package plan is the resolved build between a Stagefile and LLB: every
// command, file, cache, secret, image and release setting that will be
// used, each with its origin — written in the Stagefile (and where),
// filled by a preset (and from which file), or a default.
//
// The converter (package llb) reads only a Plan. Validation and lint run
// on the Plan, so what a preset fills obeys every rule that what the user
// writes obeys, and `stagefile plan` and `--call outline` show exactly
// what runs.
package plan

import (
	"fmt"
	"strings"

	"al.essio.dev/pkg/shellescape"

	"github.com/stagefile/stagefile/spec"
)

// Kind says who decided a value.
type Kind string

const (
	// Stagefile values were written by the user.
	Stagefile Kind = "stagefile"
	// Preset values were filled by a preset from the build context or an image.
	Preset Kind = "preset"
	// Default values are the format's defaults.
	Default Kind = "default"
)

// Origin is where a value came from, and where messages about it point.
type Origin struct {
	Kind Kind
	// At is where in the Stagefile messages point: the value itself when
	// written, else the preset key (preset) or the nearest written parent.
	At spec.Range
	// Preset names the preset that filled the value.
	Preset string
	// From says what a preset derived the value from: a context file
	// ("the manifest's test script"), an image fact, a rule of the preset.
	From string
}

// Written is the origin of a value the user wrote at n.
func Written(n spec.Node) Origin { return Origin{Kind: Stagefile, At: n.At} }

// Set reports whether anyone decided the value.
func (o Origin) Set() bool { return o.Kind != "" }

// String is the origin for people: "line 4:8", "preset NAME: what it
// read", "default".
func (o Origin) String() string {
	switch o.Kind {
	case Stagefile:
		if o.From != "" {
			return fmt.Sprintf("line %d:%d, %s", o.At.Start.Line, o.At.Start.Column, o.From)
		}
		return fmt.Sprintf("line %d:%d", o.At.Start.Line, o.At.Start.Column)
	case Preset:
		if o.From != "" {
			return "preset " + o.Preset + ": " + o.From
		}
		return "preset " + o.Preset
	case Default:
		if o.From != "" {
			return "default: " + o.From
		}
		return "default"
	}
	return "unset"
}

// Value is a setting and its origin. The zero Value is unset.
type Value[T any] struct {
	Value  T      `json:"value"`
	Origin Origin `json:"origin"`
}

// Set reports whether the value was decided by anyone.
func (v Value[T]) Set() bool { return v.Origin.Set() }

// Written reports whether the user wrote the value. Workdir and app have
// defaults before a preset runs; a preset may replace those, not these.
func (v Value[T]) Written() bool { return v.Origin.Kind == Stagefile }

// Var is a named string: an environment variable or a label.
type Var struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Template is the value as written, when it holds a "$": Value is it
	// with this build's args in place of ${NAME} and "$$" as "$". What
	// writes the build elsewhere (stagefile eject) keeps the references.
	Template string `json:"template,omitzero"`
	Origin   Origin `json:"origin"`
}

// Plan is a resolved build.
type Plan struct {
	// File is the Stagefile's name, for messages.
	File string `json:"file"`
	// Span is the whole Stagefile, for messages about nothing in particular.
	Span spec.Range `json:"span"`

	Preset  Value[string] `json:"preset,omitzero"`
	Image   Value[string] `json:"image,omitzero"`
	Workdir Value[string] `json:"workdir,omitzero"`
	App     Value[string] `json:"app,omitzero"`
	// Args are the declared build args with the values this build uses.
	Args []Arg `json:"args,omitzero"`
	// Env is set for every build step, sorted by name.
	Env          []Var        `json:"env,omitzero"`
	Source       Source       `json:"source"`
	Dependencies Dependencies `json:"dependencies"`
	Secrets      []Secret     `json:"secrets,omitzero"`
	Test         Test         `json:"test"`
	Build        Build        `json:"build"`
	Release      Release      `json:"release"`
}

// Arg is a declared build arg.
type Arg struct {
	Name        string `json:"name"`
	Value       string `json:"value"` // --build-arg's, else the default
	Default     string `json:"default,omitzero"`
	Description string `json:"description,omitzero"`
	// Given: the client passed the value (--build-arg NAME=...).
	Given  bool   `json:"given,omitzero"`
	Origin Origin `json:"origin"`
}

// Source is what of the context test and build see.
type Source struct {
	At      spec.Range      `json:"at"`
	Exclude []Value[string] `json:"exclude,omitzero"`
	// Scope is ScopeWorkspace when the source copy holds only Include (an
	// app of a workspace: its folder, the workspace packages it depends
	// on, the root's tool files), else ScopeContext: the whole context.
	Scope Value[string] `json:"scope,omitzero"`
	// Include are the paths (relative to the context) of a workspace
	// scope, each with why: what the preset found, or source.include.
	Include []Value[string] `json:"include,omitzero"`
}

// Source scopes.
const (
	ScopeWorkspace = "workspace"
	ScopeContext   = "context"
)

// Scoped reports whether the source copy holds only Source.Include.
func (p *Plan) Scoped() bool {
	return p.Source.Scope.Value == ScopeWorkspace && len(p.Source.Include) > 0
}

// IncludeInSource adds a path to the workspace scope, unless it is in it.
func (p *Plan) IncludeInSource(path string, o Origin) {
	for _, e := range p.Source.Include {
		if e.Value == path {
			return
		}
	}
	p.Source.Include = append(p.Source.Include, Value[string]{Value: path, Origin: o})
}

// Dependencies are the installs and what they read.
type Dependencies struct {
	// At spans the dependencies section (or the preset line).
	At spec.Range `json:"at"`
	// Manifests are copied before the installs and ship with the
	// production dependencies.
	Manifests []Value[string] `json:"manifests,omitzero"`
	// Config files are mounted read-only for the installs only.
	Config []Value[string] `json:"config,omitzero"`
	// Tools, when set, installs what the installs run (the package
	// manager itself) on the build image, before the manifests are copied:
	// a lockfile change does not install it again. A preset fills it.
	Tools       *Command `json:"tools,omitzero"`
	Production  *Command `json:"production,omitzero"`
	Development *Command `json:"development,omitzero"`
	Caches      []Cache  `json:"caches,omitzero"`
	// Unshipped are patterns (relative to workdir) of files the production
	// install writes for itself and the release leaves out: package
	// managers' state with timestamps, which would make the release
	// unreproducible and is not read at run time.
	Unshipped []Value[string] `json:"unshipped,omitzero"`
	// Cross, when set, says the installs may run natively on the build
	// platform for another target platform, and how to tell the package
	// manager which platform to install for.
	Cross *CrossInstall `json:"crossInstall,omitzero"`
	// Packages are what the production install puts in place, as the
	// lockfile pins them (for the release's SBOM); PackagesFrom says which.
	Packages     []Package `json:"packages,omitzero"`
	PackagesFrom Origin    `json:"packagesFrom,omitzero"`
	// Fetch, when set, downloads locked packages in steps of their own
	// before the installs, which read them from a mirror.
	Fetch *Fetch `json:"fetchSteps,omitzero"`
	// FetchAsked is dependencies.fetch as written: a preset that can sets
	// Fetch when it is true (measured, fetching pays only where downloads
	// are slow: docs/benchmarks.md).
	FetchAsked Value[bool] `json:"fetch,omitzero"`
}

// Fetch downloads locked packages into a mirror the installs read instead
// of the network. The downloads are steps of their own, keyed by what they
// fetch, in groups by package name: cached like any step and exported with
// `--cache-to mode=max`, so a fresh CI runner with a registry cache
// downloads only the groups a dependency bump touched, where a package
// manager's cache mount would start empty and download everything.
type Fetch struct {
	// Command is the downloader, run on the build image; the converter
	// appends the output folder and, per package, URL, integrity and file.
	Command []string `json:"command"`
	// Path is where the mirror is mounted for the installs: writable, as
	// an install may add to it, and what it adds is dropped.
	Path string `json:"path"`
	// Env is what points the package manager at the mirror.
	Env      []Var      `json:"env,omitzero"`
	Packages []Download `json:"packages"`
	Origin   Origin     `json:"origin"`
}

// Download is one locked package of a Fetch.
type Download struct {
	// Name groups the downloads: a package keeps its group when its
	// version changes.
	Name string `json:"name"`
	URL  string `json:"url"`
	// Integrity is the Subresource Integrity form: sha512-BASE64.
	Integrity string `json:"integrity"`
	// File is where it goes, relative to the mirror.
	File string `json:"file"`
	// Arch, when not nil, lists the only platforms (GOARCH) whose
	// installs use it: an optional package with a native binary for one
	// CPU (esbuild's, rollup's) is fetched for that platform only.
	Arch []string `json:"arch,omitzero"`
}

// CrossInstall is whether, and how, installs run on the build platform
// for another.
type CrossInstall struct {
	// Env by target architecture (amd64, arm64, ...): what tells the
	// package manager the platform to install for. Empty: the installs
	// run on each target platform (emulated where it is not the daemon's).
	Env map[string][]Var `json:"env,omitzero"`
	// Check, when set, decides at build time: it runs in the build
	// platform's development install (its working directory) and writes
	// to the file named by its last argument why that tree would differ
	// on another platform, one reason per line; empty means it would not,
	// and the installs run there for every target platform.
	Check []string `json:"check,omitzero"`
	// Why installing elsewhere gives the same files, or why it would not,
	// for the progress stream.
	Why    string `json:"why"`
	Origin Origin `json:"origin"`
}

// Package is a dependency the release ships.
type Package struct {
	// Ecosystem is the package URL type the preset gives.
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	// Integrity as the lockfile has it (sha512-BASE64...).
	Integrity string `json:"integrity,omitzero"`
	// Download is where it was fetched from, when the lockfile says.
	Download string `json:"download,omitzero"`
	// License as the lockfile or the package says, else "".
	License string `json:"license,omitzero"`
	// Arch, when not nil, lists the only platforms (GOARCH) it is
	// installed on: a native binary for one CPU.
	Arch []string `json:"arch,omitzero"`
}

// Test is the test step.
type Test struct {
	At spec.Range `json:"at"`
	// Declared: the Stagefile has a test section, so it must end up with a command.
	Declared bool `json:"declared,omitzero"`
	// None, when set, says why the release ships untested, on purpose.
	None    Value[string]   `json:"none,omitzero"`
	Run     *Command        `json:"run,omitzero"`
	Reports []Value[string] `json:"reports,omitzero"`
	Caches  []Cache         `json:"caches,omitzero"`
	// Platforms: "all" (every target platform) or "build" (the build
	// platform only), for multi-platform builds.
	Platforms Value[string] `json:"platforms,omitzero"`
}

// Build is the build step.
type Build struct {
	At spec.Range `json:"at"`
	// Workspace builds the workspace packages the app uses before the
	// tests and the build; the app's own folder is copied after it.
	Workspace *Command        `json:"workspace,omitzero"`
	Run       *Command        `json:"run,omitzero"`
	Outputs   []Value[string] `json:"outputs,omitzero"`
	Caches    []Cache         `json:"caches,omitzero"`
	Platforms Value[string]   `json:"platforms,omitzero"`
}

// Platforms values.
const (
	AllPlatforms  = "all"
	BuildPlatform = "build"
)

// Release is the shipped image.
type Release struct {
	At    spec.Range    `json:"at"`
	Image Value[string] `json:"image,omitzero"`
	// Env is added to the runtime base's, sorted by name.
	Env    []Var           `json:"env,omitzero"`
	Expose []Value[string] `json:"expose,omitzero"`
	User   Value[string]   `json:"user,omitzero"`
	// Entrypoint and Cmd: unset keeps the base's; set and empty clears it.
	Entrypoint Value[[]string] `json:"entrypoint,omitzero"`
	Cmd        Value[[]string] `json:"cmd,omitzero"`
	Labels     []Var           `json:"labels,omitzero"`
	// Healthcheck is nil when the base's applies.
	Healthcheck *Healthcheck  `json:"healthcheck,omitzero"`
	StopSignal  Value[string] `json:"stopSignal,omitzero"`
	// Writable folders are created owned by the release user.
	Writable []Value[string] `json:"writable,omitzero"`
	// NoDependencies: the production install's workdir does not ship
	// (release.dependencies: false, or a preset for compiled apps).
	NoDependencies Value[bool] `json:"noDependencies,omitzero"`
	// Check starts the release in the build before it ships.
	Check StartCheck `json:"check"`
}

// StartCheck is release.check: the release is started as configured, with no
// network, and must keep running for Wait (or pass its healthcheck).
type StartCheck struct {
	Enabled Value[bool] `json:"enabled,omitzero"`
	// Env is added for the check only: placeholders the app needs to start.
	Env  []Var         `json:"env,omitzero"`
	Wait Value[string] `json:"wait,omitzero"`
}

// DefaultCheckWait is how long the release must keep running.
const DefaultCheckWait = "3s"

// Healthcheck is the release's healthcheck in exec form. Durations are
// as written (30s, 1m30s; Check parses them); unset ones leave the
// runtime's defaults.
type Healthcheck struct {
	Test          Value[[]string] `json:"test,omitzero"`
	Interval      Value[string]   `json:"interval,omitzero"`
	Timeout       Value[string]   `json:"timeout,omitzero"`
	StartPeriod   Value[string]   `json:"startPeriod,omitzero"`
	StartInterval Value[string]   `json:"startInterval,omitzero"`
	Retries       Value[int]      `json:"retries,omitzero"`
	Origin        Origin          `json:"origin"`
}

// Cache is a cache mount.
type Cache struct {
	Path    Value[string] `json:"path,omitzero"`
	ID      Value[string] `json:"id,omitzero"`      // default: the path
	Sharing Value[string] `json:"sharing,omitzero"` // shared (default), locked or private
	Origin  Origin        `json:"origin"`
}

// NewCache is a cache a preset fills.
func NewCache(path, sharing string, o Origin) Cache {
	c := Cache{Path: Value[string]{path, o}, Origin: o}
	if sharing != "" {
		c.Sharing = Value[string]{sharing, o}
	}
	return c
}

// CacheID is the cache's id: its id, else its path.
func (c Cache) CacheID() string {
	if c.ID.Value != "" {
		return c.ID.Value
	}
	return c.Path.Value
}

// Secret is a BuildKit secret mounted for the installs.
type Secret struct {
	ID       Value[string] `json:"id,omitzero"`
	Target   Value[string] `json:"target,omitzero"` // a file; relative to workdir unless absolute
	Env      Value[string] `json:"env,omitzero"`
	Required bool          `json:"required"`
	// Steps it is mounted for: SecretInstall (default), SecretTest, SecretBuild.
	Steps  []Value[string] `json:"steps,omitzero"`
	Origin Origin          `json:"origin"`
}

// The steps a secret can be mounted for.
const (
	SecretInstall = "install"
	SecretTest    = "test"
	SecretBuild   = "build"
)

// For reports whether the secret is mounted for step.
func (s Secret) For(step string) bool {
	if len(s.Steps) == 0 {
		return step == SecretInstall
	}
	for _, v := range s.Steps {
		if v.Value == step {
			return true
		}
	}
	return false
}

// Command is a step's command: a script the user wrote, run by /bin/sh -c
// as written, or commands a preset built as argument lists, which reach
// the shell quoted, whatever their arguments hold.
type Command struct {
	Shell  string     `json:"shell,omitzero"`
	Argv   [][]string `json:"argv,omitzero"`
	Origin Origin     `json:"origin"`
	// Args are the build args the command mentions ($NAME): the step gets
	// them as environment variables, so only its cache key moves with them.
	Args []string `json:"args,omitzero"`
}

// Shell is a command the user wrote.
func Shell(script string, o Origin) *Command { return &Command{Shell: script, Origin: o} }

// Argv is a preset's command: each argv runs in order, the next only if
// the previous succeeded.
func Argv(o Origin, argv ...[]string) *Command { return &Command{Argv: argv, Origin: o} }

// Script is what /bin/sh -c runs.
func (c *Command) Script() string {
	if c.Argv == nil {
		return c.Shell
	}
	parts := make([]string, len(c.Argv))
	for i, a := range c.Argv {
		parts[i] = shellescape.QuoteCommand(a)
	}
	return strings.Join(parts, " && ")
}

// HasDependencyLayer: the release carries workdir as the production
// install left it when there is an install or at least manifests to carry.
func (p *Plan) HasDependencyLayer() bool {
	return !p.Release.NoDependencies.Value && (p.Dependencies.Production != nil || len(p.Dependencies.Manifests) > 0)
}

// Values returns the values of a list.
func Values(vs []Value[string]) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// Lookup finds a var by name.
func Lookup(vars []Var, name string) (Var, bool) {
	for _, v := range vars {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}

// ExcludeFromSource leaves pattern out of the source copy, unless it is
// already: a preset uses it for the folders its installs create, which a
// copy of the developer's own would replace.
func (p *Plan) ExcludeFromSource(pattern string, o Origin) {
	for _, e := range p.Source.Exclude {
		if e.Value == pattern {
			return
		}
	}
	p.Source.Exclude = append(p.Source.Exclude, Value[string]{Value: pattern, Origin: o})
}
