// Package python is the python preset: it reads pyproject.toml and the
// lockfile (uv.lock, poetry.lock or requirements.txt) from the build
// context and fills the installs into a virtualenv in workdir, caches,
// pytest, and a runtime that runs the app from that virtualenv as an
// unprivileged user.
package python

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
	"github.com/stagefile/stagefile/spec"
)

// Provider is the python preset.
type Provider struct{}

// NoAppCode is the preset's rule for a release that would carry the
// virtualenv and none of the app's code.
var NoAppCode = plan.NewRule("NoAppCode", "The release carries the dependencies but none of the app's code.")

// GroupNotShipped is the preset's rule for a poetry group that looks like
// run-time dependencies but the production install (--only main) leaves out.
var GroupNotShipped = plan.NewRule("GroupNotShipped", "A poetry dependency group the release does not get.")

func (Provider) Name() string { return "python" }

func (Provider) Rules() []*plan.Rule {
	return []*plan.Rule{PythonVersionMismatch, NoAppCode, GroupNotShipped}
}

// devGroups are the names poetry projects give the groups that only tests
// and tools need.
var devGroups = map[string]bool{"dev": true, "test": true, "tests": true, "testing": true, "lint": true, "linting": true,
	"docs": true, "doc": true, "typing": true, "types": true, "format": true, "style": true, "ci": true, "tox": true, "bench": true}

// Files: the manifests and lockfiles the managers read, their settings,
// .python-version, and the names (not the contents) of the packages at
// the root and under src/, to find the app's code.
func (Provider) Files(*plan.Plan, map[string][]byte) []string {
	return []string{"pyproject.toml", "uv.lock", "poetry.lock", "requirements.txt", "requirements-dev.txt", "dev-requirements.txt",
		".python-version", "uv.toml", "poetry.toml", "*/__init__.py", "src/*/__init__.py", "*.py"}
}

// runtimeUser runs the app when the runtime image names no unprivileged
// user (the official python images have none): numeric, so it needs no
// /etc/passwd entry and Kubernetes' runAsNonRoot can verify it.
const runtimeUser = "1000:1000"

// debianPath is the official images' PATH, for when the image's is unknown.
const debianPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// filler carries one Fill.
type filler struct{ *scaffold.Filler }

// Fill fills what the Stagefile left out; everything written wins.
func (Provider) Fill(p *plan.Plan, facts *plan.Facts) ([]*plan.Warning, error) {
	f := &filler{scaffold.New("python", p, facts)}
	err := f.fill()
	return f.Warnings, err
}

func (f *filler) fill() error {
	p, files := f.P, f.Facts.Files
	if app := path.Clean(p.App.Value); app != "." {
		return f.FailAt(p.App.Origin.At, "preset python builds the project at the root of the build context; app %q is not supported yet (build from the project's folder)", app)
	}
	pp := &pyproject{}
	if dt, ok := files["pyproject.toml"]; ok {
		if err := readTOML(normalize(dt), pp); err != nil {
			return f.Fail("preset python could not read pyproject.toml: %v (fix the TOML)", err)
		}
	}
	pm, err := detectManager(files)
	if err != nil {
		return f.Fail("%s", err.Error())
	}
	prodHashed, devHashed, includes, err := f.lock(&pm, pp)
	if err != nil {
		return err
	}
	// a virtualenv in the context (the developer's own) would replace the
	// installed one when the source is copied
	p.ExcludeFromSource(venv, f.Origin("installed by the dependencies step, not copied from the context"))
	cs, err := readConstraints(pp, files[".python-version"])
	if err != nil {
		return f.Fail("%s", err.Error())
	}
	if err := f.image(cs); err != nil {
		return err
	}
	f.dependencies(pm, pp, prodHashed, devHashed, includes)
	f.test(pm, pp)
	f.release(pm, pp)
	return nil
}

