// Package spec defines the Stagefile format: its types, and the bounded,
// strict YAML decoding that keeps where every value was written. It knows
// no ecosystem: presets, defaults and validation of the resolved build
// live in package plan.
//
// A Stagefile is the declarative form of the base → test → build → release
// multi-stage Dockerfile: dependency manifests are installed first (production,
// then development on top), the source is tested and built, and the release
// image is a runtime base plus the production dependencies and the build
// outputs.
package spec

// Version is the only format version this frontend reads.
const Version = 1

// Spec is a parsed Stagefile. Field docs are the format's reference; keep
// docs/stagefile.md in step with them.
type Spec struct {
	Node
	// Version of the format; must be 1.
	Version Int `yaml:"version"`
	// Preset fills fields left empty from the build context (e.g. "node"
	// detects the package manager from the lockfile).
	Preset String `yaml:"preset"`
	// Image is the base image for the dependency, test and build steps.
	Image String `yaml:"image"`
	// Workdir is the absolute directory the app lives in. Default /app.
	Workdir String `yaml:"workdir"`
	// App is the folder of the app to release inside a workspace (monorepo),
	// relative to the context. Default "." (the whole context is the app).
	App String `yaml:"app"`
	// Args are the build args the Stagefile reads (--build-arg NAME=value),
	// each with its default. ${NAME} in env, release.env and release.labels
	// is replaced by the value; a command that mentions $NAME gets it as an
	// environment variable, so only its cache key changes.
	Args List[Arg] `yaml:"args"`
	// Env is set for every build step (dependencies, test, build); not in the release.
	Env Map `yaml:"env"`
	// Source says which parts of the context are copied for test and build.
	Source Source `yaml:"source"`
	// Dependencies are installed from the manifests alone, so source edits
	// keep them cached.
	Dependencies Dependencies `yaml:"dependencies"`
	// Secrets are mounted into the steps they name (the dependency installs
	// by default, test and build when listed); never stored in a layer.
	Secrets List[Secret] `yaml:"secrets"`
	// Test runs on dev dependencies + source; a failing test fails every target.
	Test Test `yaml:"test"`
	// Build runs on dev dependencies + source, in parallel with the tests.
	Build Build `yaml:"build"`
	// Release describes the image that ships.
	Release Release `yaml:"release"`

	// File is the name errors are reported against.
	File string `yaml:"-"`
}

// Arg is a declared build arg. In YAML it is "NAME: default" or a mapping.
type Arg struct {
	Node
	// Name is the arg's name, as given to --build-arg.
	Name String `yaml:"name"`
	// Default is the value when the client passes none.
	Default String `yaml:"default"`
	// Description says what the arg is for (--call outline shows it).
	Description String `yaml:"description"`
}

// Source selects what of the build context test and build see. The
// .dockerignore file applies first.
type Source struct {
	Node
	// Exclude lists patterns (.dockerignore syntax) left out of the source copy.
	Exclude List[String] `yaml:"exclude"`
	// Include adds paths (relative to the context) to the source copy of
	// an app of a workspace, which holds only the app's folder, the
	// workspace packages it depends on and the root's tool files: a
	// shared fixtures folder, a script the tests read.
	Include List[String] `yaml:"include"`
	// Scope is "workspace" (default: with app set, a preset that knows the
	// workspace copies only what the app depends on, so an edit elsewhere
	// keeps its tests and build cached) or "context" (the whole context).
	Scope String `yaml:"scope"`
}

// Dependencies are the package-manager steps. Both install commands see only
// the manifests; development runs on top of production (a superset).
type Dependencies struct {
	Node
	// Manifests are the files the installs need (package.json, lockfile),
	// relative to the context. Only these are copied before the installs,
	// and they ship in the release with the production dependencies.
	Manifests List[String] `yaml:"manifests"`
	// Config are package-manager settings the installs read but the app does
	// not need at run time (.npmrc, .yarnrc.yml): mounted read-only for the
	// installs, never stored in a layer.
	Config List[String] `yaml:"config"`
	// Tools installs what the installs run (corepack enable, pip install
	// uv), in a step of its own before the manifests are copied, so a
	// lockfile change does not run it again. It never reaches the release.
	Tools String `yaml:"tools"`
	// Production installs what the release needs at run time.
	Production String `yaml:"production"`
	// Development adds what test and build need, on top of production.
	Development String `yaml:"development"`
	// Caches are package-manager cache directories, kept in cache mounts
	// so they speed up installs without landing in any layer.
	Caches List[Cache] `yaml:"caches"`
	// Fetch: the preset downloads the locked packages in steps of their
	// own, which --cache-to exports, before the installs (default false:
	// it pays only where downloads are slow).
	Fetch Bool `yaml:"fetch"`
}

// Cache is a persistent cache mount. In YAML it is either a path or a mapping.
type Cache struct {
	Node
	// Path is the absolute directory to mount the cache at.
	Path String `yaml:"path"`
	// ID names the cache; builds that share an ID share the cache. Default: the path.
	ID String `yaml:"id"`
	// Sharing is shared (default), locked or private, as in RUN --mount=type=cache.
	Sharing String `yaml:"sharing"`
}

