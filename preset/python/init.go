package python

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// What `stagefile init` asks the python preset.
var _ plan.Initializer = Provider{}

// Markers: any of the files the preset installs from.
func (Provider) Markers() []string {
	return []string{"pyproject.toml", "requirements.txt", "uv.lock", "poetry.lock"}
}

// WorkspaceFiles: the root pyproject.toml, then, for each
// [tool.uv.workspace] members glob, the members' pyproject.toml and main
// modules (__main__.py of a package at their top or under src/).
func (Provider) WorkspaceFiles(read map[string][]byte) []string {
	files := []string{"pyproject.toml"}
	pp := &pyproject{}
	if scaffold.ReadTOML(normalize(read["pyproject.toml"]), pp) != nil || pp.Tool.Uv.Workspace == nil {
		return files
	}
	files = append(files, "*/__main__.py", "src/*/__main__.py")
	for _, g := range pp.Tool.Uv.Workspace.Members {
		if c, err := memberGlob(g); err == nil {
			files = append(files, path.Join(c, "pyproject.toml"), path.Join(c, "*/__main__.py"), path.Join(c, "src/*/__main__.py"))
		}
	}
	return files
}

// Workspace: the members of a uv workspace. An app is a member with a
// [project.scripts] entry the preset starts, or a main module
// (__main__.py); the others are libraries.
func (Provider) Workspace(files map[string][]byte) *plan.Workspace {
	pp := &pyproject{}
	if scaffold.ReadTOML(normalize(files["pyproject.toml"]), pp) != nil || pp.Tool.Uv.Workspace == nil {
		return nil
	}
	var globs, excludes []string
	for _, g := range pp.Tool.Uv.Workspace.Members {
		if c, err := memberGlob(g); err == nil {
			globs = append(globs, c)
		}
	}
	for _, g := range pp.Tool.Uv.Workspace.Exclude {
		if c, err := memberGlob(g); err == nil {
			excludes = append(excludes, c)
		}
	}
	w := &plan.Workspace{Kind: "a uv workspace (pyproject.toml [tool.uv.workspace])"}
	if pp.Project.Name != "" {
		w.Packages = append(w.Packages, plan.WorkspacePackage{Dir: ".", Start: pythonStart(files, ".", pp)})
	}
	for _, name := range sortedKeys(files) {
		dir, ok := strings.CutSuffix(name, "/pyproject.toml")
		if !ok || matchAny(globs, dir) == "" || matchAny(excludes, dir) != "" {
			continue
		}
		mp := &pyproject{}
		_ = scaffold.ReadTOML(normalize(files[name]), mp) // unreadable: no scripts to tell
		w.Packages = append(w.Packages, plan.WorkspacePackage{Dir: dir, Start: pythonStart(files, dir, mp)})
	}
	return w
}

// pythonStart says how the project in dir starts: its console script,
// else its main module; "" for a library.
func pythonStart(files map[string][]byte, dir string, pp *pyproject) string {
	if s, ok := startScript(pp); ok {
		return s.from + " = " + s.module + ":" + s.attr
	}
	for _, name := range sortedKeys(files) {
		rel, ok := strings.CutPrefix(name, dir+"/")
		if dir == "." {
			rel, ok = name, true
		}
		if ok && (path.Base(rel) == "__main__.py") && (strings.Count(rel, "/") == 1 || strings.HasPrefix(rel, "src/") && strings.Count(rel, "/") == 2) {
			return "a main module (" + rel + ")"
		}
	}
	return ""
}

// SuggestFiles: the manifests the start suggestion reads, the app's
// packages and modules, and the module its console script imports.
func (Provider) SuggestFiles(p *plan.Plan, read map[string][]byte) []string {
	app := path.Clean(p.App.Value)
	files := []string{"pyproject.toml", "uv.lock", "poetry.lock", "requirements.txt", "requirements-dev.txt", "dev-requirements.txt",
		path.Join(app, "pyproject.toml"), path.Join(app, "*/__init__.py"), path.Join(app, "src/*/__init__.py"), path.Join(app, "*.py")}
	if s, ok := startScript(appProject(read, app)); ok {
		files = append(files, appModuleFiles(app, s.module)...)
	}
	return files
}

// appProject is the app's pyproject.toml, read (empty when it cannot be).
func appProject(files map[string][]byte, app string) *pyproject {
	pp := &pyproject{}
	_ = scaffold.ReadTOML(normalize(files[path.Join(app, "pyproject.toml")]), pp)
	return pp
}

// appModuleFiles are where module (a.b) may be, in the app's folder or
// under its src/.
func appModuleFiles(app, module string) []string {
	rel := strings.ReplaceAll(module, ".", "/")
	var out []string
	for _, root := range []string{app, path.Join(app, "src")} {
		out = append(out, path.Join(root, rel+".py"), path.Join(root, rel, "__init__.py"))
	}
	return out
}

