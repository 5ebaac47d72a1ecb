// Package python is the python preset: it reads pyproject.toml and the
// lockfile (uv.lock, poetry.lock or requirements.txt) from the build
// context and fills the installs into a virtualenv in workdir, caches,
// pytest, and a runtime that runs the app from that virtualenv as an
// unprivileged user.
package python

import (
	"bytes"
	"errors"
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
var NoAppCode = plan.NewRule("NoAppCode", "The release carries the dependencies but none of the app's code.").
	FailRelease("the release would hold none of the app's code")

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
// the root and under src/, to find the app's code. For an app of a uv
// workspace, the root's tool settings and the app's modules, then each
// member's pyproject.toml and the names of its packages.
func (Provider) Files(p *plan.Plan, read map[string][]byte) []string {
	files := []string{"pyproject.toml", "uv.lock", "poetry.lock", "requirements.txt", "requirements-dev.txt", "dev-requirements.txt",
		".python-version", "uv.toml", "poetry.toml", "*/__init__.py", "src/*/__init__.py", "*.py"}
	if app := path.Clean(p.App.Value); app != "." && !plan.HasWildcard(app) {
		files = append(files, workspaceFiles(app, read)...)
	}
	return files
}

// runtimeUser runs the app when the runtime image names no unprivileged
// user (the official python images have none): numeric, so it needs no
// /etc/passwd entry and Kubernetes' runAsNonRoot can verify it.
const runtimeUser = "1000:1000"

// debianPath is the official images' PATH, for when the image's is unknown.
const debianPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// filler carries one Fill.
type filler struct {
	*scaffold.Filler
	// uvLock is uv.lock, read; ws the workspace of an app of one.
	uvLock *uvLock
	ws     *workspace
}

// Fill fills what the Stagefile left out; everything written wins.
func (Provider) Fill(p *plan.Plan, facts *plan.Facts) ([]*plan.Warning, error) {
	f := &filler{Filler: scaffold.New("python", p, facts)}
	err := f.fill()
	return f.Warnings, err
}

func (f *filler) fill() error {
	p, files := f.P, f.Facts.Files
	app := path.Clean(p.App.Value)
	pp := &pyproject{}
	if dt, ok := files["pyproject.toml"]; ok {
		if err := scaffold.ReadTOML(normalize(dt), pp); err != nil {
			return f.Fail("preset python could not read pyproject.toml: %v (fix the TOML)", err)
		}
	}
	pm, err := detectManager(files)
	if err != nil {
		return f.Fail("%s", err.Error())
	}
	if app != "." && pm.name != uv {
		return f.FailAt(p.App.Origin.At, "preset python builds an app of a workspace with uv only (a root pyproject.toml with [tool.uv.workspace] and uv.lock); %s has no workspaces, so app %s is not supported (build the project from its own folder, with its own lockfile)",
			map[string]string{poetry: "poetry (poetry.lock)", pip: "pip (requirements.txt)"}[pm.name], q(app))
	}
	prodHashed, devHashed, includes, err := f.lock(&pm, pp)
	if err != nil {
		return err
	}
	reqPP, reqFile := pp, "pyproject.toml" // requires-python
	if app != "." {
		if f.ws, err = readWorkspace(pp, files, f.uvLock, app); err != nil {
			var ae *appError
			if errors.As(err, &ae) {
				return f.FailAt(p.App.Origin.At, "%s", err.Error())
			}
			return f.Fail("%s", err.Error())
		}
		pm.member = f.ws.app.pp.Project.Name
		if pp.Project.RequiresPython == "" {
			reqPP, reqFile = f.ws.app.pp, f.ws.app.file
		}
	}
	// a virtualenv in the context (the developer's own) would replace the
	// installed one when the source is copied
	p.ExcludeFromSource(venv, f.Origin("installed by the dependencies step, not copied from the context"))
	cs, err := readConstraintsFrom(reqPP, reqFile, files[".python-version"])
	if err != nil {
		return f.Fail("%s", err.Error())
	}
	if err := f.image(cs); err != nil {
		return err
	}
	// the app's own pyproject.toml: the root's, or its member's
	appPP := pp
	if f.ws != nil {
		appPP = f.ws.app.pp
	}
	f.dependencies(pm, appPP, prodHashed, devHashed, includes)
	f.test(pm, appPP)
	f.release(pm, appPP)
	f.scope()
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
		f.uvLock = l
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
			if f.ws != nil {
				add("pyproject.toml", "the workspace root ([tool.uv.workspace])")
			} else {
				add("pyproject.toml", "the project")
			}
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
		if ws := f.ws; ws != nil {
			// every member's: the installs see the workspace as uv does
			// (uv sync --locked checks uv.lock against all of them)
			for _, dir := range sortedKeys(ws.members) {
				m := ws.members[dir]
				if m == ws.app {
					add(m.file, "the app's project, a member of the workspace")
				} else {
					add(m.file, "a member of the workspace (members "+m.glob+"): the installs see every member, as uv lock did")
				}
			}
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
	if ws := f.ws; ws != nil {
		o = f.Origin(pm.lockfile + " → " + pm.name + ", for the workspace member " + ws.app.dir + " (--package: its [project] name)")
	}
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
		if ws := f.ws; ws != nil {
			for _, m := range d.Manifests {
				if mem := ws.members[path.Dir(m.Value)]; mem != nil && mem.file == m.Value && mem.dir != "." && !ws.uses(mem) {
					d.Unshipped = append(d.Unshipped, plan.Value[string]{Value: m.Value, Origin: f.Origin("a member " + ws.app.dir + " does not run: read by the installs, not by the app")})
				}
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
	if ws := f.ws; ws != nil {
		if pp := ws.pythonPath(files, path.Clean(p.Workdir.Value), ws.code(true)); pp != "" {
			env("PYTHONPATH", pp, "the app and the workspace members it and its tests import are not installed: their source is found on PYTHONPATH")
		}
	}
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
	if t.Run != nil || t.None.Set() {
		return
	}
	if from := f.pytest(pm, pp); from != "" {
		if f.ws != nil {
			from = f.ws.app.file + " " + from
		}
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
	s := f.startSuggestion(pm, pp)
	return s.display + s.missing
}

// startCommand is a command the preset suggests, as argv and as the
// message writes it, and what the dependencies lack for it.
type startCommand struct {
	argv             []string
	display, missing string
}

// port is the port the command listens on ("" when it names none).
func (s startCommand) port() string {
	for i, a := range s.argv {
		if i+1 < len(s.argv) && (a == "--port" || a == "--bind") {
			_, port, _ := strings.Cut(s.argv[i+1], ":")
			if a == "--port" {
				port = s.argv[i+1]
			}
			return port
		}
	}
	return ""
}

// startSuggestion is the server the app's dependencies name, on the
// app's package.
func (f *filler) startSuggestion(pm manager, pp *pyproject) startCommand {
	module := "app"
	if pkgs := packagesIn(f.Facts.Files, f.appDir()); len(pkgs) > 0 {
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
		return startCommand{[]string{"uvicorn", module + ".main:app", "--host", "0.0.0.0", "--port", "8000"},
			fmt.Sprintf("[uvicorn, %s.main:app, --host, 0.0.0.0, --port, \"8000\"]", module), ""}
	// gunicorn listens on 127.0.0.1:8000 unless told (or PORT is set),
	// which nothing outside the container reaches
	case has("django"):
		return startCommand{[]string{"gunicorn", "--bind", "0.0.0.0:8000", module + ".wsgi"},
			fmt.Sprintf("[gunicorn, --bind, \"0.0.0.0:8000\", %s.wsgi]", module), missing("gunicorn")}
	case has("gunicorn", "flask"):
		return startCommand{[]string{"gunicorn", "--bind", "0.0.0.0:8000", module + ":app"},
			fmt.Sprintf("[gunicorn, --bind, \"0.0.0.0:8000\", \"%s:app\"]", module), missing("gunicorn")}
	default:
		return startCommand{[]string{"python", "-m", module}, fmt.Sprintf("[python, -m, %s]", module), ""}
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
	appDir, ws := f.appDir(), f.ws
	if ws != nil {
		s.from = ws.app.file + " " + s.from
	}
	if p.Build.Outputs == nil && p.Build.Run == nil && hasScript {
		top, _, _ := strings.Cut(s.module, ".")
		for _, dir := range []string{path.Join(appDir, top), path.Join(appDir, "src", top)} {
			if _, ok := f.Facts.Files[dir+"/__init__.py"]; ok {
				p.Build.Outputs = []plan.Value[string]{{Value: dir, Origin: f.Origin("the package of " + s.from)}}
			}
		}
		mod := path.Join(appDir, top+".py")
		if _, ok := f.Facts.Files[mod]; ok && p.Build.Outputs == nil {
			p.Build.Outputs = []plan.Value[string]{{Value: mod, Origin: f.Origin("the module of " + s.from)}}
		}
	}
	appCode := len(p.Build.Outputs) > 0
	if ws != nil {
		appCode = f.workspaceRelease()
	} else {
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
	}
	if !appCode && !(p.Build.Outputs != nil && len(p.Build.Outputs) == 0) {
		example := "app"
		if pkgs := packagesIn(f.Facts.Files, appDir); len(pkgs) > 0 {
			example = strings.Join(pkgs, ", ")
		}
		f.Warn(NoAppCode, f.Origin(""), "the release gets the virtualenv but none of the app's code (list the app's package or modules under build.outputs, e.g. build.outputs: [%s]; or build.outputs: [] if the release is the dependencies alone)", example)
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

// appDir is the app's folder in the context: "." for a project at the
// root, its member's folder in a workspace.
func (f *filler) appDir() string {
	if f.ws != nil {
		return f.ws.app.dir
	}
	return "."
}
