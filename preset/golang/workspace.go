package golang

import (
	"fmt"
	"go/parser"
	"go/token"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// The scope of an app of a go.work workspace is what go vet, go test and
// go build of the app read beyond the manifests the dependency step has
// already put in place (go.work, go.work.sum, every used module's go.mod
// and go.sum):
//   - the app's module folder;
//   - every folder whose module the app's go.mod requires, found by module
//     path among go.work's modules or through a replace directive to a
//     local folder (go.work's, or any used module's: in a workspace they all
//     apply), and transitively what those modules' go.mod files require;
//     a used module's own local replace targets too;
//   - go.work and go.work.sum, and go.work's vendor folder when there is
//     one (go work vendor: go builds from it).
// Nothing else at the root is read by the go command (go.env is GOROOT's,
// linters' files are not the go command's), so a module of the workspace
// the app does not require is not in the copy, and an edit there moves no
// digest of the app's test or build.
//
// go.mod is what tells. In a workspace go also builds a package of a used
// module that go.mod does not require; such a module is not in the scope,
// and go vet fails on the import ("no required module provides package").
// The Go files the preset reads anyway show it for the app's own folder
// and cmd/*, and then the source stays the whole context.

// scoped is a path of the scope and why it is there.
type scoped struct{ path, why string }

// unscoped is why the preset cannot tell the app's modules, and what
// would let it.
type unscoped struct{ why, fix string }

func cannot(fix, format string, args ...any) *unscoped {
	return &unscoped{why: fmt.Sprintf(format, args...), fix: fix}
}

// scope fills source.scope and source.include for an app of a go.work
// workspace. A written source.scope: context turns it off; when the preset
// cannot tell what the app uses, the source stays the whole context and
// says why (UnscopedWorkspace).
func (f *filler) scope(m module) {
	p := f.P
	src := &p.Source
	if m.work == nil || m.dir == "." || src.Scope.Written() && src.Scope.Value == plan.ScopeContext {
		return
	}
	paths, no := f.closure(m)
	if no != nil {
		if src.Scope.Written() {
			// source.scope: workspace, written: the user lists the rest
			// under source.include; the preset adds what it knows for sure
			p.IncludeInSource(m.dir, f.Origin("go.work: the app's module"))
			for _, s := range f.rootFiles() {
				p.IncludeInSource(s.path, f.Origin(s.why))
			}
			return
		}
		src.Scope = plan.Value[string]{Value: plan.ScopeContext, Origin: f.Origin("go.work: the whole context, as " + no.why)}
		f.Warn(plan.UnscopedWorkspace, src.Scope.Origin, "preset go cannot tell which modules of go.work %s uses: %s; test and build copy the whole context, so an edit anywhere reruns them (%s, %s)",
			printable(m.dir), no.why, no.fix, orList)
		return
	}
	for _, s := range append(paths, f.rootFiles()...) {
		p.IncludeInSource(s.path, f.Origin(s.why))
	}
	if !src.Scope.Written() {
		src.Scope = plan.Value[string]{Value: plan.ScopeWorkspace, Origin: f.Origin("go.work: the app's module and the workspace modules its go.mod requires")}
	}
}

// rootFiles are the files at the root that go reads for any module of the
// workspace.
func (f *filler) rootFiles() []scoped {
	var out []scoped
	for _, s := range []scoped{
		{"go.work", "the workspace file go reads"},
		{"go.work.sum", "the workspace's checksums, which go reads"},
		{"vendor/modules.txt", "go.work's vendor folder (go work vendor), which go builds from"},
	} {
		if _, ok := f.Facts.Files[s.path]; ok {
			if s.path == "vendor/modules.txt" {
				s.path = "vendor"
			}
			out = append(out, s)
		}
	}
	return out
}

// replacement is a replace directive to a local folder.
type replacement struct {
	dir  string // relative to the context; "" when it leaves it
	from string // the file that says so: go.work or DIR/go.mod
	to   string // as written
	old  string // the module path replaced
}

// localReplacements are the replace directives of file from (in folder
// base) that name a folder; in a workspace, go.work's and every used
// module's apply.
func localReplacements(base, from string, reps []*modfile.Replace) []replacement {
	var out []replacement
	for _, r := range reps {
		if r.New.Version != "" {
			continue // another module version, downloaded
		}
		rep := replacement{from: from, to: r.New.Path, old: r.Old.Path}
		if dir := path.Join(base, r.New.Path); !path.IsAbs(r.New.Path) && dir != ".." && !strings.HasPrefix(dir, "../") {
			rep.dir = dir
		}
		out = append(out, rep)
	}
	return out
}

// orList ends every fix: what the user can always do.
const orList = "or list what the app needs under source.include with source.scope: workspace"

// closure is the app's module and the folders of the modules it needs,
// each with why; or why it cannot tell.
func (f *filler) closure(m module) ([]scoped, *unscoped) {
	files := f.Facts.Files
	app := m.dir
	if !slices.Contains(m.uses, app) {
		return nil, cannot("add it: go work use ./"+printable(app), "go.work does not use %s, so go vet and go build fail there", printable(app))
	}
	if no := oddFolder(app, "the app is "+printable(app)); no != nil {
		return nil, no
	}
	mods := map[string]*modfile.File{app: m.mod}
	used := map[string]bool{}
	byPath := map[string]string{} // module path → used folder
	for _, u := range m.uses {
		used[u] = true
		if u != app {
			name := path.Join(u, "go.mod")
			mf, err := modfile.Parse(name, files[name], nil)
			if err != nil {
				return nil, cannot("fix it: go mod tidy there", "%s is not a module file go can read: %s", printable(name), spec.Printable(oneLine(err), 4*spec.ValueLimit))
			}
			if mf.Module == nil {
				return nil, cannot("run go mod init there", "%s has no module line", printable(name))
			}
			mods[u] = mf
		}
		if mp := mods[u].Module.Mod.Path; byPath[mp] == "" {
			byPath[mp] = u
		}
	}
	replaced := map[string][]replacement{}
	for _, r := range localReplacements(".", "go.work", m.work.Replace) {
		replaced[r.old] = append(replaced[r.old], r)
	}
	for _, u := range m.uses {
		for _, r := range localReplacements(u, path.Join(u, "go.mod"), mods[u].Replace) {
			replaced[r.old] = append(replaced[r.old], r)
		}
	}

	out := []scoped{{app, "go.work: the app's module"}}
	in := map[string]bool{app: true}
	queue := []string{app}
	// add puts dir in the scope: a module folder other than the root
	add := func(dir, why string) *unscoped {
		if in[dir] {
			return nil
		}
		if dir == "." {
			return cannot("move the root module into a folder of its own", "%s, the module at the root of the build context, whose packages are the whole context", why)
		}
		if no := oddFolder(dir, why); no != nil {
			return no
		}
		if _, ok := mods[dir]; !ok {
			name := path.Join(dir, "go.mod")
			if _, read := files[name]; !read {
				return cannot("check .dockerignore", "%s, which has no go.mod in the build context", why)
			}
			mf, err := modfile.Parse(name, files[name], nil)
			if err != nil {
				return cannot("fix it: go mod tidy there", "%s is not a module file go can read: %s", printable(name), spec.Printable(oneLine(err), 4*spec.ValueLimit))
			}
			mods[dir] = mf
		}
		in[dir] = true
		queue = append(queue, dir)
		out = append(out, scoped{dir, "go.work: " + why})
		return nil
	}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		mf, name := mods[dir], path.Join(dir, "go.mod")
		for _, req := range mf.Require {
			mp := printable(req.Mod.Path)
			if u, ok := byPath[req.Mod.Path]; ok {
				if no := add(u, fmt.Sprintf("%s requires %s (%s)", printable(name), mp, printable(u))); no != nil {
					return nil, no
				}
			}
			for _, r := range replaced[req.Mod.Path] {
				if r.dir == "" {
					return nil, cannot("move it into the build context", "%s requires %s, which %s replaces with %s, outside the build context", printable(name), mp, printable(r.from), printable(r.to))
				}
				if no := add(r.dir, fmt.Sprintf("%s requires %s, which %s replaces with %s (%s)", printable(name), mp, printable(r.from), printable(r.to), printable(r.dir))); no != nil {
					return nil, no
				}
			}
		}
		if !used[dir] {
			continue // a replacement's own replace directives do not apply
		}
		for _, r := range localReplacements(dir, name, mf.Replace) {
			if r.dir == "" {
				continue // when required, a reason above
			}
			if no := add(r.dir, fmt.Sprintf("%s replaces %s with %s (%s)", printable(name), printable(r.old), printable(r.to), printable(r.dir))); no != nil {
				return nil, no
			}
		}
	}
	if no := f.unrequiredImport(m, byPath, in); no != nil {
		return nil, no
	}
	return out, nil
}

