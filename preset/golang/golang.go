// Package golang is the go preset: it reads go.mod, go.sum, go.work and
// the package clauses of the module's main packages from the build
// context and fills the module download, vet and test, a static build of
// the one main package, and a release that is the binary alone on a
// distroless static image, as an unprivileged user.
package golang

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// Provider is the go preset.
type Provider struct{}

// GoVersionMismatch is the preset's rule for a build image whose Go is
// older than go.mod's go line: the official images set GOTOOLCHAIN=local,
// so the build fails.
var GoVersionMismatch = plan.NewRule("GoVersionMismatch", "The build image's Go is older than the go line of go.mod or go.work.")

// Where the official golang images keep modules (GOPATH=/go) and root's
// build cache; both are cache mounts, never in a layer.
const (
	modCache   = "/go/pkg/mod"
	buildCache = "/root/.cache/go-build"
	// DefaultRuntime has CA certificates, tzdata, /etc/passwd with nonroot
	// (65532), and no shell: all a static Go binary needs.
	DefaultRuntime = "gcr.io/distroless/static-debian12:nonroot"
	// nonroot is distroless's unprivileged user, numeric so that it needs
	// no /etc/passwd (scratch has none) and Kubernetes can verify it.
	nonroot  = "65532:65532"
	caBundle = "/etc/ssl/certs/ca-certificates.crt"
)

// wsDepth is how deep go.work's modules may be: their go.mod and go.sum
// are found by wildcards, one per level.
const wsDepth = 3

func (Provider) Name() string        { return "go" }
func (Provider) Rules() []*plan.Rule { return []*plan.Rule{GoVersionMismatch} }

// Files: go.mod and go.sum (the root's and the app's), go.work and
// go.work.sum with its modules' go.mod and go.sum, and the Go files of
// the app's folder and of its cmd/* folders, whose package clauses say
// which package is the program. Once go.work is read: its vendor folder's
// modules.txt and the go.mod of the folders its replace directives (and
// its modules') name, which the scope of the app follows.
func (Provider) Files(p *plan.Plan, read map[string][]byte) []string {
	if _, ok := read["go.work"]; ok {
		return append([]string{"vendor/modules.txt"}, replacementFiles(scaffold.Decoded(read, encoding))...)
	}
	app := path.Clean(p.App.Value)
	files := []string{"go.mod", "go.sum", "go.work", "go.work.sum"}
	glob := "*"
	for range wsDepth {
		files = append(files, glob+"/go.mod", glob+"/go.sum")
		glob += "/*"
	}
	files = append(files, scaffold.PinFiles(app)...)
	return append(files, path.Join(app, "*.go"), path.Join(app, "cmd/*/*.go"))
}

// filler carries one Fill.
type filler struct{ *scaffold.Filler }

// Fill fills what the Stagefile left out; everything written wins.
func (Provider) Fill(p *plan.Plan, facts *plan.Facts) ([]*plan.Warning, error) {
	f := &filler{scaffold.New("go", p, facts)}
	err := f.fill()
	return f.Warnings, err
}

// encoding is how go reads its files: UTF-8, CRLF line ends as LF. go
// rejects a byte order mark in go.mod and go.work ("unexpected input
// character '\ufeff'") and reads one in go.sum as part of the first
// module's path; the Go parser skips one at the start of a source file,
// where bytes that are not UTF-8 are an error ("illegal UTF-8 encoding").
func encoding(name string) scaffold.Encoding {
	if scaffold.IsPinFile(name) {
		return scaffold.PinEncoding
	}
	if strings.HasSuffix(name, ".go") {
		return scaffold.Encoding{Tool: "go", BOM: true}
	}
	return scaffold.Encoding{Tool: "go", Lossy: true}
}

// module is the app's module as its files say.
type module struct {
	dir  string // relative to the context
	mod  *modfile.File
	work *modfile.WorkFile
	// uses are go.work's module folders, cleaned.
	uses []string
}