// detectManager picks the manager from the lockfile: uv.lock or
// poetry.lock (a requirements.txt beside them is taken for an export),
// else requirements.txt.
func detectManager(files map[string][]byte) (manager, error) {
	_, hasUv := files["uv.lock"]
	_, hasPoetry := files["poetry.lock"]
	_, hasPyproject := files["pyproject.toml"]
	switch {
	case hasUv && hasPoetry:
		return manager{}, fmt.Errorf("several lockfiles (poetry.lock, uv.lock): preset python cannot tell which package manager to use (delete the stale one)")
	case hasUv || hasPoetry:
		m := manager{name: uv, lockfile: "uv.lock", version: uvVersion, why: "the version this frontend pins"}
		if hasPoetry {
			m = manager{name: poetry, lockfile: "poetry.lock", version: poetryVersion, why: "the version this frontend pins"}
		}
		if !hasPyproject {
			return m, fmt.Errorf("%s needs the pyproject.toml it was made from, and the build context has none (check .dockerignore)", m.lockfile)
		}
		return m, nil
	}
	if _, ok := files["requirements.txt"]; ok {
		m := manager{name: pip, lockfile: "requirements.txt"}
		for _, dev := range []string{"requirements-dev.txt", "dev-requirements.txt"} {
			if _, ok := files[dev]; ok && m.devFile == "" {
				m.devFile = dev
			}
		}
		return m, nil
	}
	if hasPyproject {
		return manager{}, fmt.Errorf("pyproject.toml has no lockfile beside it: preset python installs exactly what a lockfile says (run uv lock or poetry lock and commit uv.lock or poetry.lock; check .dockerignore)")
	}
	return manager{}, fmt.Errorf("preset python needs a lockfile at the root of the build context: uv.lock or poetry.lock with pyproject.toml, or requirements.txt (is it excluded by .dockerignore?)")
}

// lock reads the lockfile and checks it records what pyproject.toml
// declares, before anything is installed.
func (f *filler) lock(pm *manager, pp *pyproject) (prodHashed, devHashed bool, includes []string, err error) {
	files := f.Facts.Files
	dt := normalize(files[pm.lockfile])
	unreadable := func(err error, fix string) error {
		return f.Fail("%s is not a lockfile %s can read: %v (run %s and commit %s)", pm.lockfile, pm.name, err, fix, pm.lockfile)
	}
	switch pm.name {
	case uv:
		l, err := parseUvLock(dt)
		if err != nil {
			return false, false, nil, unreadable(err, "uv lock")
		}
		if err := l.check(pp); err != nil {
			return false, false, nil, f.Fail("%s", err.Error())
		}
		if m := exactVersion.FindStringSubmatch(pp.Tool.Uv.RequiredVersion); m != nil {
			pm.version, pm.why = m[1], "pyproject.toml tool.uv.required-version"
		}
	case poetry:
		l, err := parsePoetryLock(dt)
		if err != nil {
			return false, false, nil, unreadable(err, "poetry lock")
		}
		if err := l.check(pp); err != nil {
			return false, false, nil, f.Fail("%s", err.Error())
		}
		if v := lockedPoetry(dt); v != "" && !strings.HasPrefix(v, "0.") && !strings.HasPrefix(v, "1.0.") && !strings.HasPrefix(v, "1.1.") {
			// the poetry that wrote the lockfile reads it; --only needs 1.2
			pm.version, pm.why = v, "the version that wrote poetry.lock"
		}
	default:
		for i, name := range []string{pm.lockfile, pm.devFile} {
			if name == "" {
				continue
			}
			rf, err := parseRequirements(name, normalize(files[name]))
			if err != nil {
				return false, false, nil, f.Fail("%s cannot be installed from the manifests alone: %v", name, err)
			}
			if i == 0 {
				prodHashed = rf.hashed
			} else {
				devHashed = rf.hashed
			}
			includes = append(includes, rf.includes...)
		}
	}
	return prodHashed, devHashed, includes, nil
}