// unrequiredImport: in a workspace, go builds a package of a used module
// that go.mod does not require, so go.mod does not tell all the app uses.
// The Go files the preset has read (the app's folder and its cmd/*) say
// when that is so; deeper packages are not read (go vet then fails on the
// import: docs/presets.md says what to do).
func (f *filler) unrequiredImport(m module, byPath map[string]string, in map[string]bool) *unscoped {
	required := map[string]bool{}
	for _, r := range m.mod.Require {
		required[r.Mod.Path] = true
	}
	var names []string
	for name := range f.Facts.Files {
		if path.Ext(name) == ".go" && strings.HasPrefix(name, m.dir+"/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		file, err := parser.ParseFile(token.NewFileSet(), name, f.Facts.Files[name], parser.ImportsOnly)
		if err != nil {
			continue // go vet says what is wrong with it
		}
		for _, imp := range file.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			// the module that provides ip: the longest path that is a
			// prefix of it, among the workspace's and the required ones
			best, dir := "", ""
			for mp, u := range byPath {
				if provides(mp, ip) && len(mp) > len(best) {
					best, dir = mp, u
				}
			}
			for mp := range required {
				if provides(mp, ip) && len(mp) > len(best) {
					best, dir = mp, ""
				}
			}
			if dir != "" && !in[dir] {
				return cannot(fmt.Sprintf("require it, with a replace to its folder: cd %s && go mod edit -require=%s@v0.0.0 -replace=%s=%s",
					printable(m.dir), printable(best), printable(best), printable(relTo(m.dir, dir))),
					"%s imports %s of %s, a module of go.work that %s does not require", printable(name), printable(ip), printable(dir), printable(path.Join(m.dir, "go.mod")))
			}
		}
	}
	return nil
}

