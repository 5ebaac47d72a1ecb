// Package spec defines the Stagefile format: its types, the YAML decoding that
// keeps every value's position, validation, defaults and presets.
//
// A Stagefile is the declarative form of the base → test → build → release
// multi-stage Dockerfile: dependency manifests are installed first (production,
// then development on top), the source is tested and built, and the release
// image is a runtime base plus the production dependencies and the build
// outputs.
package spec

// Version is the only format version this frontend reads.
const Version = 1

// DefaultWorkdir is where the app lives in every stage unless workdir says otherwise.
const DefaultWorkdir = "/app"

// Spec is a parsed Stagefile. Field docs are the format's reference; keep
// docs/stagefile.md in step with them.
type Spec struct {
	// Version of the format; must be 1.
	Version int `yaml:"version"`
	// Preset fills fields left empty from the build context (e.g. "node"
	// detects the package manager from the lockfile).
	Preset string `yaml:"preset"`
	// Image is the base image for the dependency, test and build steps.
	Image string `yaml:"image"`
	// Workdir is the absolute directory the app lives in. Default /app.
	Workdir string `yaml:"workdir"`
	// App is the folder of the app to release inside a workspace (monorepo),
	// relative to the context. Default "." (the whole context is the app).
	App string `yaml:"app"`
	// Env is set for every build step (dependencies, test, build); not in the release.
	Env map[string]string `yaml:"env"`
	// Source says which parts of the context are copied for test and build.
	Source Source `yaml:"source"`
	// Dependencies are installed from the manifests alone, so source edits
	// keep them cached.
	Dependencies Dependencies `yaml:"dependencies"`
	// Secrets are mounted into the dependency installs only; never stored in a layer.
	Secrets []Secret `yaml:"secrets"`
	// Test runs on dev dependencies + source; a failing test fails every target.
	Test Test `yaml:"test"`
	// Build runs on dev dependencies + source, in parallel with the tests.
	Build Build `yaml:"build"`
	// Release describes the image that ships.
	Release Release `yaml:"release"`

	// pos records where each value was written, by path ("test.run",
	// "release.expose[0]"). Values filled by defaults or presets have none.
	pos positions
	// file is the name errors are reported against.
	file string
}

// Source selects what of the build context test and build see. The
// .dockerignore file applies first.
type Source struct {
	// Exclude lists patterns (.dockerignore syntax) left out of the source copy.
	Exclude []string `yaml:"exclude"`
}

// Dependencies are the package-manager steps. Both install commands see only
// the manifests; development runs on top of production (a superset).
type Dependencies struct {
	// Manifests are the files the installs need (package.json, lockfile),
	// relative to the context. Only these are copied before the installs.
	Manifests []string `yaml:"manifests"`
	// Production installs what the release needs at run time.
	Production string `yaml:"production"`
	// Development adds what test and build need, on top of production.
	Development string `yaml:"development"`
	// Caches are package-manager cache directories, kept in cache mounts
	// so they speed up installs without landing in any layer.
	Caches []Cache `yaml:"caches"`
}

// Cache is a persistent cache mount. In YAML it is either a path or a mapping.
type Cache struct {
	// Path is the absolute directory to mount the cache at.
	Path string `yaml:"path"`
	// ID names the cache; builds that share an ID share the cache. Default: the path.
	ID string `yaml:"id"`
	// Sharing is shared (default), locked or private, as in RUN --mount=type=cache.
	Sharing string `yaml:"sharing"`
}

// Secret is a BuildKit secret (docker build --secret id=...,src=...)
// mounted for the dependency installs.
type Secret struct {
	// ID is the secret's id as given to --secret.
	ID string `yaml:"id"`
	// Target is the file the secret is mounted at; relative paths are in workdir.
	// Default: the id as a file in workdir when env is not set.
	Target string `yaml:"target"`
	// Env exposes the secret as this environment variable instead of a file.
	Env string `yaml:"env"`
	// Required fails the build when the secret is not provided.
	Required bool `yaml:"required"`
}

// Test is the test step.
type Test struct {
	// Run is the shell command that runs the tests.
	Run string `yaml:"run"`
	// Reports are files the tests write (relative to workdir); when set,
	// --target test exports just these.
	Reports []string `yaml:"reports"`
	// Caches are cache mounts for the test step (e.g. a test runner cache).
	Caches []Cache `yaml:"caches"`
}

// Build is the build step.
type Build struct {
	// Run is the shell command that builds the app.
	Run string `yaml:"run"`
	// Outputs are the paths (relative to workdir) copied into the release.
	// Without a build step they are taken from the source.
	Outputs []string `yaml:"outputs"`
	// Caches are cache mounts for the build step.
	Caches []Cache `yaml:"caches"`
}

// Release is the shipped image's base and configuration.
type Release struct {
	// Image is the runtime base. Default: the build image.
	Image string `yaml:"image"`
	// Env is added to the runtime base's environment.
	Env map[string]string `yaml:"env"`
	// Expose lists ports, as "80" or "53/udp".
	Expose []string `yaml:"expose"`
	// User runs the app. Default: the runtime base's user.
	User string `yaml:"user"`
	// Entrypoint, in exec form. Default: the runtime base's.
	Entrypoint []string `yaml:"entrypoint"`
	// Cmd, in exec form. Default: the runtime base's, unless entrypoint is set.
	Cmd []string `yaml:"cmd"`
	// Labels are added to the image config.
	Labels map[string]string `yaml:"labels"`
}