// image picks the official slim image of the app's Python when the
// Stagefile names none, and checks a written one. A virtualenv runs only
// on the Python it was made with: build and runtime images of different
// Python lines are an error.
func (f *filler) image(cs constraints) error {
	p := f.P
	if !p.Image.Set() {
		line, why, err := cs.line()
		if err != nil {
			return f.Fail("%s", err.Error())
		}
		p.Image = plan.Value[string]{Value: "python:" + line.line() + "-slim-bookworm", Origin: f.Origin(why)}
	}
	var build, run *plan.ImageInfo
	if f.Facts.Image != nil {
		build, _ = f.Facts.Image(p.Image.Value)
		if p.Release.Image.Set() {
			run, _ = f.Facts.Image(p.Release.Image.Value)
		}
	}
	have, what := imagePython(p.Image.Value, build)
	if what != "" {
		if why := cs.wants(have); why != "" {
			fix := "write an image the app accepts"
			if line, _, err := cs.line(); err == nil {
				fix = "e.g. python:" + line.line() + "-slim-bookworm"
			}
			f.Warn(PythonVersionMismatch, p.Image.Origin, "%s has %s, but %s (%s)", p.Image.Value, what, why, fix)
		}
	}
	if !p.Release.Image.Set() || p.Release.Image.Value == p.Image.Value {
		return nil
	}
	runs, runWhat := imagePython(p.Release.Image.Value, run)
	if what != "" && runWhat != "" && (have.major != runs.major || have.minor != runs.minor) {
		return spec.Errors{spec.Errorf(p.File, p.Release.Image.Origin.At,
			"the virtualenv is made on %s (%s) but the release runs %s (%s): its packages would not load (use one Python line for both, e.g. python:%s-slim-bookworm)",
			p.Image.Value, what, p.Release.Image.Value, runWhat, have.line())}
	}
	return nil
}

func (f *filler) dependencies(pm manager, pp *pyproject, prodHashed, devHashed bool, includes []string) {
	p, files := f.P, f.Facts.Files
	d := &p.Dependencies
	if d.Manifests == nil {
		add := func(name, why string) {
			for _, m := range d.Manifests {
				if m.Value == name {
					return
				}
			}
			d.Manifests = append(d.Manifests, plan.Value[string]{Value: name, Origin: f.Origin(why)})
		}
		if pm.name != pip {
			add("pyproject.toml", "the project")
		}
		add(pm.lockfile, "the lockfile")
		if pm.devFile != "" {
			add(pm.devFile, "the development requirements")
		}
		for _, inc := range includes {
			add(inc, "read with -r or -c")
		}
		if _, ok := files[".python-version"]; ok && pm.name == uv {
			add(".python-version", "the Python uv picks")
		}
	}
	if d.Config == nil {
		for _, c := range []struct{ file, manager, why string }{{"uv.toml", uv, "uv's settings"}, {"poetry.toml", poetry, "poetry's settings"}} {
			if _, ok := files[c.file]; ok && pm.name == c.manager {
				d.Config = append(d.Config, plan.Value[string]{Value: c.file, Origin: f.Origin(c.why)})
			}
		}
	}
	o := f.Origin(pm.lockfile + " → " + pm.name)
	tools, prod, dev, caches := pm.installs(pp, prodHashed, devHashed)
	if d.Tools == nil && tools != nil {
		// its own step: a lockfile change does not reinstall the tool
		d.Tools = plan.Argv(f.Origin(pm.name+" "+pm.version+" ("+pm.why+"), when the image has none"), tools)
	}
	if d.Production == nil {
		d.Production = plan.Argv(o, prod...)
		if pm.name == poetry {
			for _, g := range sortedKeys(pp.Tool.Poetry.Group) {
				if !devGroups[strings.ToLower(g)] && !pp.Tool.Poetry.Group[g].Optional {
					f.Warn(GroupNotShipped, f.Origin("pyproject.toml tool.poetry.group."+g), "poetry group %s is installed for the tests but not in the release (the production install is --only main); if the app needs it at run time, write dependencies.production: poetry install --only main,%s --no-root --no-interaction --no-ansi", g, g)
				}
			}
		}
	}
	if d.Development == nil && dev != nil {
		d.Development = plan.Argv(o, dev...)
	}
	if d.Unshipped == nil {
		// the app imports from the venv; the SBOM attestation lists what
		// it holds
		for _, m := range d.Manifests {
			if m.Value == pm.lockfile || m.Value == pm.devFile {
				d.Unshipped = append(d.Unshipped, plan.Value[string]{Value: m.Value, Origin: f.Origin("read by the installs, not by the app")})
			}
		}
	}
	if d.Caches == nil {
		for _, c := range caches {
			d.Caches = append(d.Caches, plan.NewCache(c.path, "", f.Origin(c.why)))
		}
	}
	env := func(name, value, why string) { plan.SetVar(&p.Env, name, value, f.Origin(why)) }
	switch pm.name {
	case uv:
		env("UV_LINK_MODE", "copy", "the cache is a mount, another filesystem: copy, do not link")
		env("UV_PYTHON_DOWNLOADS", "never", "the virtualenv uses the image's Python, which the release has too")
	case poetry:
		env("POETRY_VIRTUALENVS_IN_PROJECT", "true", "the virtualenv in workdir, which the release carries")
	}
	if pm.name != pip {
		env("PIP_ROOT_USER_ACTION", "ignore", pm.name+" "+pm.version+" ("+pm.why+") is installed with pip when the image has none")
	}
	env("PIP_DISABLE_PIP_VERSION_CHECK", "1", "pip asks the index for its own version otherwise")
	// Reproducible releases: with SOURCE_DATE_EPOCH set, Python writes .pyc
	// files keyed by a hash of the source instead of the install's clock
	// (any value does; 1980 is the earliest a wheel's zip can hold), and a
	// C extension built from an sdist carries no debug info naming the
	// package manager's random build folder; a fixed hash seed keeps
	// what tools write in set order in one order. Constants: a value that
	// changed per commit would reinstall every commit.
	env("SOURCE_DATE_EPOCH", "315532800", "hash-based .pyc files, not the install time: a reproducible release")
	env("CFLAGS", "-g0", "extensions built from sdists without debug info, which names a random build folder")
	env("PYTHONHASHSEED", "0", "files written in set order (virtualenv's RECORD of the pip it seeds) come out the same in every build")
	env("PATH", f.venvBin()+":"+f.imagePath(p.Image.Value), "the virtualenv's commands first, for test and build")
}

