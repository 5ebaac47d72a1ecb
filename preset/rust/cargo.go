package rust

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
	"github.com/stagefile/stagefile/spec"
)

// manifest is what the preset reads of a Cargo.toml.
type manifest struct {
	Package *struct {
		Name string `toml:"name"`
		// RustVersion is "1.80", or {workspace = true}.
		RustVersion any `toml:"rust-version"`
		// Build is a build script's path, or false.
		Build      any    `toml:"build"`
		DefaultRun string `toml:"default-run"`
		Autobins   *bool  `toml:"autobins"`
		Autolib    *bool  `toml:"autolib"`
	} `toml:"package"`
	Lib     *target  `toml:"lib"`
	Bin     []target `toml:"bin"`
	Test    []target `toml:"test"`
	Bench   []target `toml:"bench"`
	Example []target `toml:"example"`
	deps
	Target map[string]deps `toml:"target"`
	// Workspace is the root's [workspace].
	Workspace *struct {
		Members []string `toml:"members"`
		Exclude []string `toml:"exclude"`
		Package struct {
			RustVersion string `toml:"rust-version"`
		} `toml:"package"`
		Dependencies map[string]any `toml:"dependencies"`
	} `toml:"workspace"`
	// Patch is the root's [patch.REGISTRY]: a path there is a local package.
	Patch map[string]map[string]any `toml:"patch"`
}

// deps are a manifest's dependency tables (the underscore spellings are
// cargo's older ones).
type deps struct {
	Dependencies       map[string]any `toml:"dependencies"`
	DevDependencies    map[string]any `toml:"dev-dependencies"`
	DevDependencies2   map[string]any `toml:"dev_dependencies"`
	BuildDependencies  map[string]any `toml:"build-dependencies"`
	BuildDependencies2 map[string]any `toml:"build_dependencies"`
}

// target is a [lib], [[bin]], [[test]], [[bench]] or [[example]].
type target struct {
	Name string `toml:"name"`
	Path string `toml:"path"`
}

// Dependency kinds.
const (
	normal = "dependencies"
	dev    = "dev-dependencies"
	build  = "build-dependencies"
)

// dependency is one entry of a dependency table.
type dependency struct {
	key, name string // as written, and the package (package = "..." renames)
	kind      string
	path      string // a local folder, relative to the context; "" for none
	from      string // the manifest and table, for messages
}

// crate is a package of the build context: the app, a workspace member or
// a path dependency. Its sources are what the dependency step skeletons.
type crate struct {
	dir  string // relative to the context
	m    *manifest
	why  string
	deps []dependency
}

func (c *crate) file() string { return path.Join(c.dir, "Cargo.toml") }

func (c *crate) name() string {
	if c.m.Package == nil {
		return ""
	}
	return c.m.Package.Name
}

// project is the Cargo project the app belongs to: its root (the folder
// of Cargo.lock: the workspace's, or the app's own), every local package
// and the app's.
type project struct {
	root   string
	rootM  *manifest
	crates []*crate // sorted by folder
	byDir  map[string]*crate
	app    *crate
}

// appError is a problem with app:, reported at its line.
type appError struct{ msg string }

func (e *appError) Error() string { return e.msg }

