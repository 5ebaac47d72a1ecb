package node

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// rootTools are the files at a workspace's root that the tools of every
// package read when tests and builds run: the root manifest and its
// lockfile are added by name; these are matched at the root only. The
// rule is this list, not a guess per app: a file elsewhere that an app's
// tests read goes under source.include.
var rootTools = []string{
	"tsconfig*.json", "jsconfig*.json", "babel.config.*", ".babelrc", ".babelrc.*", ".swcrc",
	"jest.config.*", "jest.preset.*", "vitest.config.*", "vitest.workspace.*", "vite.config.*",
	".eslintrc", ".eslintrc.*", "eslint.config.*", ".prettierrc", ".prettierrc.*", "prettier.config.*",
	"turbo.json", "nx.json", "lerna.json", ".browserslistrc", ".nvmrc", ".node-version",
}

// wsPackage is a package of the workspace.
type wsPackage struct {
	dir string
	pkg packageJSON
}

// workspace is the packages of a workspace, as their manifests say; a
// nil one has none.
type workspace struct {
	byName map[string]wsPackage
	byDir  map[string]wsPackage
}

// has reports whether a workspace package is named name.
func (w *workspace) has(name string) bool {
	if w == nil {
		return false
	}
	_, ok := w.byName[name]
	return ok
}

// maxWorkspace bounds the packages a workspace may have for the closure.
const maxWorkspace = 2000

// readWorkspace reads the package.json of every folder the workspace's
// globs match, among the files read; it says why when it cannot tell.
func readWorkspace(files map[string][]byte, globs []string) (*workspace, string) {
	w := &workspace{byName: map[string]wsPackage{}, byDir: map[string]wsPackage{}}
	for _, name := range sortedKeys(files) {
		dir, ok := strings.CutSuffix(name, "/package.json")
		if !ok || !matchesAny(globs, dir) {
			continue
		}
		var pkg packageJSON
		if err := readJSON(files[name], &pkg); err != nil {
			return nil, fmt.Sprintf("%s is not JSON (%s)", spec.Printable(name, spec.ValueLimit), spec.Printable(oneLineErr(err), spec.ValueLimit))
		}
		if len(w.byDir) >= maxWorkspace {
			return nil, fmt.Sprintf("the workspace has more than %d packages", maxWorkspace)
		}
		wp := wsPackage{dir: dir, pkg: pkg}
		w.byDir[dir] = wp
		if pkg.Name != "" {
			if other, dup := w.byName[pkg.Name]; dup {
				return nil, fmt.Sprintf("two workspace packages are named %s (%s and %s)", spec.Printable(pkg.Name, spec.ValueLimit), spec.Printable(other.dir, spec.ValueLimit), spec.Printable(dir, spec.ValueLimit))
			}
			w.byName[pkg.Name] = wp
		}
	}
	return w, ""
}

func matchesAny(globs []string, dir string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, dir); ok {
			return true
		}
	}
	return false
}

func oneLineErr(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// member is a workspace package the app uses.
type member struct {
	wsPackage
	// why the app uses it, for the plan
	why string
	// prod: reached through production dependencies only from the app:
	// the release needs it at run time
	prod bool
	// deps are the members it uses itself, by folder
	deps []string
}

// closure is the workspace packages app uses, transitively, through its
// dependencies and dev dependencies (test and build use both), in
// dependency order (a package before those that use it); why is "" or
// the reason the closure cannot be told.
func (w *workspace) closure(app wsPackage, pm manager, lock *lockfile) ([]*member, string) {
	found := map[string]*member{app.dir: {wsPackage: app, prod: true}}
	queue := []*member{found[app.dir]}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		type dep struct {
			name, spec string
			prod       bool
		}
		var deps []dep
		for _, list := range []struct {
			m    map[string]string
			prod bool
		}{{m.pkg.Dependencies, true}, {m.pkg.OptionalDependencies, true}, {m.pkg.PeerDependencies, true}, {m.pkg.DevDependencies, false}} {
			for _, name := range sortedKeys(list.m) {
				deps = append(deps, dep{name, list.m[name], list.prod})
			}
		}
		for _, d := range deps {
			dir, how, why := w.link(m.dir, d.name, d.spec, pm, lock)
			if why != "" {
				return nil, why
			}
			if dir == "" || dir == m.dir {
				continue
			}
			m.deps = append(m.deps, dir)
			prod := m.prod && d.prod
			if got, ok := found[dir]; ok {
				if prod && !got.prod {
					got.prod = true
					queue = append(queue, got) // its own production deps ship too
				}
				continue
			}
			wp, ok := w.byDir[dir]
			if !ok {
				// a local folder that is no workspace package (file:, link:)
				wp = wsPackage{dir: dir}
			}
			nm := &member{wsPackage: wp, prod: prod,
				why: fmt.Sprintf("%s/package.json %s → %s (%s)", m.dir, spec.Printable(d.name, spec.ValueLimit), dir, how)}
			if m.dir == "." {
				nm.why = fmt.Sprintf("package.json %s → %s (%s)", spec.Printable(d.name, spec.ValueLimit), dir, how)
			}
			if len(found) >= maxWorkspace {
				return nil, fmt.Sprintf("the app uses more than %d workspace packages", maxWorkspace)
			}
			found[dir] = nm
			queue = append(queue, nm)
		}
	}
	delete(found, app.dir)
	return topological(found), ""
}

