// Package rust is the rust preset: it reads Cargo.toml (a workspace's
// members and path dependencies too), Cargo.lock and the toolchain file
// from the build context and fills a dependency step that compiles every
// locked crate from the manifests alone (the app's sources replaced by a
// skeleton, as cargo-chef does), offline tests and build on it, and a
// release that is the binary alone: static (musl) on distroless static
// when no package builds C code, else on distroless cc, as an
// unprivileged user.
package rust

import (
	"path"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// Provider is the rust preset.
type Provider struct{}

func (Provider) Name() string        { return "rust" }
func (Provider) Rules() []*plan.Rule { return []*plan.Rule{RustVersionMismatch} }

// The runtime images: both have CA certificates, tzdata and the nonroot
// user (65532), and no shell; cc adds glibc, libgcc and libssl.
const (
	staticRuntime = "gcr.io/distroless/static-debian12:nonroot"
	ccRuntime     = "gcr.io/distroless/cc-debian12:nonroot"
	// nonroot is distroless's unprivileged user, numeric so that it needs
	// no /etc/passwd (scratch has none) and Kubernetes can verify it.
	nonroot  = "65532:65532"
	caBundle = "/etc/ssl/certs/ca-certificates.crt"
)

// Files: Cargo.toml, Cargo.lock, the toolchain files and cargo's settings
// at the root and in the app's folder, and the files that say which
// targets a package has (build.rs, src/main.rs, src/lib.rs, src/bin);
// once a manifest is read, those of its workspace members and path
// dependencies and the files its [[bin]], [[test]], [[bench]] and
// [[example]] name.
func (Provider) Files(p *plan.Plan, read map[string][]byte) []string {
	app := path.Clean(p.App.Value)
	dirs := []string{"."}
	if app != "." && !plan.HasWildcard(app) {
		dirs = append(dirs, app)
	}
	var files []string
	for _, d := range dirs {
		for _, name := range []string{"Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-toolchain", ".cargo/config.toml", ".cargo/config"} {
			files = append(files, path.Join(d, name))
		}
		files = append(files, targetFiles(d)...)
	}
	if len(dirs) == 2 {
		// rustup looks for a toolchain file from the app's folder up
		for d := path.Dir(app); d != "."; d = path.Dir(d) {
			files = append(files, path.Join(d, "rust-toolchain.toml"), path.Join(d, "rust-toolchain"))
		}
	}
	pr, err := loadProject(scaffold.Decoded(read, encoding), app, true)
	if err != nil {
		return files
	}
	if ws := pr.rootM.Workspace; ws != nil {
		for _, g := range ws.Members {
			if pattern, ok := inContext(pr.root, g); ok && !strings.Contains(g, "**") {
				files = append(files, path.Join(pattern, "Cargo.toml"))
				files = append(files, targetFiles(pattern)...)
			}
		}
	}
	for _, c := range pr.crates {
		files = append(files, c.file())
		files = append(files, targetFiles(c.dir)...)
		files = append(files, c.declaredFiles()...)
		for _, d := range c.deps {
			if d.path != "" {
				files = append(files, path.Join(d.path, "Cargo.toml"))
				files = append(files, targetFiles(d.path)...)
			}
		}
	}
	return files
}

// filler carries one Fill.
type filler struct {
	*scaffold.Filler
	pr   *project
	lock *lockfile
	// static: the release is a static musl binary.
	static bool
	// helpers: the preset's tools step installs its helpers.
	helpers bool
}

// Fill fills what the Stagefile left out; everything written wins.
func (Provider) Fill(p *plan.Plan, facts *plan.Facts) ([]*plan.Warning, error) {
	f := &filler{Filler: scaffold.New("rust", p, facts)}
	if err := f.Decode(encoding); err != nil {
		return f.Warnings, err
	}
	err := f.fill()
	return f.Warnings, err
}

// encoding is how cargo and rustup read their files: UTF-8, a byte order
// mark dropped and CRLF line ends read as LF; bytes that are not UTF-8
// are an error. Of the Rust sources the preset reads only that they
// exist.
func encoding(name string) scaffold.Encoding {
	if path.Ext(name) == ".rs" {
		return scaffold.Encoding{Raw: true}
	}
	return scaffold.Encoding{Tool: "cargo", BOM: true}
}

func (f *filler) fill() error {
	p, files := f.P, f.Facts.Files
	app := path.Clean(p.App.Value)
	pr, err := loadProject(files, app, false)
	if err != nil {
		if ae, ok := err.(*appError); ok {
			return f.FailAt(p.App.Origin.At, "%s", ae.msg)
		}
		return f.Fail("%s", err.Error())
	}
	f.pr = pr
	lockName := path.Join(pr.root, "Cargo.lock")
	dt, ok := files[lockName]
	if !ok {
		return f.Fail("there is no %s: preset rust builds exactly what a lockfile says (run cargo generate-lockfile and commit Cargo.lock; check .dockerignore)", lockName)
	}
	if f.lock, err = readLockfile(dt); err != nil {
		return f.Fail("%s is not a lockfile cargo can read: %v (run cargo generate-lockfile and commit %s)", lockName, err, lockName)
	}
	if err := f.lock.check(pr); err != nil {
		return f.Fail("%s", err.Error())
	}
	if found := f.lock.credentials(); len(found) > 0 {
		f.Warn(plan.CredentialsInLockfile, f.Origin(lockName), "%s records credentials in %d source URLs, e.g. %s: they are in the repository, and are removed from the SBOM and the plan (give cargo the token through a secret, e.g. CARGO_REGISTRIES_NAME_TOKEN or a git credential, and regenerate %s)",
			lockName, len(found), printable(found[0]), lockName)
	}
	cCode := f.lock.compilesC()
	f.static = f.isStatic(cCode)
	if err := f.image(pr, cCode); err != nil {
		return err
	}
	sources, names, bins, err := f.skeleton()
	if err != nil {
		return err
	}
	f.dependencies(sources, names)
	f.test()
	if err := f.build(bins); err != nil {
		return err
	}
	f.release(cCode)
	f.scope()
	p.Dependencies.PackagesFrom = f.Origin(lockName + ", the app's dependencies (not its dev-dependencies), every platform's")
	p.Dependencies.Packages = f.lock.shipped(pr)
	return nil
}

// isStatic: the release is a static musl binary when the runtime is
// distroless static or scratch, written or, when no package builds C
// code, the preset's.
func (f *filler) isStatic(cCode string) bool {
	r := f.P.Release.Image
	if r.Set() {
		return r.Value == "scratch" || strings.Contains(r.Value, "distroless/static")
	}
	return cCode == ""
}

// skeleton lists every source file of the local packages that the
// dependency step writes in place of the real one, the names their
// compiled units go by, and the app's binaries.
func (f *filler) skeleton() (files, names []string, bins []bin, err error) {
	for _, c := range f.pr.crates {
		srcs, cbins, err := c.sources(f.Facts.Files)
		if err != nil {
			return nil, nil, nil, f.Fail("%s", err.Error())
		}
		for _, s := range srcs {
			files = append(files, s.kind+":"+s.path)
		}
		names = append(names, c.crateNames(cbins)...)
		if c == f.pr.app {
			bins = cbins
		}
	}
	return files, dedupe(names), bins, nil
}

// targetDir is CARGO_TARGET_DIR: the root's target folder, in workdir.
func (f *filler) targetDir() string {
	return path.Join(path.Clean(f.P.Workdir.Value), f.pr.root, "target")
}

// dependencies: the manifests alone, a skeleton of the sources, and cargo
// compiling every dependency of the app into the target folder, which
// stays in the dependency layer for the tests and the build: the release
// profile (which the build uses) in the production step, the tests' on
// top of it in the development step. The downloaded crates stay in the
// layer too (CARGO_HOME), so test and build run offline.
func (f *filler) dependencies(sources, names []string) {
	p, pr, files := f.P, f.pr, f.Facts.Files
	d := &p.Dependencies
	if d.Manifests == nil {
		add := func(name, why string) {
			if _, ok := files[name]; ok {
				d.Manifests = append(d.Manifests, plan.Value[string]{Value: name, Origin: f.Origin(why)})
			}
		}
		add(path.Join(pr.root, "Cargo.toml"), "the project's manifest")
		add(path.Join(pr.root, "Cargo.lock"), "the lockfile")
		for _, c := range pr.crates {
			if c.dir != pr.root {
				add(c.file(), c.why)
			}
		}
	}
	if d.Config == nil {
		seen := map[string]bool{}
		for dir := path.Clean(p.App.Value); ; dir = path.Dir(dir) {
			for _, name := range []string{".cargo/config.toml", ".cargo/config"} {
				name = path.Join(dir, name)
				if _, ok := files[name]; ok && !seen[name] {
					seen[name] = true
					d.Config = append(d.Config, plan.Value[string]{Value: name, Origin: f.Origin("cargo's settings, which every cargo command reads")})
				}
			}
			if dir == "." {
				break
			}
		}
	}
	if d.Tools == nil {
		f.helpers = true
		tools := [][]string{installHelpers()}
		why := "the helpers the dependency step and the build run: " + skeleton + ", " + forget + ", " + copyBinary
		if f.static {
			tools = append(tools, script("musl-target", muslScript))
			why += "; for a static binary, the musl target of the image's Rust, cargo's default target for every step"
		}
		d.Tools = plan.Argv(f.Origin(why), tools...)
	}
	cd := [][]string{}
	if app := path.Clean(p.App.Value); app != "." {
		cd = append(cd, []string{"cd", app})
	}
	install := func(cargo []string) [][]string {
		argv := [][]string{f.helper(skeleton, sources...)}
		argv = append(argv, cd...)
		argv = append(argv, cargo)
		return append(argv, f.helper(forget, names...))
	}
	if d.Production == nil {
		d.Production = plan.Argv(f.Origin("Cargo.lock → every dependency compiled for the release profile, from the manifests and a skeleton of the sources"),
			install([]string{"cargo", "build", "--release", "--locked"})...)
	}
	if d.Development == nil {
		d.Development = plan.Argv(f.Origin("Cargo.lock → the dev-dependencies and the tests' build of the rest, from the manifests and a skeleton"),
			install([]string{"cargo", "test", "--release", "--locked", "--no-run"})...)
	}
	plan.SetVar(&p.Env, "CARGO_TARGET_DIR", f.targetDir(), f.Origin("the compiled dependencies, in the dependency layer for the tests and the build"))
	target := path.Join(pr.root, "target")
	p.ExcludeFromSource(target, f.Origin("cargo's target folder: the developer's would replace the compiled dependencies"))
	for _, name := range []string{"rust-toolchain.toml", "rust-toolchain"} {
		for dir := path.Clean(p.App.Value); ; dir = path.Dir(dir) {
			if _, ok := files[path.Join(dir, name)]; ok {
				p.ExcludeFromSource(path.Join(dir, name), f.Origin("the image's Rust builds everything: rustup would download the toolchain the file names in the tests and the build"))
			}
			if dir == "." {
				break
			}
		}
	}
}

// test runs the tests in the release profile, on the dependencies the
// development step compiled, offline.
func (f *filler) test() {
	t := &f.P.Test
	if t.Run == nil && !t.None.Set() {
		t.Run = plan.Argv(f.Origin("the tests, in the release profile the dependency step compiled, offline"), []string{"cargo", "test", "--release", "--locked", "--offline"})
	}
}

// build compiles the app's binary and copies it to bin/NAME; the binary
// is looked for only when something still needs it.
func (f *filler) build(bins []bin) error {
	p := f.P
	b, r := &p.Build, &p.Release
	if b.Run != nil && b.Outputs != nil && (r.Entrypoint.Set() || r.Cmd.Set()) {
		return nil
	}
	main, err := f.binary(bins)
	if err != nil {
		return err
	}
	app := path.Clean(p.App.Value)
	out := "bin/" + main.name
	scratch := r.Image.Value == "scratch"
	if b.Run == nil {
		argv := [][]string{{"cargo", "build", "--release", "--locked", "--offline"}, f.helper(copyBinary, f.targetDir(), main.name)}
		if scratch {
			// scratch has no CA certificates: the release takes the build
			// image's, and SSL_CERT_FILE points OpenSSL and rustls at them
			argv = append(argv, []string{"mkdir", "-p", "etc"}, []string{"cp", caBundle, "etc/ca-certificates.crt"})
		}
		b.Run = plan.Argv(f.Origin(main.why), argv...)
	}
	if b.Outputs == nil {
		b.Outputs = []plan.Value[string]{{Value: path.Join(app, out), Origin: f.Origin("the binary cargo build writes, copied out of the target folder")}}
		if scratch {
			b.Outputs = append(b.Outputs, plan.Value[string]{Value: path.Join(app, "etc/ca-certificates.crt"), Origin: f.Origin("CA certificates, which scratch lacks")})
			plan.SetVar(&r.Env, "SSL_CERT_FILE", path.Join(path.Clean(p.Workdir.Value), app, "etc/ca-certificates.crt"), f.Origin("where TLS libraries find the CA certificates on scratch"))
		}
	}
	if !r.Entrypoint.Set() && !r.Cmd.Set() {
		r.Entrypoint = plan.Value[[]string]{Value: []string{path.Join(path.Clean(p.Workdir.Value), app, out)}, Origin: f.Origin("the binary as PID 1")}
	}
	return nil
}

// binary is the app's one binary, or the one default-run names.
func (f *filler) binary(bins []bin) (bin, error) {
	c := f.pr.app
	switch len(bins) {
	case 1:
		return bin{bins[0].name, bins[0].why + ": the package's one binary"}, nil
	case 0:
		return bin{}, f.Fail("%s builds no binary (no src/main.rs, src/bin or [[bin]]): preset rust releases a program (point app at a package with one, or write build.run, build.outputs and release.entrypoint)", c.file())
	}
	if dr := c.m.Package.DefaultRun; dr != "" {
		for _, b := range bins {
			if b.name == dr {
				return bin{b.name, c.file() + " default-run " + printable(dr)}, nil
			}
		}
		return bin{}, f.Fail("%s: default-run names %q, which is none of its binaries", c.file(), printable(dr))
	}
	var names []string
	for _, b := range bins {
		names = append(names, b.name)
	}
	return bin{}, f.Fail("%s builds several binaries (%s): preset rust releases one (set default-run in [package], or write build.run, build.outputs and release.entrypoint)", c.file(), scaffold.Few(names))
}

// release: the binary alone (no target folder, no source) on distroless
// static (a musl binary) or cc (glibc), as an unprivileged user.
func (f *filler) release(cCode string) {
	p := f.P
	r := &p.Release
	if !r.NoDependencies.Set() {
		r.NoDependencies = plan.Value[bool]{Value: true, Origin: f.Origin("a compiled binary needs no dependency layer: the build outputs are all that ships")}
	}
	if !r.Image.Set() {
		if f.static {
			r.Image = plan.Value[string]{Value: staticRuntime, Origin: f.Origin("a static musl binary (pure Rust: no package of Cargo.lock builds C code): CA certificates, tzdata and a nonroot user, no libc, no shell")}
		} else {
			r.Image = plan.Value[string]{Value: ccRuntime, Origin: f.Origin("glibc, libgcc and libssl for a binary that links C (" + cCode + "): CA certificates, tzdata and a nonroot user, no shell")}
		}
	}
	if r.User.Set() {
		return
	}
	if r.Image.Value == "scratch" {
		r.User = plan.Value[string]{Value: nonroot, Origin: f.Origin("scratch has no users: distroless's nonroot uid, numeric")}
		return
	}
	if f.Facts.Image == nil {
		return // decided at build time, from the runtime image
	}
	img, err := f.Facts.Image(r.Image.Value)
	if err != nil {
		return // the conversion resolves the image again and reports the error there
	}
	if img != nil && img.Config != nil {
		if u := img.Config.Config.User; u != "" && !isRoot(u) {
			r.User = plan.Value[string]{Value: u, Origin: f.Origin("the runtime image already runs as " + u)}
			return
		}
	}
	r.User = plan.Value[string]{Value: nonroot, Origin: f.Origin("the runtime image runs as root: distroless's nonroot uid, numeric")}
}

func isRoot(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0"
}

// scope: for a member of a workspace, test and build see its folder, the
// local packages it depends on (all kinds for the app, the rest's
// dependencies and build dependencies, transitively) and the root's
// manifest and lockfile. The other members keep their skeleton from the
// dependency step, which is all cargo needs of them to load the
// workspace, so an edit there reruns neither.
func (f *filler) scope() {
	p, pr := f.P, f.pr
	src := &p.Source
	app := path.Clean(p.App.Value)
	if app == "." || pr.root == app || src.Scope.Written() && src.Scope.Value == plan.ScopeContext {
		return
	}
	type scoped struct{ path, why string }
	var paths []scoped
	seen := map[string]bool{}
	var walk func(c *crate, kinds map[string]bool, chain string)
	unscoped := ""
	walk = func(c *crate, kinds map[string]bool, chain string) {
		for _, d := range c.deps {
			if d.path == "" || !kinds[d.kind] || seen[d.path] {
				continue
			}
			seen[d.path] = true
			if d.path == "." {
				unscoped = chain + " → " + d.name + " (the root package, whose folder is the whole context)"
				continue
			}
			next := chain + " → " + d.name
			paths = append(paths, scoped{d.path, d.from + ": " + next + " (" + d.path + ")"})
			if dc := pr.byDir[d.path]; dc != nil {
				walk(dc, map[string]bool{normal: true, build: true}, next)
			}
		}
	}
	seen[app] = true
	walk(pr.app, map[string]bool{normal: true, dev: true, build: true}, pr.app.name())
	if unscoped != "" {
		if !src.Scope.Written() {
			src.Scope = plan.Value[string]{Value: plan.ScopeContext, Origin: f.Origin("the whole context: " + unscoped)}
			f.Warn(plan.UnscopedWorkspace, src.Scope.Origin, "preset rust cannot scope %s to the packages it uses: %s; test and build copy the whole context, so an edit anywhere reruns them (move the root package into a folder of its own, or list what the app needs under source.include with source.scope: workspace)",
				printable(app), unscoped)
			return
		}
	}
	p.IncludeInSource(app, f.Origin("the app"))
	for _, s := range paths {
		p.IncludeInSource(s.path, f.Origin(s.why))
	}
	p.IncludeInSource(path.Join(pr.root, "Cargo.toml"), f.Origin("the workspace's manifest"))
	p.IncludeInSource(path.Join(pr.root, "Cargo.lock"), f.Origin("the lockfile"))
	if !src.Scope.Written() {
		src.Scope = plan.Value[string]{Value: plan.ScopeWorkspace, Origin: f.Origin("a workspace member: its folder and the local packages it depends on; the other members keep their skeleton")}
	}
}