func (f *filler) venvBin() string { return path.Join(path.Clean(f.P.Workdir.Value), venv, "bin") }

// imagePath is an image's PATH, else the official images'.
func (f *filler) imagePath(ref string) string {
	if f.Facts.Image != nil {
		if img, err := f.Facts.Image(ref); err == nil && img != nil && img.Config != nil {
			for _, kv := range img.Config.Config.Env {
				if v, ok := strings.CutPrefix(kv, "PATH="); ok && v != "" {
					return v
				}
			}
		}
	}
	return debianPath
}

// test runs pytest when the app depends on it.
func (f *filler) test(pm manager, pp *pyproject) {
	t := &f.P.Test
	if t.Run != nil {
		return
	}
	if from := f.pytest(pm, pp); from != "" {
		t.Run = plan.Argv(f.Origin("pytest is in "+from), []string{"python", "-m", "pytest"})
	}
}

// pytest says where pytest is declared, "" when it is not.
func (f *filler) pytest(pm manager, pp *pyproject) string {
	deps := f.declared(pm, pp)
	if r, ok := deps["pytest"]; ok {
		return r.from
	}
	// a plugin (pytest-django) brings pytest with it
	for _, name := range sortedKeys(deps) {
		if strings.HasPrefix(name, "pytest-") {
			return deps[name].from + ", through " + name
		}
	}
	return ""
}

// declared is every dependency the manifests name, production and
// development, by normalized name.
func (f *filler) declared(pm manager, pp *pyproject) map[string]requirement {
	return f.declaredFor(pm, pp, false)
}

// declaredFor is declared, or with prodOnly what the production install
// puts in the release.
func (f *filler) declaredFor(pm manager, pp *pyproject, prodOnly bool) map[string]requirement {
	var reqs []requirement
	switch pm.name {
	case uv:
		prod, dev := pp.declared()
		reqs = prod
		if !prodOnly {
			reqs = append(reqs, dev...)
		}
	case poetry:
		prod, dev := pp.poetryDeclared()
		reqs = prod
		if !prodOnly {
			reqs = append(reqs, dev...)
		}
	default:
		for _, name := range []string{pm.devFile, pm.lockfile} {
			if name == "" || (prodOnly && name == pm.devFile) {
				continue
			}
			if rf, err := parseRequirements(name, normalize(f.Facts.Files[name])); err == nil {
				for _, n := range rf.names {
					reqs = append(reqs, requirement{name: n, from: name})
				}
			}
		}
	}
	out := map[string]requirement{}
	for _, r := range reqs {
		if _, dup := out[normalizeName(r.name)]; !dup {
			out[normalizeName(r.name)] = r
		}
	}
	return out
}