// link is the workspace folder the dependency name (as spec says) of the
// package in dir installs from, "" for one from the registry, and how it
// was told; why is set when it cannot be told.
func (w *workspace) link(dir, name, spec string, pm manager, lock *lockfile) (folder, how, why string) {
	switch {
	case strings.HasPrefix(spec, "workspace:"):
		target := name
		// workspace:other@^1 is an alias of the package other
		if alias, _, ok := strings.Cut(strings.TrimPrefix(spec, "workspace:"), "@"); ok && alias != "" && !strings.HasPrefix(spec, "workspace:@") {
			target = alias
		}
		if wp, ok := w.byName[target]; ok {
			return wp.dir, "workspace: protocol", ""
		}
		if rel := strings.TrimPrefix(spec, "workspace:"); strings.HasPrefix(rel, ".") {
			f, why := localFolder(dir, name, rel)
			return f, "workspace: path", why
		}
		return "", "", fmt.Sprintf("%s/package.json: %s is %s, but no workspace package is named so", dir, printable(name), printable(spec))
	case strings.HasPrefix(spec, "link:"), strings.HasPrefix(spec, "file:") && !strings.HasSuffix(spec, ".tgz") && !strings.HasSuffix(spec, ".tar.gz"):
		f, why := localFolder(dir, name, strings.TrimPrefix(strings.TrimPrefix(spec, "link:"), "file:"))
		return f, "a local folder", why
	}
	wp, isWorkspace := w.byName[name]
	if !isWorkspace {
		return "", "", ""
	}
	if lock != nil && lock.linked != nil {
		if f, known := lock.linked(dir, name); known {
			if f == "" {
				return "", "", "" // the lockfile installs it from the registry
			}
			return f, pm.lockfile + " links it", ""
		}
	}
	// npm and yarn link a workspace package whose version the range
	// accepts; pnpm (link-workspace-packages off) only with workspace:
	if pm.name == pnpm {
		return "", "", ""
	}
	c, err := semver.NewConstraint(spec)
	v, verr := semver.NewVersion(wp.pkg.Version)
	switch {
	case spec == "*" || spec == "" || spec == "latest":
		return wp.dir, "a workspace package of that name", ""
	case err != nil:
		return "", "", fmt.Sprintf("%s/package.json: %s is %s, which %s may take from the workspace (%s) or elsewhere", dir, printable(name), printable(spec), pm.tool(), wp.dir)
	case verr == nil && c.Check(v):
		return wp.dir, "its version " + printable(wp.pkg.Version) + " satisfies " + printable(spec), ""
	}
	return "", "", ""
}

// localFolder is the folder rel (relative to dir) names, inside the
// context; why is set when it leaves it.
func localFolder(dir, name, rel string) (string, string) {
	f := path.Clean(path.Join(dir, rel))
	if f == ".." || strings.HasPrefix(f, "../") || path.IsAbs(rel) {
		return "", fmt.Sprintf("%s/package.json: %s points out of the build context (%s)", printable(dir), printable(name), printable(rel))
	}
	return f, ""
}

