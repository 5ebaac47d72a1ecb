package python

import (
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

// A uv workspace: the root pyproject.toml's [tool.uv.workspace] names its
// members' folders (globs), and the one uv.lock records every member and
// what each needs. An app of the workspace (app: packages/api) is one
// member: the installs sync what it needs from uv.lock, without any
// member; the members it uses are its code, taken from the source.

// workspace is the app's uv workspace, as the manifests tell it.
type workspace struct {
	// members by folder ("." for a root that is a project itself).
	members map[string]*member
	app     *member
	// prod are the members the app uses at run time, dev those its tests
	// use on top (the app's dependency groups): each once, with why.
	prod, dev []use
	// unscoped says why the app's scope is the whole context, "" when it
	// is not.
	unscoped string
}

// member is a workspace member.
type member struct {
	dir  string // its folder, relative to the context
	file string // its pyproject.toml
	glob string // the members entry that names it
	pp   *pyproject
}

// use is a member the app uses, and the chain of uv.lock that says so.
type use struct {
	m   *member
	why string
}

// appError is an error about the app line.
type appError struct{ msg string }

func (e *appError) Error() string { return e.msg }

// packageName is a PEP 508 name: what uv's --package takes.
var packageName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$`)

// q is a value from the context as a message shows it.
func q(s string) string { return spec.Printable(s, spec.ValueLimit) }

// rootToolFiles are the settings at the workspace root that the tools
// run in the app's folder read: pytest looks for its configuration from
// the folder it runs in up to the root (which then holds its rootdir's
// conftest.py), ruff and mypy for theirs.
var rootToolFiles = []struct{ name, why string }{
	{"pytest.ini", "pytest's settings, which pytest looks for from the app's folder up"},
	{"tox.ini", "pytest's settings ([pytest]), which pytest looks for from the app's folder up"},
	{"setup.cfg", "pytest's and mypy's settings ([tool:pytest], [mypy]), looked for from the app's folder up"},
	{"conftest.py", "the root conftest.py, which pytest loads when the root is its rootdir"},
	{"ruff.toml", "ruff's settings, which ruff looks for from the app's folder up"},
	{".ruff.toml", "ruff's settings, which ruff looks for from the app's folder up"},
	{"mypy.ini", "mypy's settings, which mypy looks for from the app's folder up"},
}

// workspaceFiles are the files an app of a workspace adds to what Files
// reads: the root's tool settings and the app's modules; once the root
// pyproject.toml is read, for each members glob, the members'
// pyproject.toml and the names of their packages. uv.lock, read with the
// root's files, says which members the app uses.
func workspaceFiles(app string, read map[string][]byte) []string {
	var files []string
	for _, t := range rootToolFiles {
		files = append(files, t.name)
	}
	files = append(files, path.Join(app, "*.py"))
	pp := &pyproject{}
	if scaffold.ReadTOML(normalize(read["pyproject.toml"]), pp) != nil || pp.Tool.Uv.Workspace == nil {
		return files
	}
	for _, g := range pp.Tool.Uv.Workspace.Members {
		if c, err := memberGlob(g); err == nil {
			files = append(files, path.Join(c, "pyproject.toml"), path.Join(c, "*/__init__.py"), path.Join(c, "src/*/__init__.py"))
		}
	}
	return files
}

// memberGlob checks a [tool.uv.workspace] members (or exclude) entry: a
// glob of folders inside the context, which path.Match reads as uv does.
func memberGlob(g string) (string, error) {
	where := fmt.Sprintf("pyproject.toml [tool.uv.workspace] members entry \"%s\"", q(g))
	if spec.HasControl(g) {
		return "", fmt.Errorf("%s holds control characters (name the members' folders, e.g. packages/*)", where)
	}
	c := path.Clean(g)
	if g == "" || path.IsAbs(g) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s is not a folder inside the build context (members are folders under the workspace root, e.g. packages/*)", where)
	}
	if strings.Contains(c, "**") {
		return "", fmt.Errorf("%s uses **, which preset python does not expand (name each level, e.g. packages/*)", where)
	}
	if _, err := path.Match(c, ""); err != nil {
		return "", fmt.Errorf("%s is not a glob preset python can read (e.g. packages/*)", where)
	}
	return c, nil
}

// readWorkspace reads the workspace whose member app is: its members
// from the globs of the root's [tool.uv.workspace] and the pyproject.toml
// files they match, and from uv.lock the members the app uses.
func readWorkspace(pp *pyproject, files map[string][]byte, l *uvLock, app string) (*workspace, error) {
	w := pp.Tool.Uv.Workspace
	if w == nil {
		return nil, &appError{fmt.Sprintf("app %s is no member of a uv workspace: the root pyproject.toml has no [tool.uv.workspace] (add one whose members include %s, or build the project from its own folder)", q(app), q(app))}
	}
	var globs, excludes []string
	for _, g := range w.Members {
		c, err := memberGlob(g)
		if err != nil {
			return nil, err
		}
		globs = append(globs, c)
	}
	for _, g := range w.Exclude {
		c, err := memberGlob(g)
		if err != nil {
			return nil, errors.New(strings.Replace(err.Error(), "members entry", "exclude entry", 1))
		}
		excludes = append(excludes, c)
	}
	ws := &workspace{members: map[string]*member{}}
	if pp.Project.Name != "" {
		// a root with a [project] is a member too
		ws.members["."] = &member{dir: ".", file: "pyproject.toml", pp: pp}
	}
	for _, name := range sortedKeys(files) {
		dir, ok := strings.CutSuffix(name, "/pyproject.toml")
		if !ok || matchAny(excludes, dir) != "" {
			continue
		}
		glob := matchAny(globs, dir)
		if glob == "" {
			continue
		}
		if spec.HasControl(dir) || plan.HasWildcard(dir) {
			return nil, fmt.Errorf("the workspace member folder \"%s\" holds control characters or *, ? or [, which the copies would read as a pattern (rename it)", q(dir))
		}
		mp := &pyproject{}
		if err := scaffold.ReadTOML(normalize(files[name]), mp); err != nil {
			return nil, fmt.Errorf("preset python could not read %s: %v (fix the TOML)", q(name), err)
		}
		ws.members[dir] = &member{dir: dir, file: name, glob: glob, pp: mp}
	}
	ws.app = ws.members[app]
	if ws.app == nil {
		return nil, &appError{fmt.Sprintf("app %s is not a member of the uv workspace (pyproject.toml [tool.uv.workspace] members: %s; the members are: %s) (set app to a member's folder, or add it to members)",
			q(app), q(strings.Join(w.Members, ", ")), ws.list())}
	}
	name := ws.app.pp.Project.Name
	if name == "" {
		return nil, fmt.Errorf("%s has no [project] name: uv syncs a workspace member by its name (add one)", q(ws.app.file))
	}
	if !packageName.MatchString(name) {
		return nil, fmt.Errorf("%s [project] name \"%s\" is not a package name (letters, digits and . _ - only, PEP 508)", q(ws.app.file), q(name))
	}
	if err := ws.closure(l); err != nil {
		return nil, err
	}
	for _, m := range ws.code(true) {
		if err := l.checkProject(m.pp, m.dir, m.file); err != nil {
			return nil, err
		}
	}
	return ws, nil
}

// matchAny is the first of globs that matches dir, "" when none does.
func matchAny(globs []string, dir string) string {
	for _, g := range globs {
		if ok, _ := path.Match(g, dir); ok {
			return g
		}
	}
	return ""
}

// list names the members' folders, for messages.
func (ws *workspace) list() string {
	var dirs []string
	for _, dir := range sortedKeys(ws.members) {
		if dir != "." {
			dirs = append(dirs, q(dir))
		}
	}
	if len(dirs) == 0 {
		return "none"
	}
	if len(dirs) > 8 {
		dirs = append(dirs[:8], fmt.Sprintf("and %d more", len(dirs)-8))
	}
	return strings.Join(dirs, ", ")
}

// closure finds, in uv.lock's graph, the members the app uses: those its
// dependencies lead to (prod), and those its dependency groups lead to
// besides (dev), through registry packages and extras too, as uv sync
// would install them.
func (ws *workspace) closure(l *uvLock) error {
	byName := map[string][]*uvPackage{}
	for _, pkg := range l.Packages {
		byName[normalizeName(pkg.Name)] = append(byName[normalizeName(pkg.Name)], pkg)
	}
	app := ws.app
	var own *uvPackage
	for _, pkg := range l.Packages {
		if dir, ok := pkg.localDir(); ok && path.Clean(dir) == app.dir && normalizeName(pkg.Name) == normalizeName(app.pp.Project.Name) {
			own = pkg
		}
	}
	if own == nil {
		return fmt.Errorf("uv.lock is out of sync with the workspace: it does not record %s (%s) (run uv lock and commit uv.lock)", q(app.pp.Project.Name), q(app.dir))
	}
	visited := map[*uvPackage]bool{own: true}
	seen := map[string]bool{app.dir: true}
	var err error
	if ws.prod, err = ws.reach(byName, own.Dependencies, q(own.Name), visited, seen); err != nil {
		return err
	}
	ws.dev = append(ws.dev, ws.prod...)
	for _, g := range sortedKeys(own.DevDependencies) {
		more, err := ws.reach(byName, own.DevDependencies[g], q(own.Name)+" (group "+q(g)+")", visited, seen)
		if err != nil {
			return err
		}
		ws.dev = append(ws.dev, more...)
	}
	for _, u := range ws.dev {
		if u.m.dir == "." {
			ws.unscoped = fmt.Sprintf("uv.lock: %s, the workspace's root project, whose folder is the whole context", u.why)
		}
	}
	return nil
}

// reach walks uv.lock from deps: the members it meets (not yet seen),
// each with the chain of packages that leads there. A local package that
// is no member cannot be installed from the manifests.
func (ws *workspace) reach(byName map[string][]*uvPackage, deps []uvDependency, chain string, visited map[*uvPackage]bool, seen map[string]bool) ([]use, error) {
	type step struct {
		deps  []uvDependency
		chain string
	}
	extras := map[*uvPackage]map[string]bool{}
	var out []use
	for queue := []step{{deps, chain}}; len(queue) > 0; queue = queue[1:] {
		s := queue[0]
		for _, d := range s.deps {
			for _, pkg := range byName[normalizeName(d.Name)] {
				chain := s.chain + " → " + q(pkg.Name)
				if dir, local := pkg.localDir(); local {
					m := ws.members[path.Clean(dir)]
					if m == nil {
						return nil, fmt.Errorf("uv.lock installs %s from %s, a local folder that is not a member of the workspace: the installs see the manifests only and cannot build it (add it to [tool.uv.workspace] members, so that it comes from the source)", q(pkg.Name), q(dir))
					}
					if !seen[m.dir] {
						seen[m.dir] = true
						out = append(out, use{m: m, why: chain})
					}
				}
				var next []uvDependency
				if !visited[pkg] {
					visited[pkg] = true
					next = append(next, pkg.Dependencies...)
				}
				for _, e := range d.Extra {
					if extras[pkg] == nil {
						extras[pkg] = map[string]bool{}
					}
					if !extras[pkg][e] {
						extras[pkg][e] = true
						next = append(next, pkg.OptionalDependencies[e]...)
					}
				}
				if len(next) > 0 {
					queue = append(queue, step{next, chain})
				}
			}
		}
	}
	return out, nil
}

// code are the members whose code the app runs: itself and those it
// uses at run time, and with dev those its tests use too, by folder.
func (ws *workspace) code(dev bool) []*member {
	uses := ws.prod
	if dev {
		uses = ws.dev
	}
	out := []*member{ws.app}
	for _, u := range uses {
		out = append(out, u.m)
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].dir < out[1+j].dir })
	return out
}

// uses reports whether the app runs m's code at run time.
func (ws *workspace) uses(m *member) bool {
	for _, c := range ws.code(false) {
		if c == m {
			return true
		}
	}
	return false
}

// why is the chain that makes the app use m, "" for the app itself.
func (ws *workspace) why(m *member) string {
	for _, u := range ws.dev {
		if u.m == m {
			return u.why
		}
	}
	return ""
}

// packagesIn are the importable packages a folder holds at its top or
// under src/, tests left out: what build.outputs most likely needs.
func packagesIn(files map[string][]byte, dir string) []string {
	var out []string
	for name := range files {
		rel := name
		if dir != "." {
			var ok bool
			if rel, ok = strings.CutPrefix(name, dir+"/"); !ok {
				continue
			}
		}
		pkg, ok := strings.CutSuffix(rel, "/__init__.py")
		if !ok || strings.Count(pkg, "/") > 1 || (strings.Contains(pkg, "/") && !strings.HasPrefix(pkg, "src/")) {
			continue
		}
		if base := path.Base(pkg); base == "tests" || base == "test" {
			continue
		}
		out = append(out, path.Join(dir, pkg))
	}
	sort.Strings(out)
	return out
}

// importRoot is the folder to put on PYTHONPATH for a member's packages:
// its src/ in a src layout, else the member's folder.
func importRoot(files map[string][]byte, dir string) string {
	for _, pkg := range packagesIn(files, dir) {
		if strings.HasPrefix(pkg, path.Join(dir, "src")+"/") {
			return path.Join(dir, "src")
		}
	}
	return dir
}

// pythonPath is the PYTHONPATH that finds the code of members: the
// import roots of each, in workdir. The app's own folder is the working
// directory of test, build and release, which python puts on sys.path,
// so a flat app needs no entry.
func (ws *workspace) pythonPath(files map[string][]byte, wd string, members []*member) string {
	var roots []string
	for _, m := range members {
		root := importRoot(files, m.dir)
		if m == ws.app && root == m.dir {
			continue
		}
		roots = append(roots, path.Join(wd, root))
	}
	return strings.Join(roots, ":")
}

// scopeWhy is why a member is in the app's scope.
func (ws *workspace) scopeWhy(m *member) string {
	if m == ws.app {
		return "the app"
	}
	return "uv.lock: " + ws.why(m) + ", the workspace member in " + m.dir
}

// workspaceRelease ships the code of the members the app uses at run
// time beside its own: their packages, from the source (the installs
// leave every member out), found on PYTHONPATH. It reports whether the
// release gets the app's own code.
func (f *filler) workspaceRelease() bool {
	p, ws, files := f.P, f.ws, f.Facts.Files
	written := false
	appCode := false
	for _, o := range p.Build.Outputs {
		written = written || o.Written()
		if c := path.Clean(o.Value); c == ws.app.dir || strings.HasPrefix(c, ws.app.dir+"/") {
			appCode = true
		}
	}
	if p.Build.Run == nil && !written {
		for _, m := range ws.code(false)[1:] {
			why := "uv.lock: " + ws.why(m)
			pkgs := packagesIn(files, m.dir)
			if len(pkgs) == 0 {
				f.Warn(NoAppCode, f.Origin(why), "the release gets none of the code of %s, a workspace member the app uses at run time: it has no package (a folder with __init__.py) at its top or under src/ (list what the app imports from it under build.outputs)", q(m.dir))
			}
			for _, pkg := range pkgs {
				p.Build.Outputs = append(p.Build.Outputs, plan.Value[string]{Value: pkg, Origin: f.Origin("a package of a workspace member the app uses at run time, " + why)})
			}
		}
	}
	if pp := ws.pythonPath(files, path.Clean(p.Workdir.Value), ws.code(false)); pp != "" {
		plan.SetVar(&p.Release.Env, "PYTHONPATH", pp, f.Origin("the app and the workspace members it imports are not installed: their packages ship from the source, found on PYTHONPATH"))
	}
	return appCode || written && len(p.Build.Outputs) > 0
}

// scope: the source copy of an app of a workspace holds what its tests
// and build read: the app's folder, the members it uses (for its tests
// too), the root's manifests and the settings of the tools the tests
// run. A source.scope the Stagefile writes wins; source.include it
// writes is kept.
func (f *filler) scope() {
	p, ws := f.P, f.ws
	if ws == nil {
		return
	}
	sc := &p.Source.Scope
	if sc.Written() && sc.Value == plan.ScopeContext {
		return
	}
	if ws.unscoped != "" && !sc.Written() {
		o := f.Origin(ws.unscoped)
		*sc = plan.Value[string]{Value: plan.ScopeContext, Origin: o}
		f.Warn(plan.UnscopedWorkspace, o, "%s: test and build copy the whole context, so an edit anywhere reruns them (move the root project's code into a member folder of its own, or list what the app needs under source.include with source.scope: workspace)", ws.unscoped)
		return
	}
	if !sc.Set() {
		*sc = plan.Value[string]{Value: plan.ScopeWorkspace, Origin: f.Origin("app " + ws.app.dir + " is a member of the uv workspace of pyproject.toml [tool.uv.workspace]: the members it uses are in uv.lock")}
	}
	for _, m := range ws.code(true) {
		if m.dir != "." {
			p.IncludeInSource(m.dir, f.Origin(ws.scopeWhy(m)))
		}
	}
	root := []struct{ name, why string }{
		{"pyproject.toml", "the workspace root's, where pytest, ruff and mypy read settings the members leave out"},
		{"uv.lock", "the workspace's lockfile, as the installs read it"},
		{".python-version", "the workspace's Python"},
	}
	for _, t := range append(root, rootToolFiles...) {
		if _, ok := f.Facts.Files[t.name]; ok {
			p.IncludeInSource(t.name, f.Origin(t.why))
		}
	}
}
