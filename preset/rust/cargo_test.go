package rust

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// tiny is a workspace cargo builds without a registry: an app whose build
// script, library and binary differ from the skeleton's in what they
// compile to, a path dependency, and a member the app does not use.
var tiny = map[string]string{
	"Cargo.toml":                "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
	"crates/api/Cargo.toml":     "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nshared = { path = \"../shared\" }\n",
	"crates/api/build.rs":       "fn main() { println!(\"cargo:rustc-env=API_BUILT=by its build script\"); }\n",
	"crates/api/src/lib.rs":     "pub fn message() -> String { format!(\"{}, {}\", shared::greet(), env!(\"API_BUILT\")) }\n\n#[test]\nfn says_hello() { assert!(message().starts_with(\"hello\")); }\n",
	"crates/api/src/main.rs":    "fn main() { println!(\"{}\", api::message()); }\n",
	"crates/shared/Cargo.toml":  "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
	"crates/shared/src/lib.rs":  "pub fn greet() -> &'static str { \"hello from shared\" }\n",
	"crates/other/Cargo.toml":   "[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
	"crates/other/src/main.rs":  "fn main() {}\n",
	"rust-toolchain.toml":       "[toolchain]\nchannel = \"stable\"\n",
	"crates/api/target/garbage": "the developer's own target folder",
}

// TestStepsWithCargo runs the plan's commands with the machine's cargo,
// as the steps run them: the dependency steps on the manifests alone,
// then the source copied over them with modification times older than
// their build (what a copy from the context may leave), then the tests
// and the build, offline. The app's real code must be what is tested and
// built; without the forget helper it is not (cargo-chef's pitfall).
func TestStepsWithCargo(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("no cargo on PATH")
	}
	if testing.Short() {
		t.Skip("compiles a workspace")
	}
	ctx := t.TempDir()
	for name, dt := range tiny {
		assert.NilError(t, os.MkdirAll(filepath.Join(ctx, filepath.Dir(name)), 0o755))
		assert.NilError(t, os.WriteFile(filepath.Join(ctx, name), []byte(dt), 0o644))
	}
	lock := exec.Command("cargo", "generate-lockfile", "--offline")
	lock.Dir = ctx
	out, err := lock.CombinedOutput()
	assert.NilError(t, err, string(out))

	t.Run("skeleton forgotten", func(t *testing.T) {
		out := runSteps(t, ctx, false)
		assert.Check(t, is.Contains(out.test, "test says_hello ... ok"))
		assert.Check(t, is.Equal(out.run, "hello from shared, by its build script\n"))
		assert.Check(t, !strings.Contains(out.build, "Compiling other"), "the member the app does not use is not built")
	})
	t.Run("skeleton kept", func(t *testing.T) {
		// the pitfall the forget helper avoids: the tests find nothing to
		// run, and the build links the skeleton's empty library
		out := runSteps(t, ctx, true)
		assert.Check(t, !strings.Contains(out.test, "says_hello"), out.test)
		assert.Check(t, is.Contains(out.build, "error"), out.build)
	})
}

type stepOutput struct{ test, build, run string }

func runSteps(t *testing.T, ctx string, keepSkeleton bool) stepOutput {
	work := filepath.Join(t.TempDir(), "app")
	s, err := spec.Parse("Stagefile", []byte("version: 1\npreset: rust\nworkdir: "+work+"\napp: crates/api\nrelease:\n  image: gcr.io/distroless/cc-debian12:nonroot\n"))
	assert.NilError(t, err)
	r := plan.Resolver{
		Providers: map[string]plan.Provider{"rust": Provider{}},
		ReadFiles: func(names []string) (map[string][]byte, error) { return contextdir.ReadFiles(ctx, names) },
		Image:     images,
	}
	p, _, err := r.Resolve(s)
	assert.NilError(t, err)
	assert.Check(t, !strings.Contains(p.Dependencies.Tools.Script(), "musl"), "glibc: no target to download")

	bin := t.TempDir()
	env := append(os.Environ(), "CARGO_HOME="+t.TempDir(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "CARGO_TERM_COLOR=never")
	for _, v := range p.Env {
		env = append(env, v.Name+"="+v.Value)
	}
	run := func(dir string, c *plan.Command, fail bool) string {
		t.Helper()
		script := strings.ReplaceAll(c.Script(), helperDir, bin+"/")
		if keepSkeleton {
			script = strings.ReplaceAll(script, forget+" ", "true ")
		}
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if fail {
			assert.NilError(t, err, "%s\n%s", script, out)
		}
		return string(out)
	}
	assert.NilError(t, os.MkdirAll(work, 0o755))
	run(work, p.Dependencies.Tools, true)
	for _, m := range plan.Values(p.Dependencies.Manifests) {
		copyFile(t, filepath.Join(ctx, m), filepath.Join(work, m), time.Now())
	}
	run(work, p.Dependencies.Production, true)
	run(work, p.Dependencies.Development, true)

	// the source copy: the workspace scope, older than the dependency steps
	assert.Check(t, p.Scoped())
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	excluded := map[string]bool{}
	for _, e := range plan.Values(p.Source.Exclude) {
		excluded[e] = true
	}
	for name := range tiny {
		inScope := false
		for _, inc := range plan.Values(p.Source.Include) {
			inScope = inScope || name == inc || strings.HasPrefix(name, inc+"/")
		}
		if inScope && !excluded[name] && !strings.Contains(name, "/target/") {
			copyFile(t, filepath.Join(ctx, name), filepath.Join(work, name), old)
		}
	}
	appDir := filepath.Join(work, "crates/api")
	var o stepOutput
	o.test = run(appDir, p.Test.Run, !keepSkeleton)
	o.build = run(appDir, p.Build.Run, !keepSkeleton)
	if !keepSkeleton {
		out, err := exec.Command(filepath.Join(work, plan.Values(p.Build.Outputs)[0])).CombinedOutput()
		assert.NilError(t, err, string(out))
		o.run = string(out)
	}
	return o
}

func copyFile(t *testing.T, from, to string, mtime time.Time) {
	t.Helper()
	dt, err := os.ReadFile(from)
	assert.NilError(t, err)
	assert.NilError(t, os.MkdirAll(filepath.Dir(to), 0o755))
	assert.NilError(t, os.WriteFile(to, dt, 0o644))
	assert.NilError(t, os.Chtimes(to, mtime, mtime))
}