// exportTargets are the files package.json exports names: a string, or
// the strings anywhere in a map of conditions and subpaths.
func exportTargets(raw json.RawMessage) []string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 || len(out) > 64 {
			return
		}
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			for _, k := range sortedKeys(t) {
				walk(t[k], depth+1)
			}
		case []any:
			for _, e := range t {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

func printable(s string) string { return spec.Printable(s, spec.ValueLimit) }

// topological orders members so that each comes after those it uses;
// among equals, by folder. A cycle is broken at the first folder.
func topological(found map[string]*member) []*member {
	var dirs []string
	for d := range found {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	state := map[string]int{} // 1 visiting, 2 done
	var out []*member
	var visit func(d string)
	visit = func(d string) {
		m, ok := found[d]
		if !ok || state[d] != 0 {
			return
		}
		state[d] = 1
		deps := append([]string{}, m.deps...)
		sort.Strings(deps)
		for _, dep := range deps {
			visit(dep)
		}
		state[d] = 2
		out = append(out, m)
	}
	for _, d := range dirs {
		visit(d)
	}
	return out
}

// outputs are what of a package its users read at run time: package.json
// files, else the folders of main and exports, else index.js (node's
// default main); each as a path relative to the context. Its
// package.json itself is a manifest: it ships with the dependencies.
func (m *member) outputs() []string {
	seen := map[string]bool{}
	var out []string
	add := func(rel string) {
		rel = strings.TrimPrefix(path.Clean(strings.TrimPrefix(rel, "./")), "/")
		if rel == "." || rel == "" || rel == ".." || strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "!") {
			return
		}
		first, _, _ := strings.Cut(rel, "/")
		if first == "node_modules" || strings.ContainsAny(first, "*?[") || first == "package.json" {
			return
		}
		p := path.Join(m.dir, first)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, f := range stringList(m.pkg.Files) {
		add(f)
	}
	if len(out) > 0 {
		return out
	}
	if m.pkg.Main != "" {
		add(m.pkg.Main)
	}
	for _, e := range exportTargets(m.pkg.Exports) {
		add(e)
	}
	if len(out) == 0 {
		add("index.js")
	}
	return out
}

// scope limits the source of an app of a workspace to what it uses: its
// folder, the workspace packages it depends on and the root's manifest,
// lockfile and tool files. It returns those packages, or none when the
// Stagefile asks for the whole context or the closure cannot be told
// (then it says why, and the whole context is copied).
func (f *filler) scope(pm manager, root, app packageJSON, appDir string, lock *lockfile, w *workspace, why string) []*member {
	p, files := f.P, f.Facts.Files
	if appDir == "." || p.Source.Scope.Written() && p.Source.Scope.Value == plan.ScopeContext {
		return nil
	}
	unscoped := func(why string) []*member {
		f.Warn(plan.UnscopedWorkspace, f.Origin(""), "test and build copy the whole context, so an edit anywhere reruns them: %s (fix that, or list what %s needs under source.include with source.scope: workspace)", why, appDir)
		if !p.Source.Scope.Written() {
			p.Source.Scope = plan.Value[string]{Value: plan.ScopeContext, Origin: f.Origin("the workspace could not be scoped: " + why)}
		}
		return nil
	}
	globs := workspaceGlobs(files, root)
	if len(globs) == 0 {
		return unscoped("the root package.json names no workspaces (nor does pnpm-workspace.yaml)")
	}
	if why != "" {
		return unscoped(why)
	}
	if _, ok := w.byDir[appDir]; !ok {
		return unscoped(fmt.Sprintf("%s is not one of the workspace's packages (%s)", printable(appDir), printable(strings.Join(globs, ", "))))
	}
	members, why := w.closure(wsPackage{dir: appDir, pkg: app}, pm, lock)
	if why != "" {
		return unscoped(why)
	}
	for _, dir := range append([]string{appDir}, memberDirs(members)...) {
		// a copy reads * ? [ \ and a leading ! as a pattern: the folder
		// would stand for others
		if strings.ContainsAny(dir, "*?[\\") || strings.HasPrefix(dir, "!") || spec.HasControl(dir) {
			return unscoped(fmt.Sprintf("the folder %s has characters a copy reads as a pattern", printable(dir)))
		}
	}
	if !p.Source.Scope.Written() {
		p.Source.Scope = plan.Value[string]{Value: plan.ScopeWorkspace, Origin: f.Origin("an app of a workspace: its folder, the workspace packages it uses and the root's tool files")}
	}
	p.IncludeInSource(appDir, f.Origin("the app"))
	used := map[string]bool{appDir: true}
	for _, m := range members {
		p.IncludeInSource(m.dir, f.Origin(m.why))
		used[m.dir] = true
	}
	for _, dir := range sortedKeys(w.byDir) {
		// a folder a copy would read as a pattern ships as it is
		if !used[dir] && dir != "." && !strings.ContainsAny(dir, "*?[\\") && !strings.HasPrefix(dir, "!") && !spec.HasControl(dir) {
			f.unused = append(f.unused, dir)
		}
	}
	p.IncludeInSource("package.json", f.Origin("the workspace's root manifest"))
	p.IncludeInSource(pm.lockfile, f.Origin("the lockfile"))
	if _, ok := files["pnpm-workspace.yaml"]; ok && pm.name == pnpm {
		p.IncludeInSource("pnpm-workspace.yaml", f.Origin("the workspace's packages"))
	}
	// the package manager's settings (.yarnrc.yml, which yarn run reads)
	// are dependencies.config: mounted for every step, never copied
	for _, name := range sortedKeys(files) {
		if !strings.Contains(name, "/") && matchesAny(rootTools, name) {
			p.IncludeInSource(name, f.Origin("a tool file at the workspace's root (the preset's list: docs/presets.md#monorepos)"))
		}
	}
	return members
}

func memberDirs(members []*member) []string {
	var dirs []string
	for _, m := range members {
		dirs = append(dirs, m.dir)
	}
	return dirs
}

// workspaceBuild builds the workspace packages the app uses that have a
// build script, in dependency order, before the app's tests and build;
// and, when the Stagefile lists no outputs, ships the app's and its
// production packages' outputs (package.json files, main, exports).
func (f *filler) workspaceBuild(pm manager, app packageJSON, appDir string, members []*member) {
	p := f.P
	if !p.Scoped() {
		return
	}
	if p.Build.Workspace == nil {
		var steps [][]string
		var names []string
		for _, m := range members {
			if _, ok := m.pkg.Scripts["build"]; !ok {
				continue
			}
			steps = append(steps, []string{"cd", path.Join(p.Workdir.Value, m.dir)}, append(append([]string{}, pm.run...), "build"))
			names = append(names, m.dir)
		}
		if len(steps) > 0 {
			p.Build.Workspace = plan.Argv(f.Origin("the build scripts of the workspace packages the app uses, in dependency order: "+strings.Join(names, ", ")), steps...)
		}
	}
	if p.Build.Outputs != nil {
		return // written, even empty
	}
	self := &member{wsPackage: wsPackage{dir: appDir, pkg: app}}
	if start, _, _, _ := startFile(app); start != "" && app.Main == "" {
		// what the app starts with is what it is
		self.pkg.Main = start
	}
	for _, o := range self.outputs() {
		p.Build.Outputs = append(p.Build.Outputs, plan.Value[string]{Value: o, Origin: f.Origin(appDir + "/package.json: what the app's package says it is (files, main, exports)")})
	}
	for _, m := range members {
		if !m.prod || m.pkg.Name == "" {
			continue
		}
		for _, o := range m.outputs() {
			p.Build.Outputs = append(p.Build.Outputs, plan.Value[string]{Value: o, Origin: f.Origin(m.dir + "/package.json: what the app reads of " + printable(m.pkg.Name) + " at run time (files, main, exports)")})
		}
	}
}

// credentials warns of download URLs in the lockfile that carry a user,
// a password or a token: the SBOM and the plan show them redacted, but
// they are in the repository.
func (f *filler) credentials(pm manager, lock *lockfile) {
	var found []string
	for _, p := range lock.packages {
		if spec.HasCredentials(p.Resolved) {
			found = append(found, spec.Redact(p.Resolved))
		}
	}
	if len(found) > 0 {
		f.Warn(plan.CredentialsInLockfile, f.Origin(pm.lockfile), "%s records credentials in %d download URLs, e.g. %s: they are in the repository, and are removed from the SBOM and the plan (configure the registry's token as ${NPM_TOKEN} in .npmrc, pass it as a secret, and regenerate %s)",
			pm.lockfile, len(found), printable(found[0]), pm.lockfile)
	}
}