func (f *filler) fill() error {
	if err := f.Decode(encoding); err != nil {
		return err
	}
	p, files := f.P, f.Facts.Files
	app := path.Clean(p.App.Value)
	m := module{dir: app}
	if dt, ok := files["go.work"]; ok {
		w, err := modfile.ParseWork("go.work", dt, nil)
		if err != nil {
			return f.Fail("go.work is not a workspace file go can read: %v (fix it, or run go work sync)", oneLine(err))
		}
		m.work = w
		for _, u := range w.Use {
			dir := path.Clean(u.Path)
			if path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") {
				return f.Fail("go.work uses %s, outside the build context (build from the folder that holds every module)", printable(u.Path))
			}
			if strings.Count(dir, "/") >= wsDepth {
				return f.Fail("go.work uses %s, deeper than the %d folder levels preset go reads (write dependencies.manifests)", printable(dir), wsDepth)
			}
			if _, ok := files[path.Join(dir, "go.mod")]; !ok {
				return f.Fail("go.work uses %s, which has no go.mod in the build context (check .dockerignore)", printable(dir))
			}
			m.uses = append(m.uses, dir)
		}
	}
	modPath := path.Join(app, "go.mod")
	dt, ok := files[modPath]
	if !ok {
		if m.work != nil && app == "." {
			return f.Fail("go.work is at the root, but no module is (set app to the module to release, e.g. app: %s)", firstOr(m.uses, "cmd/api"))
		}
		if app != "." {
			return f.FailAt(p.App.Origin.At, "app %q has no go.mod (point app at the folder of the module to release)", app)
		}
		return f.Fail("preset go needs a go.mod at the root of the build context (run go mod init; is it excluded by .dockerignore?)")
	}
	mod, err := modfile.Parse(modPath, dt, nil)
	if err != nil {
		return f.Fail("%s is not a module file go can read: %v (fix it, or run go mod tidy)", modPath, oneLine(err))
	}
	if mod.Module == nil {
		return f.Fail("%s has no module line (run go mod init)", modPath)
	}
	m.mod = mod
	if err := f.checkSums(m); err != nil {
		return err
	}
	if err := f.image(m); err != nil {
		return err
	}
	f.dependencies(m)
	f.test()
	if err := f.build(m); err != nil {
		return err
	}
	f.release()
	f.scope(m)
	return nil
}

