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

// What `stagefile init` asks the go preset.
var _ plan.Initializer = Provider{}

// Markers: a module or a workspace.
func (Provider) Markers() []string { return []string{"go.mod", "go.work"} }

// WorkspaceFiles: go.work, then the go.mod and the Go files (the
// module's root and cmd/*) of each module it uses.
func (Provider) WorkspaceFiles(read map[string][]byte) []string {
	files := []string{"go.work"}
	for _, dir := range workUses(read) {
		files = append(files, path.Join(dir, "go.mod"), path.Join(dir, "*.go"), path.Join(dir, "cmd/*/*.go"))
	}
	return files
}

// workUses are the module folders go.work uses, inside the context.
func workUses(files map[string][]byte) []string {
	dt, ok := files["go.work"]
	if !ok {
		return nil
	}
	w, err := modfile.ParseWork("go.work", dt, nil)
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range w.Use {
		dir := path.Clean(u.Path)
		if path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") {
			continue
		}
		out = append(out, dir)
	}
	sort.Strings(out)
	return out
}

// Workspace: the modules go.work uses. An app is a module with a main
// package: its root, or a cmd/NAME (several are an app the preset asks
// to choose for); the others are libraries.
func (Provider) Workspace(files map[string][]byte) *plan.Workspace {
	if _, ok := files["go.work"]; !ok {
		return nil
	}
	w := &plan.Workspace{Kind: "a go.work workspace (go.work)"}
	for _, dir := range workUses(files) {
		if _, ok := files[path.Join(dir, "go.mod")]; !ok {
			continue
		}
		w.Packages = append(w.Packages, plan.WorkspacePackage{Dir: dir, Start: mainOf(packages(files, dir))})
	}
	return w
}

// mainOf says which of a module's packages are main, "" when none is.
func mainOf(pkgs map[string]string) string {
	if pkgs["."] == "main" {
		return "package main (the module's root)"
	}
	var mains []string
	for dir, name := range pkgs {
		if name == "main" {
			mains = append(mains, dir)
		}
	}
	sort.Strings(mains)
	if len(mains) == 0 {
		return ""
	}
	return "package main (" + strings.Join(mains, ", ") + ")"
}

// SuggestFiles: the Go files of the app's folder and its cmd/*.
func (Provider) SuggestFiles(p *plan.Plan, read map[string][]byte) []string {
	app := path.Clean(p.App.Value)
	return []string{path.Join(app, "*.go"), path.Join(app, "cmd/*/*.go")}
}

// The ports a Go server's main package names: ":8080", a PORT variable's
// default, a -port flag's.
var goPorts = []*regexp.Regexp{
	regexp.MustCompile(`"(?:0\.0\.0\.0)?:(\d{1,5})"`),
	regexp.MustCompile(`Getenv\("PORT"\)[^\n]*(?:\n[^\n]*){0,4}?"(\d{1,5})"`),
	regexp.MustCompile(`flag\.(?:String|Int|Uint)(?:Var)?\([^)\n]*"(?:port|addr|listen|http)"\s*,\s*"?(?:0\.0\.0\.0)?:?(\d{1,5})"?`),
}

// Suggest: release.expose from the port the main package names; the
// binary the build writes for .dockerignore.
func (Provider) Suggest(p *plan.Plan, files map[string][]byte) []plan.Suggestion {
	var out []plan.Suggestion
	var bins []string
	for _, o := range p.Build.Outputs {
		if o.Origin.Kind == plan.Preset {
			bins = append(bins, o.Value)
		}
	}
	if len(bins) > 0 {
		out = append(out, plan.Suggestion{Field: ".dockerignore", Values: bins, From: "what the build writes: the developer's own binary would only be sent to the daemon"})
	}
	if len(p.Release.Expose) > 0 {
		return out
	}
	return append(out, exposeMain(p, files)...)
}

// exposeMain is the port the app's main package names.
func exposeMain(p *plan.Plan, files map[string][]byte) []plan.Suggestion {
	app := path.Clean(p.App.Value)
	pkgs := packages(files, app)
	main := ""
	if pkgs["."] == "main" {
		main = "."
	} else {
		for dir, name := range pkgs {
			if name == "main" {
				if main != "" {
					return nil // several: the preset asks to choose
				}
				main = dir
			}
		}
	}
	if main == "" {
		return nil
	}
	dir := path.Join(app, main)
	var ports []scaffold.Port
	var from []string
	seen := map[string]bool{}
	for _, name := range sortedNames(files) {
		if path.Dir(name) != dir || path.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		for _, pt := range scaffold.Ports(files[name], goPorts...) {
			if !seen[pt.Number] {
				seen[pt.Number] = true
				ports = append(ports, pt)
				from = append(from, name)
			}
		}
	}
	if len(ports) == 1 {
		return scaffold.Expose(from[0], ports)
	}
	return scaffold.Expose(dir+" (package main)", ports)
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
