package llb

import (
	"path"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// What the steps of a plan read and write, described without LLB: the
// converter builds its graph from these, and `stagefile eject` writes a
// Dockerfile from the same descriptions, so the two cannot drift apart.

// StatusDir is where the test step records the tests' exit code and
// output when test.reports are declared: a mount of its own in the
// graph, whose two files the test-reports target carries at its root.
const StatusDir = "/.stagefile"

// exitCodeFile holds the tests' exit code, in StatusDir and at the root
// of the test-reports target.
const exitCodeFile = "exit-code"

// outputFile holds the tests' output (stdout and stderr), beside it.
const outputFile = "test-output.log"

// Exported names of the two files, for other writers of the same steps.
const (
	ExitCodeFile = exitCodeFile
	OutputFile   = outputFile
)

// RecordScript is the shell script of the test step when test.reports
// are declared: it runs the tests' script, given as $0 (an argument, not
// pasted in: no quoting), and records their exit code and output in
// StatusDir instead of failing, so the reports of a failing run can still
// be exported. The output is kept too: when the build runs again, this
// step is a cache hit and prints nothing, and the gate shows it.
func RecordScript() string {
	return `{ /bin/sh -c "$0"; echo $? > ` + StatusDir + `/` + exitCodeFile + `; } 2>&1 | tee ` + StatusDir + `/` + outputFile
}

// GateScript fails when the exit code RecordScript recorded is not 0,
// with the end of the tests' output.
func GateScript() string {
	return `code=$(cat ` + StatusDir + `/` + exitCodeFile + `); [ "$code" = 0 ] && exit 0; ` +
		`echo "the tests failed (exit code $code); the end of their output:" >&2; ` +
		`tail -n 60 ` + StatusDir + `/` + outputFile + ` >&2 2>/dev/null || cat ` + StatusDir + `/` + outputFile + ` >&2; exit "$code"`
}

// MountKind is what a Mount mounts.
type MountKind int

const (
	// CacheMount is a persistent cache (ID, Sharing).
	CacheMount MountKind = iota
	// ContextMount is a file of the build context (Source), read-only.
	ContextMount
	// SecretMount is a BuildKit secret (ID), as a file at Target, as the
	// environment variable Env, or both.
	SecretMount
)

// Mount is a mount a step gets besides its root filesystem and the tmpfs
// every step has at /tmp.
type Mount struct {
	Kind MountKind
	// Target is the absolute path it is mounted at; "" for a secret given
	// only as an environment variable.
	Target string
	// ID is a cache's id (without BUILDKIT_CACHE_MOUNT_NS) or a secret's.
	ID string
	// Sharing is a cache's: shared, locked or private.
	Sharing string
	// Source is a context file's path in the context, cleaned.
	Source string
	// Env is the variable a secret is given as.
	Env string
	// Required: the build fails when the client does not pass the secret.
	Required bool
	// Origin is where the Stagefile (or a preset) asked for it.
	Origin plan.Origin
}

// CacheMounts are caches as a step mounts them.
func CacheMounts(caches []plan.Cache) []Mount {
	var out []Mount
	for _, cache := range caches {
		sharing := "shared"
		switch cache.Sharing.Value {
		case "locked", "private":
			sharing = cache.Sharing.Value
		}
		out = append(out, Mount{Kind: CacheMount, Target: path.Clean(cache.Path.Value), ID: cache.CacheID(), Sharing: sharing, Origin: cache.Origin})
	}
	return out
}

// InstallMounts are what the dependency installs (and the tools step)
// mount besides the root: the package-manager caches, the config files
// (read-only, from the context) and the secrets for installs. None of them
// is stored in a layer.
func InstallMounts(p *plan.Plan) []Mount {
	return StepMounts(p, p.Dependencies.Caches, plan.SecretInstall)
}

// StepMounts are what a step (plan.SecretInstall, SecretTest,
// SecretBuild) mounts besides the root: its caches, the package
// manager's settings (dependencies.config: they may hold a token, so
// every step that runs the package manager mounts them and none copies
// them) and the secrets that name the step.
func StepMounts(p *plan.Plan, caches []plan.Cache, step string) []Mount {
	d := p.Dependencies
	out := CacheMounts(caches)
	for _, f := range d.Config {
		src := path.Clean(f.Value)
		out = append(out, Mount{Kind: ContextMount, Target: path.Join(p.Workdir.Value, src), Source: src, Origin: f.Origin})
	}
	for _, sec := range p.Secrets {
		if !sec.For(step) {
			continue
		}
		m := Mount{Kind: SecretMount, ID: sec.ID.Value, Required: sec.Required, Origin: sec.Origin}
		if sec.Target.Set() {
			m.Target = p.SecretTarget(sec)
		}
		if sec.Env.Set() {
			m.Env = sec.Env.Value
		}
		out = append(out, m)
	}
	return out
}

// SourceCopy is a copy of the build context onto workdir: the paths of
// Include only (all of it when nil), without those Exclude matches
// (patterns relative to the context, on top of .dockerignore).
type SourceCopy struct {
	Include, Exclude []string
	// What says what it copies, for people.
	What string
}

// SourceCopies is how test and build get their source: the whole context,
// or for an app of a workspace only its scope (the app's folder, the
// packages it depends on, the root's tool files), so an edit elsewhere in
// the repository moves no digest of the app's steps. With build.workspace,
// first is the scope without the app's folder, the workspace packages are
// built on it (app is then set), and app copies the app's folder last: an
// edit in the app keeps that build cached.
func SourceCopies(p *plan.Plan) (first SourceCopy, app *SourceCopy) {
	exclude := plan.Values(p.Source.Exclude)
	first = SourceCopy{Exclude: exclude, What: "copy build context"}
	if p.Scoped() {
		first.Include = plan.Values(p.Source.Include)
		first.What = "copy the workspace scope: " + strings.Join(first.Include, " ")
	}
	if p.Build.Workspace == nil {
		return first, nil
	}
	dir := path.Clean(p.App.Value)
	first.Exclude = append(append([]string{}, exclude...), dir)
	first.What += " (without " + dir + ")"
	return first, &SourceCopy{Include: []string{dir}, Exclude: exclude, What: "copy " + dir}
}

// OutputsFromContext: the release takes build.outputs straight from the
// build context, as there is no build step to make them (they then wait
// for no install); else from the build step's workdir.
func OutputsFromContext(p *plan.Plan) bool {
	return p.Build.Run == nil && p.Build.Workspace == nil
}

// WritableDirs are the release's writable folders, absolute.
func WritableDirs(p *plan.Plan) []string {
	var out []string
	for _, v := range p.Release.Writable {
		d := v.Value
		if !path.IsAbs(d) {
			d = path.Join(p.Workdir.Value, d)
		}
		out = append(out, d)
	}
	return out
}

// CheckWritableOwner refuses writable folders for an app that runs as
// root (owner is the release's user): they would be root's, and the app
// could write anywhere anyway.
func CheckWritableOwner(p *plan.Plan, owner string) error {
	w := p.Release.Writable
	if len(w) == 0 {
		return nil
	}
	if name, _, _ := strings.Cut(owner, ":"); name == "" || name == "root" || name == "0" {
		return spec.Errorf(p.File, w[0].Origin.At, "release.writable makes folders the app's own, but the app runs as root (set release.user, e.g. user: node)")
	}
	return nil
}

// HasGlob reports whether a path of the plan is a pattern.
func HasGlob(p string) bool { return hasGlob(p) }