// checkSums: go.sum records every module go.mod requires (go mod tidy
// writes them all), else the download fails on a missing checksum. In a
// workspace the sums are spread over go.work.sum and every module's go.sum:
// the download checks them.
func (f *filler) checkSums(m module) error {
	if m.work != nil || len(m.mod.Require) == 0 {
		return nil
	}
	sumPath := path.Join(m.dir, "go.sum")
	dt, ok := f.Facts.Files[sumPath]
	if !ok {
		return f.Fail("%s requires modules but there is no %s (run go mod tidy and commit go.sum; check .dockerignore)", path.Join(m.dir, "go.mod"), sumPath)
	}
	sums := map[string]bool{}
	for _, line := range strings.Split(string(dt), "\n") {
		if fields := strings.Fields(line); len(fields) == 3 {
			sums[fields[0]+" "+strings.TrimSuffix(fields[1], "/go.mod")] = true
		}
	}
	var missing []string
	for _, r := range m.mod.Require {
		if !sums[r.Mod.Path+" "+r.Mod.Version] && !replacedLocally(m.mod, r.Mod.Path) {
			missing = append(missing, r.Mod.Path+"@"+r.Mod.Version)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return f.Fail("%s is out of sync with go.mod: it has no checksum for %s (run go mod tidy and commit go.sum)", sumPath, scaffold.Few(missing))
}

// replacedLocally: a module replaced by a folder has no checksum.
func replacedLocally(mod *modfile.File, p string) bool {
	for _, r := range mod.Replace {
		if r.Old.Path == p && r.New.Version == "" {
			return true
		}
	}
	return false
}

// dependencies: the manifests are what go mod download reads; the module
// cache is a cache mount, so the download is all the dependency step
// keeps, and test and build mount the same cache.
func (f *filler) dependencies(m module) {
	p, files := f.P, f.Facts.Files
	d := &p.Dependencies
	if d.Manifests == nil {
		add := func(name, why string) {
			if _, ok := files[name]; ok {
				d.Manifests = append(d.Manifests, plan.Value[string]{Value: name, Origin: f.Origin(why)})
			}
		}
		if m.work != nil {
			add("go.work", "the workspace")
			add("go.work.sum", "the workspace's checksums")
			for _, u := range m.uses {
				add(path.Join(u, "go.mod"), "a workspace module ("+u+")")
				add(path.Join(u, "go.sum"), "a workspace module's checksums ("+u+")")
			}
		} else {
			add(path.Join(m.dir, "go.mod"), "the module")
			add(path.Join(m.dir, "go.sum"), "the module's checksums")
		}
	}
	o := f.Origin("go.mod → go mod download")
	download := [][]string{{"go", "mod", "download"}}
	if m.work == nil && m.dir != "." {
		// the module is in a folder of its own, without a workspace
		download = [][]string{{"cd", m.dir}, download[0]}
	}
	if d.Production == nil {
		d.Production = plan.Argv(o, download...)
	}
	// Go has no development dependencies: the test and build tools are the
	// toolchain's, and test-only modules are in go.mod like the rest
	plan.SetVar(&p.Env, "GOMODCACHE", modCache, f.Origin("the module cache, a cache mount"))
	plan.SetVar(&p.Env, "GOCACHE", buildCache, f.Origin("the build cache, a cache mount"))
	plan.SetVar(&p.Env, "CGO_ENABLED", "0", f.Origin("a static binary, which runs on distroless static or scratch; the tests build the same way"))
	if d.Caches == nil {
		d.Caches = []plan.Cache{plan.NewCache(modCache, "", f.Origin("the module cache"))}
	}
}

func (f *filler) caches() []plan.Cache {
	return []plan.Cache{plan.NewCache(modCache, "", f.Origin("the module cache")), plan.NewCache(buildCache, "", f.Origin("the build cache"))}
}

func (f *filler) test() {
	t := &f.P.Test
	if t.Run == nil && !t.None.Set() {
		t.Run = plan.Argv(f.Origin("go vet, then the tests of every package"), []string{"go", "vet", "./..."}, []string{"go", "test", "./..."})
	}
	if t.Caches == nil {
		t.Caches = f.caches()
	}
}

// build compiles the main package into bin/NAME; it is found only when
// something still needs it (the command, the outputs or the entrypoint).
func (f *filler) build(m module) error {
	p := f.P
	b, r := &p.Build, &p.Release
	if b.Caches == nil {
		b.Caches = f.caches()
	}
	if b.Run != nil && b.Outputs != nil && (r.Entrypoint.Set() || r.Cmd.Set()) {
		return nil
	}
	main, err := f.mainPackage(m)
	if err != nil {
		return err
	}
	bin := "bin/" + main.name
	scratch := r.Image.Value == "scratch"
	if b.Run == nil {
		argv := [][]string{{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, main.pkg}}
		if scratch {
			// scratch has no CA certificates: the release takes the build
			// image's, and SSL_CERT_FILE points Go at them
			argv = append(argv, []string{"mkdir", "-p", "etc"}, []string{"cp", caBundle, "etc/ca-certificates.crt"})
		}
		b.Run = plan.Argv(f.Origin(main.why), argv...)
	}
	if b.Outputs == nil {
		b.Outputs = []plan.Value[string]{{Value: path.Join(m.dir, bin), Origin: f.Origin("the binary go build writes")}}
		if scratch {
			b.Outputs = append(b.Outputs, plan.Value[string]{Value: path.Join(m.dir, "etc/ca-certificates.crt"), Origin: f.Origin("CA certificates, which scratch lacks")})
			plan.SetVar(&r.Env, "SSL_CERT_FILE", path.Join(path.Clean(p.Workdir.Value), m.dir, "etc/ca-certificates.crt"), f.Origin("where Go finds the CA certificates on scratch"))
		}
	}
	if !r.Entrypoint.Set() && !r.Cmd.Set() {
		r.Entrypoint = plan.Value[[]string]{Value: []string{path.Join(path.Clean(p.Workdir.Value), m.dir, bin)}, Origin: f.Origin("the binary as PID 1")}
	}
	return nil
}

// mainPackage is the package the release runs.
type mainPackage struct {
	name string // the binary's
	pkg  string // go build's argument, relative to the app's folder
	why  string
}

var binName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// mainPackage finds the program: the module's root when it is package
// main, else the one cmd/NAME that is.
func (f *filler) mainPackage(m module) (mainPackage, error) {
	pkgs := packages(f.Facts.Files, m.dir)
	if pkgs["."] == "main" {
		name := path.Base(m.mod.Module.Mod.Path)
		if regexp.MustCompile(`^v[0-9]+$`).MatchString(name) && strings.Contains(m.mod.Module.Mod.Path, "/") {
			name = path.Base(path.Dir(m.mod.Module.Mod.Path)) // example.com/tool/v2 is tool
		}
		if !binName.MatchString(name) {
			name = "app"
		}
		return mainPackage{name, ".", "the module's root is package main"}, nil
	}
	var mains []string
	for dir, name := range pkgs {
		if name == "main" && dir != "." {
			mains = append(mains, dir)
		}
	}
	sort.Strings(mains)
	switch len(mains) {
	case 1:
		name := path.Base(mains[0])
		if !binName.MatchString(name) {
			return mainPackage{}, f.Fail("the main package's folder %q is not a file name a binary can have (write build.run, build.outputs and release.entrypoint)", mains[0])
		}
		return mainPackage{name, "./" + mains[0], mains[0] + " is the module's one main package"}, nil
	case 0:
		return mainPackage{}, f.Fail("no main package: neither the module's root nor a cmd/NAME folder is package main (write build.run, e.g. go build -o bin/app ./path/to/main, with build.outputs: [bin/app] and release.entrypoint: [/app/bin/app])")
	}
	return mainPackage{}, f.Fail("several main packages (%s): preset go releases one (write build.run, e.g. CGO_ENABLED=0 go build -trimpath -o bin/%s ./%s, with build.outputs: [bin/%s] and release.entrypoint: [/app/bin/%s])",
		strings.Join(mains, ", "), path.Base(mains[0]), mains[0], path.Base(mains[0]), path.Base(mains[0]))
}

// release: the binary alone (no module cache, no source) on distroless
// static, as an unprivileged user.
func (f *filler) release() {
	p := f.P
	r := &p.Release
	if !r.NoDependencies.Set() {
		r.NoDependencies = plan.Value[bool]{Value: true, Origin: f.Origin("a static binary needs no dependency layer: the build outputs are all that ships")}
	}
	if !r.Image.Set() {
		r.Image = plan.Value[string]{Value: DefaultRuntime, Origin: f.Origin("CA certificates, tzdata and a nonroot user, no shell")}
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

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// oneLine keeps a parser's message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