// Suggest: build.outputs for a project the preset finds no code of (the
// packages, else the modules, at its root: what NoAppCode lists);
// release.expose from the port the console script's module names, or
// its framework's default; and, when the preset cannot tell how the app
// starts, the command it suggests, commented out, with that command's
// port.
func (Provider) Suggest(p *plan.Plan, files map[string][]byte) []plan.Suggestion {
	app := path.Clean(p.App.Value)
	pp := appProject(files, app)
	var out []plan.Suggestion
	if len(p.Build.Outputs) == 0 && app == "." {
		code := packagesIn(files, ".")
		from := "the packages at the project's root (folders with __init__.py)"
		if len(code) == 0 {
			code = modulesIn(files)
			from = "the modules at the project's root"
		}
		if len(code) > 0 {
			out = append(out, plan.Suggestion{Field: "build.outputs", Values: code, From: from})
		}
	}
	venv := venv
	if app != "." {
		venv = "**/" + venv // every member may have one
	}
	out = append(out,
		plan.Suggestion{Field: ".dockerignore", Values: []string{venv}, From: "the developer's own virtualenv, made for their machine: the dependencies step makes the image's"},
		plan.Suggestion{Field: ".dockerignore", Values: []string{"**/__pycache__"}, From: "bytecode this machine's Python wrote: it would ship in the app's packages"})
	r := p.Release
	if s, ok := startScript(pp); ok {
		if len(r.Expose) == 0 {
			for _, f := range appModuleFiles(app, s.module) {
				if dt, ok := files[f]; ok {
					out = append(out, exposeOf(f, dt)...)
					break
				}
			}
		}
		return out
	}
	if r.Entrypoint.Set() || r.Cmd.Set() {
		return out
	}
	pm, err := detectManager(files)
	if err != nil {
		return out
	}
	f := &filler{Filler: scaffold.New("python", p, &plan.Facts{Files: scaffold.Decoded(files, encoding)})}
	if app != "." {
		f.ws = &workspace{app: &member{dir: app, pp: pp}}
	}
	if pm.name == pip {
		// what the requirements name, as Fill reads them
		f.reqs = map[string]*reqTree{}
		for _, name := range []string{pm.lockfile, pm.devFile} {
			if t, err := readRequirements(name, f.Facts.Files); name != "" && err == nil {
				f.reqs[name] = t
			}
		}
	}
	start := f.startSuggestion(pm, pp)
	out = append(out, plan.Suggestion{Field: "release.cmd", Values: start.argv, Unsure: true,
		From: "the preset's suggestion from the dependencies" + start.missing})
	if len(r.Expose) == 0 {
		if port := start.port(); port != "" {
			out = append(out, plan.Suggestion{Field: "release.expose", Values: []string{port}, Unsure: true, From: "the port of that command"})
		}
	}
	return out
}

// modulesIn are the Python modules at the root that are no test, setup
// or tool file.
func modulesIn(files map[string][]byte) []string {
	var out []string
	for name := range files {
		if strings.Contains(name, "/") || path.Ext(name) != ".py" || strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py") {
			continue
		}
		switch name {
		case "setup.py", "conftest.py", "noxfile.py", "tasks.py", "fabfile.py":
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// The ports a Python server's code names.
var pyPorts = []*regexp.Regexp{
	regexp.MustCompile(`(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{1,5})`),
	regexp.MustCompile(`environ\.setdefault\(\s*["']PORT["']\s*,\s*["'](\d{1,5})`),
	regexp.MustCompile(`\b(?:run|serve|run_app)\([^)\n]*\bport\s*=\s*(\d{1,5})`),
	regexp.MustCompile(`HTTPServer\(\s*\(\s*["'][^"'\n]*["']\s*,\s*(\d{1,5})`),
	regexp.MustCompile(`["']--port["']\s*,\s*["']?(\d{1,5})`),
	regexp.MustCompile(`["'](?:--bind|-b)["']\s*,\s*["'][\w.\[\]]*:(\d{1,5})`),
}

// The servers' defaults, when the code names no port.
var (
	uvicornRun = regexp.MustCompile(`\buvicorn\.run\(`)
	flaskApp   = regexp.MustCompile(`(?m)^\s*(?:from\s+flask\s+import|import\s+flask)\b`)
	appRun     = regexp.MustCompile(`\.run\(`)
)

// exposeOf is the port the module file names, else its server's default.
func exposeOf(file string, dt []byte) []plan.Suggestion {
	if s := scaffold.Expose(file, scaffold.Ports(dt, pyPorts...)); s != nil {
		return s
	}
	switch {
	case uvicornRun.Match(dt):
		return []plan.Suggestion{{Field: "release.expose", Values: []string{"8000"}, From: q(file) + ": uvicorn.run, which listens on 8000 by default"}}
	case flaskApp.Match(dt) && appRun.Match(dt):
		return []plan.Suggestion{{Field: "release.expose", Values: []string{"5000"}, From: q(file) + ": Flask's app.run, which listens on 5000 by default"}}
	}
	return nil
}

// normalize is a file as init reads it, best effort: decoded as pip
// would, or nothing when it cannot be (Fill reports that file).
func normalize(dt []byte) []byte {
	out, err := scaffold.Encoding{Tool: "init", BOM: true, Wide: true, Coding: true, Lossy: true}.Decode("", dt)
	if err != nil {
		return nil
	}
	return out
}