// startExample is a release.cmd to suggest when the preset cannot tell how
// the app starts: the server its dependencies name, on the app's package.
func (f *filler) startExample(pm manager, pp *pyproject) string {
	module := "app"
	if pkgs := f.packages(); len(pkgs) > 0 {
		module = path.Base(pkgs[0])
	}
	deps := f.declaredFor(pm, pp, true) // what the release will have
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := deps[n]; ok {
				return true
			}
		}
		return false
	}
	missing := func(server string) string {
		if has(server) {
			return ""
		}
		return " (with " + server + " added to the dependencies)"
	}
	switch {
	case has("uvicorn", "fastapi", "starlette"):
		return fmt.Sprintf("[uvicorn, %s.main:app, --host, 0.0.0.0, --port, \"8000\"]", module)
	// gunicorn listens on 127.0.0.1:8000 unless told (or PORT is set),
	// which nothing outside the container reaches
	case has("django"):
		return fmt.Sprintf("[gunicorn, --bind, \"0.0.0.0:8000\", %s.wsgi]%s", module, missing("gunicorn"))
	case has("gunicorn", "flask"):
		return fmt.Sprintf("[gunicorn, --bind, \"0.0.0.0:8000\", \"%s:app\"]%s", module, missing("gunicorn"))
	default:
		return fmt.Sprintf("[python, -m, %s]", module)
	}
}