// Secret is a BuildKit secret (docker build --secret id=...,src=...)
// mounted for the dependency installs.
type Secret struct {
	Node
	// ID is the secret's id as given to --secret.
	ID String `yaml:"id"`
	// Target is the file the secret is mounted at; relative paths are in workdir.
	// Default: the id as a file in workdir when env is not set.
	Target String `yaml:"target"`
	// Env exposes the secret as this environment variable instead of a file.
	Env String `yaml:"env"`
	// Required fails the build when the secret is not provided.
	Required Bool `yaml:"required"`
	// Steps are the steps it is mounted for: install (the tools and the
	// dependency installs; the default), test, build. It is never stored
	// in a layer or an image config.
	Steps List[String] `yaml:"steps"`
}

// Test is the test step.
type Test struct {
	Node
	// Run is the shell command that runs the tests.
	Run String `yaml:"run"`
	// None says why the release ships without tests ("a static site:
	// nothing to test"): written instead of run, it is the way out of the
	// NoTests error.
	None String `yaml:"none"`
	// Reports are files the tests write (relative to workdir); when set,
	// --target test exports just these.
	Reports List[String] `yaml:"reports"`
	// Caches are cache mounts for the test step (e.g. a test runner cache).
	Caches List[Cache] `yaml:"caches"`
	// Platforms says where a multi-platform build runs the tests: "all"
	// (default: on every target platform, emulated where the daemon is
	// another) or "build" (once, on the build platform).
	Platforms String `yaml:"platforms"`
}

// Build is the build step.
type Build struct {
	Node
	// Workspace builds the workspace packages the app uses (their own
	// build scripts, in dependency order) before the tests and the build
	// run; the app's own folder is copied after it, so an edit there keeps
	// it cached. A preset fills it for an app of a workspace.
	Workspace String `yaml:"workspace"`
	// Run is the shell command that builds the app.
	Run String `yaml:"run"`
	// Outputs are the paths (relative to workdir) copied into the release.
	// Without a build step they are taken from the source.
	Outputs List[String] `yaml:"outputs"`
	// Caches are cache mounts for the build step.
	Caches List[Cache] `yaml:"caches"`
	// Platforms says where a multi-platform build runs the build step:
	// "all" (default) or "build" (once, on the build platform, its outputs
	// shipped to every platform: for outputs that are the same everywhere,
	// such as bundled JavaScript or a static site).
	Platforms String `yaml:"platforms"`
}

// Release is the shipped image's base and configuration.
type Release struct {
	Node
	// Image is the runtime base. Default: the build image.
	Image String `yaml:"image"`
	// Env is added to the runtime base's environment.
	Env Map `yaml:"env"`
	// Expose lists ports, as "80", "80/tcp" or "53/udp".
	Expose List[String] `yaml:"expose"`
	// User runs the app. Default: the runtime base's user.
	User String `yaml:"user"`
	// Entrypoint, in exec form. Default: the runtime base's.
	Entrypoint List[String] `yaml:"entrypoint"`
	// Cmd, in exec form. Default: the runtime base's, unless entrypoint is set.
	Cmd List[String] `yaml:"cmd"`
	// Labels are added to the image config.
	Labels Map `yaml:"labels"`
	// Healthcheck is how the runtime checks the app (docker, compose, swarm).
	Healthcheck Healthcheck `yaml:"healthcheck"`
	// StopSignal is the signal that stops the app (default SIGTERM).
	StopSignal String `yaml:"stopSignal"`
	// Dependencies: the release carries workdir as the production install
	// left it (default true). Compiled apps (Go) set it false: the build
	// outputs are all that ships.
	Dependencies Bool `yaml:"dependencies"`
	// Writable are folders the app writes at run time (relative to workdir,
	// or absolute): created in the release, owned by the release user.
	// Nothing else is chowned.
	Writable List[String] `yaml:"writable"`
	// Check starts the release as configured (entrypoint, cmd, user, env,
	// writable folders) inside the build, with no network, and fails the
	// release target when the app exits within the wait, or its
	// healthcheck never passes. On by default when a preset tells how the
	// app starts; "check: false" turns it off.
	Check Check `yaml:"check"`
}

// Check is release.check: true, false, or a mapping.
type Check struct {
	Node
	// Enabled turns the check on or off (default: on when a preset tells
	// how the app starts).
	Enabled Bool `yaml:"enabled"`
	// Env is added to the release's environment for the check only:
	// placeholder values for what the app needs to start (a database URL,
	// a secret key); they reach no image.
	Env Map `yaml:"env"`
	// Wait is how long the app must keep running, e.g. 5s (default 3s);
	// with a healthcheck, how long it has to pass (default: its start
	// period, at least the wait).
	Wait String `yaml:"wait"`
}

// Healthcheck is the image config's healthcheck, in exec form.
type Healthcheck struct {
	Node
	// Test is the command (exec form), e.g. [node, healthcheck.js]; exit 0 is healthy.
	Test List[String] `yaml:"test"`
	// Interval between checks, e.g. 30s. Default: the runtime's (30s).
	Interval String `yaml:"interval"`
	// Timeout of one check, e.g. 5s. Default: the runtime's (30s).
	Timeout String `yaml:"timeout"`
	// StartPeriod is how long failures don't count after start, e.g. 10s.
	StartPeriod String `yaml:"startPeriod"`
	// StartInterval is the interval during the start period (Docker 25+).
	StartInterval String `yaml:"startInterval"`
	// Retries is how many failures in a row make the app unhealthy. Default: 3.
	Retries Int `yaml:"retries"`
}