// provides: module mp holds package ip.
func provides(mp, ip string) bool { return ip == mp || strings.HasPrefix(ip, mp+"/") }

// relTo is dir as a path from folder from (both relative to the context),
// as a replace directive writes it.
func relTo(from, dir string) string {
	up := strings.Repeat("../", strings.Count(from, "/")+1)
	return up + dir
}

// oddFolder: a scope's paths reach BuildKit as copy patterns, where *, ?,
// [ and \ are wildcards and a leading ! negates, and the plan refuses
// control characters in paths; a folder with one is left to the
// whole-context copy rather than risk a copy without it.
func oddFolder(dir, why string) *unscoped {
	if spec.HasControl(dir) {
		return cannot("rename the folder", "%s, in a folder whose name has control characters", why)
	}
	if strings.ContainsAny(dir, `*?[\`) || strings.HasPrefix(dir, "!") {
		return cannot("rename the folder", "%s, in a folder whose name a copy would read as a pattern", why)
	}
	return nil
}

func printable(s string) string { return spec.Printable(s, spec.ValueLimit) }

// replacementFiles are the go.mod files of the local folders that go.work
// and its used modules' go.mod files (in read) replace modules with, which
// go reads and the workspace's depth wildcards may not have found.
func replacementFiles(read map[string][]byte) []string {
	w, err := modfile.ParseWork("go.work", read["go.work"], nil)
	if err != nil {
		return nil
	}
	reps := localReplacements(".", "go.work", w.Replace)
	for _, u := range w.Use {
		name := path.Join(path.Clean(u.Path), "go.mod")
		if mf, err := modfile.Parse(name, read[name], nil); err == nil {
			reps = append(reps, localReplacements(path.Clean(u.Path), name, mf.Replace)...)
		}
	}
	var out []string
	for _, r := range reps {
		name := path.Join(r.dir, "go.mod")
		if _, ok := read[name]; !ok && r.dir != "" && !plan.HasWildcard(name) {
			out = append(out, name)
		}
	}
	return out
}