// packageName: what cargo accepts as a package or target name.
var packageName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$`)

// binName is a binary's file name.
var binName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// readManifest reads a Cargo.toml within the TOML limits.
func readManifest(name string, dt []byte) (*manifest, error) {
	m := &manifest{}
	if err := scaffold.ReadTOML(dt, m); err != nil {
		return nil, fmt.Errorf("%s is not a manifest cargo can read: %v (fix the TOML)", printable(name), err)
	}
	if m.Package != nil && !packageName.MatchString(m.Package.Name) {
		return nil, fmt.Errorf("%s: package name %q is not one cargo accepts (letters, digits, - and _)", printable(name), printable(m.Package.Name))
	}
	return m, nil
}

// inContext joins rel to dir and checks the result stays in the context.
func inContext(dir, rel string) (string, bool) {
	if rel == "" || path.IsAbs(rel) || strings.ContainsRune(rel, '\\') || hasControl(rel) {
		return "", false
	}
	p := path.Join(dir, rel)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

// loadProject reads the project app belongs to from files. With partial
// (Files asking what to read next) a manifest not read yet is skipped, not
// an error.
func loadProject(files map[string][]byte, app string, partial bool) (*project, error) {
	pr := &project{byDir: map[string]*crate{}}
	parsed := map[string]*manifest{}
	read := func(dir string) (*manifest, bool, error) {
		name := path.Join(dir, "Cargo.toml")
		if m, ok := parsed[name]; ok {
			return m, true, nil
		}
		dt, ok := files[name]
		if !ok {
			return nil, false, nil
		}
		m, err := readManifest(name, dt)
		if err != nil {
			return nil, true, err
		}
		parsed[name] = m
		return m, true, nil
	}
	rootM, ok, err := read(".")
	if err != nil {
		return nil, err
	}
	switch {
	case ok && (app == "." || rootM.Workspace != nil):
		pr.root, pr.rootM = ".", rootM
	case app != ".":
		m, ok, err := read(app)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &appError{fmt.Sprintf("app %s has no Cargo.toml (point app at the folder of the package to release)", printable(app))}
		}
		pr.root, pr.rootM = app, m
	default:
		return nil, fmt.Errorf("preset rust needs a Cargo.toml at the root of the build context (run cargo init; is it excluded by .dockerignore?)")
	}
	add := func(dir, why string) (*crate, error) {
		if c, ok := pr.byDir[dir]; ok {
			return c, nil
		}
		m, ok, err := read(dir)
		if err != nil || !ok {
			return nil, err
		}
		c := &crate{dir: dir, m: m, why: why}
		if m.Package == nil {
			return nil, nil // a virtual manifest: no package of its own
		}
		pr.byDir[dir] = c
		pr.crates = append(pr.crates, c)
		return c, nil
	}
	if _, err := add(pr.root, "the project's root package"); err != nil {
		return nil, err
	}
	if ws := pr.rootM.Workspace; ws != nil {
		members, err := pr.members(files)
		if err != nil {
			return nil, err
		}
		for _, mem := range members {
			c, err := add(mem.dir, mem.why)
			if err != nil {
				return nil, err
			}
			if c == nil && !partial {
				return nil, fmt.Errorf("workspace member %s has no package in the build context (%s; check .dockerignore)", printable(mem.dir), mem.why)
			}
		}
	}
	// path dependencies, of every package found, in turn
	for i := 0; i < len(pr.crates); i++ {
		c := pr.crates[i]
		ds, err := pr.dependencies(c)
		if err != nil {
			return nil, err
		}
		c.deps = ds
		for _, d := range ds {
			if d.path == "" {
				continue
			}
			dc, err := add(d.path, "a path dependency of "+c.name()+" ("+d.from+")")
			if err != nil {
				return nil, err
			}
			if dc == nil && !partial {
				return nil, fmt.Errorf("%s names the path dependency %s, which has no Cargo.toml with a [package] in the build context (check .dockerignore)", d.from, printable(d.path))
			}
		}
		if len(pr.crates) > plan.MaxMatches {
			return nil, fmt.Errorf("more than %d local packages: preset rust reads no more", plan.MaxMatches)
		}
	}
	sort.Slice(pr.crates, func(i, j int) bool { return pr.crates[i].dir < pr.crates[j].dir })
	pr.app = pr.byDir[app]
	if pr.app == nil && !partial {
		switch {
		case app == "." && pr.rootM.Package == nil:
			example := "crates/api"
			if len(pr.crates) > 0 {
				example = pr.crates[0].dir
			}
			return nil, fmt.Errorf("Cargo.toml is a virtual workspace (no [package]): set app to the member to release, e.g. app: %s", printable(example))
		case pr.root == app:
			return nil, &appError{fmt.Sprintf("%s has no [package] (point app at the folder of the package to release)", printable(path.Join(app, "Cargo.toml")))}
		default:
			return nil, &appError{fmt.Sprintf("app %s is not a package of the workspace (Cargo.toml [workspace] members, or a path dependency of one) (add it to members)", printable(app))}
		}
	}
	return pr, nil
}

type member struct{ dir, why string }

// members are the folders [workspace] members name (globs as cargo reads
// them, minus exclude), each once.
func (pr *project) members(files map[string][]byte) ([]member, error) {
	ws := pr.rootM.Workspace
	excluded := map[string]bool{}
	for _, e := range ws.Exclude {
		if p, ok := inContext(pr.root, e); ok {
			excluded[p] = true
		}
	}
	var out []member
	seen := map[string]bool{}
	for _, g := range ws.Members {
		pattern, ok := inContext(pr.root, g)
		if !ok {
			return nil, fmt.Errorf("Cargo.toml [workspace] members names %s, outside the build context (build from the folder that holds every package)", printable(g))
		}
		if strings.Contains(g, "**") {
			return nil, fmt.Errorf("Cargo.toml [workspace] members %s: preset rust reads globs of one level per *, not ** (name each level, e.g. crates/*)", printable(g))
		}
		if _, err := path.Match(pattern, ""); err != nil {
			return nil, fmt.Errorf("Cargo.toml [workspace] members %s is not a glob cargo can read", printable(g))
		}
		why := "a workspace member (Cargo.toml members: " + printable(g) + ")"
		if !plan.HasWildcard(pattern) {
			if !excluded[pattern] && !seen[pattern] {
				seen[pattern] = true
				out = append(out, member{pattern, why})
			}
			continue
		}
		var dirs []string
		for name := range files {
			dir, base := path.Split(name)
			dir = path.Clean(dir)
			if base != "Cargo.toml" {
				continue
			}
			if ok, _ := path.Match(pattern, dir); ok && !excluded[dir] && !seen[dir] {
				dirs = append(dirs, dir)
			}
		}
		sort.Strings(dirs)
		for _, d := range dirs {
			seen[d] = true
			out = append(out, member{d, why})
		}
	}
	return out, nil
}

// dependencies lists c's dependency tables: the package each entry names,
// and the folder of a path dependency (the workspace's, for an entry with
// workspace = true). The root's [patch] paths count as the root's.
func (pr *project) dependencies(c *crate) ([]dependency, error) {
	var out []dependency
	tables := []struct {
		kind, where string
		deps        map[string]any
	}{
		{normal, "dependencies", c.m.Dependencies},
		{dev, "dev-dependencies", c.m.DevDependencies},
		{dev, "dev_dependencies", c.m.DevDependencies2},
		{build, "build-dependencies", c.m.BuildDependencies},
		{build, "build_dependencies", c.m.BuildDependencies2},
	}
	for _, cfg := range sortedKeys(c.m.Target) {
		t := c.m.Target[cfg]
		where := "target." + printable(cfg) + "."
		tables = append(tables,
			struct {
				kind, where string
				deps        map[string]any
			}{normal, where + "dependencies", t.Dependencies},
			struct {
				kind, where string
				deps        map[string]any
			}{dev, where + "dev-dependencies", t.DevDependencies},
			struct {
				kind, where string
				deps        map[string]any
			}{build, where + "build-dependencies", t.BuildDependencies})
	}
	if c.dir == pr.root && c.m == pr.rootM {
		for _, reg := range sortedKeys(pr.rootM.Patch) {
			tables = append(tables, struct {
				kind, where string
				deps        map[string]any
			}{"patch", "patch." + printable(reg), pr.rootM.Patch[reg]})
		}
	}
	var wsDeps map[string]any
	if pr.rootM.Workspace != nil {
		wsDeps = pr.rootM.Workspace.Dependencies
	}
	for _, t := range tables {
		for _, key := range sortedKeys(t.deps) {
			from := c.file() + " " + t.where
			d := dependency{key: key, name: key, kind: t.kind, from: from}
			spec, base := t.deps[key], c.dir
			if tbl, ok := spec.(map[string]any); ok && tbl["workspace"] == true {
				// the workspace's entry, whose paths are the root's
				spec, base = wsDeps[key], pr.root
				if spec == nil {
					return nil, fmt.Errorf("%s: %s has workspace = true, but the root Cargo.toml has no [workspace.dependencies] %s (add it there)", from, printable(key), printable(key))
				}
				if own, ok := tbl["package"].(string); ok {
					d.name = own
				}
			}
			if tbl, ok := spec.(map[string]any); ok {
				if pkg, ok := tbl["package"].(string); ok {
					d.name = pkg
				}
				if p, ok := tbl["path"].(string); ok {
					dir, ok := inContext(base, p)
					if !ok {
						return nil, fmt.Errorf("%s: %s has path %s, outside the build context (build from the folder that holds every package)", from, printable(key), printable(p))
					}
					d.path = dir
				}
			}
			if !packageName.MatchString(d.name) {
				return nil, fmt.Errorf("%s: %q is not a package name cargo accepts", from, printable(d.name))
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Target kinds: what the skeleton writes for them.
const (
	kindLib  = "lib"  // an empty file
	kindMain = "main" // fn main() {}
)

// source is a source file the skeleton writes.
type source struct {
	path, kind string
	why        string // for messages: "[[bin]] server"
}

// bin is a binary the package builds.
type bin struct{ name, why string }

// targetFiles are the files of dir that tell which targets cargo finds
// itself: the build script, src/main.rs, src/lib.rs and src/bin.
func targetFiles(dir string) []string {
	return []string{path.Join(dir, "build.rs"), path.Join(dir, "src/main.rs"), path.Join(dir, "src/lib.rs"),
		path.Join(dir, "src/bin/*.rs"), path.Join(dir, "src/bin/*/main.rs")}
}

// declaredFiles are the files c's manifest names for its targets: their
// paths, or where cargo looks for a target declared by name.
func (c *crate) declaredFiles() []string {
	var out []string
	for _, t := range c.declared() {
		for _, cand := range t.candidates {
			out = append(out, cand)
		}
	}
	if b, ok := c.m.Package.Build.(string); ok {
		if p, ok := inContext(c.dir, b); ok {
			out = append(out, p)
		}
	}
	return out
}

// declaredTarget is a target the manifest declares, and the files cargo
// would take for it, in cargo's order.
type declaredTarget struct {
	kind, what string
	name       string
	candidates []string
	explicit   bool // a path written
}

func (c *crate) declared() []declaredTarget {
	if c.m.Package == nil {
		return nil
	}
	var out []declaredTarget
	add := func(kind, what string, t target, dirs ...string) {
		dt := declaredTarget{kind: kind, what: what, name: t.Name}
		if t.Path != "" {
			p, ok := inContext(c.dir, t.Path)
			if !ok {
				dt.candidates = nil
			} else {
				dt.candidates = []string{p}
			}
			dt.explicit = true
		} else if t.Name != "" && binName.MatchString(t.Name) {
			for _, d := range dirs {
				dt.candidates = append(dt.candidates, path.Join(c.dir, d, t.Name+".rs"), path.Join(c.dir, d, t.Name, "main.rs"))
			}
		}
		out = append(out, dt)
	}
	if c.m.Lib != nil {
		t := *c.m.Lib
		if t.Path == "" {
			t.Path = "src/lib.rs"
		}
		add(kindLib, "[lib]", t)
	}
	for _, t := range c.m.Bin {
		if t.Path == "" && t.Name == c.name() {
			// cargo also takes src/main.rs for a bin named like the package
			dt := declaredTarget{kind: kindMain, what: "[[bin]] " + printable(t.Name), name: t.Name}
			dt.candidates = []string{path.Join(c.dir, "src/bin", t.Name+".rs"), path.Join(c.dir, "src/bin", t.Name, "main.rs"), path.Join(c.dir, "src/main.rs")}
			out = append(out, dt)
			continue
		}
		add(kindMain, "[[bin]] "+printable(t.Name), t, "src/bin")
	}
	for _, t := range c.m.Test {
		add(kindMain, "[[test]] "+printable(t.Name), t, "tests")
	}
	for _, t := range c.m.Bench {
		add(kindMain, "[[bench]] "+printable(t.Name), t, "benches")
	}
	for _, t := range c.m.Example {
		add(kindMain, "[[example]] "+printable(t.Name), t, "examples")
	}
	return out
}

// sources are the files of c the skeleton writes, and the binaries c
// builds: its declared targets (each must be in the context: a skeleton
// file the source copy did not replace would be built as the app), and
// those cargo finds itself that the context has.
func (c *crate) sources(files map[string][]byte) ([]source, []bin, error) {
	var srcs []source
	var bins []bin
	seen := map[string]bool{}
	have := func(p string) bool { _, ok := files[p]; return ok }
	addSrc := func(p, kind, why string) {
		if !seen[p] {
			seen[p] = true
			srcs = append(srcs, source{p, kind, why})
		}
	}
	binNames := map[string]bool{}
	addBin := func(name, why string) error {
		if binNames[name] {
			return nil
		}
		if !binName.MatchString(name) {
			return fmt.Errorf("%s: the binary %q is not a file name preset rust releases (letters, digits, ., - and _)", c.file(), printable(name))
		}
		binNames[name] = true
		bins = append(bins, bin{name, why})
		return nil
	}
	for _, t := range c.declared() {
		if len(t.candidates) == 0 {
			return nil, nil, fmt.Errorf("%s: %s has no path in the build context (write a relative path inside it, or name the target)", c.file(), t.what)
		}
		found := ""
		for _, cand := range t.candidates {
			if have(cand) {
				found = cand
				break
			}
		}
		if found == "" {
			return nil, nil, fmt.Errorf("%s: %s is at %s, which the build context does not have (check .dockerignore)", c.file(), t.what, printable(t.candidates[0]))
		}
		addSrc(found, t.kind, t.what)
		if strings.HasPrefix(t.what, "[[bin]]") {
			if err := addBin(t.name, t.what+" in "+c.file()); err != nil {
				return nil, nil, err
			}
		}
	}
	pkg := c.m.Package
	if pkg.Autolib == nil || *pkg.Autolib {
		if p := path.Join(c.dir, "src/lib.rs"); have(p) && c.m.Lib == nil {
			addSrc(p, kindLib, "src/lib.rs")
		}
	}
	if pkg.Autobins == nil || *pkg.Autobins {
		if p := path.Join(c.dir, "src/main.rs"); have(p) && !seen[p] {
			addSrc(p, kindMain, "src/main.rs")
			if err := addBin(c.name(), "src/main.rs of "+c.name()); err != nil {
				return nil, nil, err
			}
		}
		binDir := path.Join(c.dir, "src/bin") + "/"
		var auto []string
		for name := range files {
			if rest, ok := strings.CutPrefix(name, binDir); ok {
				if strings.Count(rest, "/") == 0 && strings.HasSuffix(rest, ".rs") || strings.Count(rest, "/") == 1 && strings.HasSuffix(rest, "/main.rs") {
					auto = append(auto, name)
				}
			}
		}
		sort.Strings(auto)
		for _, name := range auto {
			if seen[name] {
				continue
			}
			rest := strings.TrimPrefix(name, binDir)
			binN := strings.TrimSuffix(strings.TrimSuffix(rest, "/main.rs"), ".rs")
			addSrc(name, kindMain, "src/bin")
			if err := addBin(binN, strings.TrimPrefix(name, c.dir+"/")); err != nil {
				return nil, nil, err
			}
		}
	}
	switch b := pkg.Build.(type) {
	case string:
		p, ok := inContext(c.dir, b)
		if !ok || !have(p) {
			return nil, nil, fmt.Errorf("%s: the build script %s is not in the build context (check .dockerignore)", c.file(), printable(b))
		}
		addSrc(p, kindMain, "the build script")
	case bool:
		if b {
			if p := path.Join(c.dir, "build.rs"); have(p) {
				addSrc(p, kindMain, "the build script")
			}
		}
	case nil:
		if p := path.Join(c.dir, "build.rs"); have(p) {
			addSrc(p, kindMain, "the build script")
		}
	}
	if len(srcs) == 0 {
		return nil, nil, fmt.Errorf("%s has no target in the build context: no src/lib.rs, src/main.rs, src/bin or [[bin]] (check .dockerignore)", c.file())
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].path < srcs[j].path })
	return srcs, bins, nil
}

// crateNames are the names cargo files c's compiled units under: the
// package's own (fingerprints, build script outputs) and its targets'
// crate names (lib, binaries: dashes as underscores).
func (c *crate) crateNames(bins []bin) []string {
	names := []string{c.name(), strings.ReplaceAll(c.name(), "-", "_")}
	if c.m.Lib != nil && c.m.Lib.Name != "" {
		names = append(names, c.m.Lib.Name)
	}
	for _, b := range bins {
		names = append(names, strings.ReplaceAll(b.name, "-", "_"))
	}
	return dedupe(names)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if x != "" && !seen[x] && packageName.MatchString(x) {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func printable(s string) string { return spec.Printable(s, spec.ValueLimit) }