var (
	entryPoint = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*:\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$`)
	scriptName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// script is the console script the app starts with.
type script struct{ name, module, attr, from string }

// startScript is the one [project.scripts] (or [tool.poetry.scripts])
// entry, or the one named like the project.
func startScript(pp *pyproject) (script, bool) {
	var all []script
	for name, target := range pp.Project.Scripts {
		all = append(all, script{name: name, from: "project.scripts " + name, module: target})
	}
	for name, t := range pp.Tool.Poetry.Scripts {
		target, ok := t.(string)
		if m, isTable := t.(map[string]any); isTable {
			target, ok = m["reference"].(string)
			ok = ok && m["type"] != "file"
		}
		if ok {
			all = append(all, script{name: name, from: "tool.poetry.scripts " + name, module: target})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].from < all[j].from })
	var pick []script
	for _, s := range all {
		if len(all) == 1 || normalizeName(s.name) == normalizeName(pp.Project.Name) {
			pick = append(pick, s)
		}
	}
	if len(pick) == 0 {
		return script{}, false
	}
	s := pick[0]
	m := entryPoint.FindStringSubmatch(s.module)
	if m == nil || !scriptName.MatchString(s.name) {
		return script{}, false
	}
	s.module, s.attr = m[1], m[2]
	return s, true
}

// release: the virtualenv (in the production-dependency layer) and the
// app's code on the runtime image, the virtualenv's commands first on
// PATH, as an unprivileged user, started by the console script's function.
func (f *filler) release(pm manager, pp *pyproject) {
	p := f.P
	r := &p.Release
	wd := path.Clean(p.Workdir.Value)
	runtime := r.Image.Value
	if !r.Image.Set() {
		runtime = p.Image.Value
	}
	env := func(name, value, why string) { plan.SetVar(&r.Env, name, value, f.Origin(why)) }
	env("PATH", f.venvBin()+":"+f.imagePath(runtime), "the virtualenv's commands first, then the runtime image's PATH")
	env("PYTHONDONTWRITEBYTECODE", "1", "the app's files are read-only to it: no .pyc next to them")
	env("PYTHONUNBUFFERED", "1", "logs reach docker logs as they are written")

	s, hasScript := startScript(pp)
	if p.Build.Outputs == nil && p.Build.Run == nil && hasScript {
		top, _, _ := strings.Cut(s.module, ".")
		for _, dir := range []string{top, "src/" + top} {
			if _, ok := f.Facts.Files[dir+"/__init__.py"]; ok {
				p.Build.Outputs = []plan.Value[string]{{Value: dir, Origin: f.Origin("the package of " + s.from)}}
			}
		}
		if _, ok := f.Facts.Files[top+".py"]; ok && p.Build.Outputs == nil {
			p.Build.Outputs = []plan.Value[string]{{Value: top + ".py", Origin: f.Origin("the module of " + s.from)}}
		}
	}
	for _, o := range p.Build.Outputs {
		if c := path.Clean(o.Value); c == "src" || strings.HasPrefix(c, "src/") {
			// src layout: the project is not installed, its packages are
			// found on PYTHONPATH, in the tests and in the release
			o := f.Origin("the src layout of build.outputs " + o.Value)
			plan.SetVar(&p.Env, "PYTHONPATH", path.Join(wd, "src"), o)
			plan.SetVar(&r.Env, "PYTHONPATH", path.Join(wd, "src"), o)
			break
		}
	}
	if len(p.Build.Outputs) == 0 {
		example := "app"
		if pkgs := f.packages(); len(pkgs) > 0 {
			example = strings.Join(pkgs, ", ")
		}
		f.Warn(NoAppCode, f.Origin(""), "the release gets the virtualenv but none of the app's code (list the app's package or modules under build.outputs, e.g. [%s])", example)
	}

	f.user(runtime)
	if !r.Entrypoint.Set() && !r.Cmd.Set() {
		if !hasScript {
			f.Warn(plan.UnknownStartCommand, f.Origin(""), "cannot tell how the app starts (no single [project.scripts] entry in pyproject.toml); set release.cmd, e.g. %s", f.startExample(pm, pp))
			return
		}
		// what the console script would do, without installing the
		// project: import the function, call it, exit with its result
		code := fmt.Sprintf("import sys; sys.argv[0] = %q; from %s import %s; sys.exit(%s())", s.name, s.module, strings.Split(s.attr, ".")[0], s.attr)
		r.Entrypoint = plan.Value[[]string]{Value: []string{path.Join(wd, venv, "bin/python"), "-c", code}, Origin: f.Origin(s.from + " = " + s.module + ":" + s.attr)}
	}
}

// user keeps the runtime image's own unprivileged user, else runs the app
// as a numeric one.
func (f *filler) user(runtime string) {
	r := &f.P.Release
	if r.User.Set() {
		return
	}
	if f.Facts.Image != nil {
		if img, err := f.Facts.Image(runtime); err == nil && img != nil && img.Config != nil {
			if u := img.Config.Config.User; u != "" && !isRoot(u) {
				r.User = plan.Value[string]{Value: u, Origin: f.Origin("the runtime image already runs as " + u)}
				return
			}
		}
	}
	r.User = plan.Value[string]{Value: runtimeUser, Origin: f.Origin("the runtime image has no unprivileged user: a numeric uid, which needs no /etc/passwd entry")}
	// without an /etc/passwd entry its home is /, which it cannot write
	// (gunicorn's control socket, ~/.cache): /tmp it can
	plan.SetVar(&r.Env, "HOME", "/tmp", f.Origin("uid 1000 has no home in the runtime image"))
}

func isRoot(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0"
}

// normalize reads a file as the tools do: without a UTF-8 BOM and with
// CRLF line ends as LF.
func normalize(dt []byte) []byte {
	dt = bytes.TrimPrefix(dt, []byte{0xEF, 0xBB, 0xBF})
	if bytes.IndexByte(dt, '\r') >= 0 {
		dt = bytes.ReplaceAll(dt, []byte("\r\n"), []byte("\n"))
	}
	return dt
}

// packages are the importable packages the context holds at its root or
// under src/, tests left out: what build.outputs most likely needs.
func (f *filler) packages() []string {
	var out []string
	for name := range f.Facts.Files {
		dir, ok := strings.CutSuffix(name, "/__init__.py")
		if !ok || strings.Count(dir, "/") > 1 || (strings.Contains(dir, "/") && !strings.HasPrefix(dir, "src/")) {
			continue
		}
		if base := path.Base(dir); base == "tests" || base == "test" {
			continue
		}
		out = append(out, dir)
	}
	sort.Strings(out)
	return out
}
