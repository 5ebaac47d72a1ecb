package python

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// How an app without a console script starts: a Django project by the
// application its settings name, a FastAPI, Starlette or Flask app by
// its app object, each on the server the release ships, listening on
// every address (gunicorn alone listens on 127.0.0.1, which nothing
// outside the container reaches). The preset names only modules that are
// in the context.

// port is where the servers the preset starts listen.
const port = "8000"

// start is a start command, or why there is none and what to do.
type start struct {
	cmd  []string
	from string
	// hint says what to write (or add) when cmd is nil.
	hint string
}

// serve is the command that serves app (module:attr) on server.
func serve(server, app string) []string {
	switch server {
	case "gunicorn":
		return []string{"gunicorn", "--bind", "0.0.0.0:" + port, app}
	case "uvicorn":
		return []string{"uvicorn", app, "--host", "0.0.0.0", "--port", port}
	case "daphne":
		return []string{"daphne", "--bind", "0.0.0.0", "--port", port, app}
	}
	return nil
}

// flow is a command as a Stagefile writes it: [gunicorn, --bind, "0.0.0.0:8000", app.wsgi:application],
// a value quoted where YAML would read it as another (a number, a
// sexagesimal, a flow indicator).
func flow(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = a
		if numeric.MatchString(a) || strings.ContainsAny(a, "[]{},") || strings.ContainsAny(a[:1], "#&*!|>'\"%@`?:") || strings.Contains(a, ": ") || strings.Contains(a, " #") || strings.HasSuffix(a, ":") {
			out[i] = fmt.Sprintf("%q", a)
		}
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// numeric is what YAML 1.1 reads as a number: 8000, 1.5, 0.0.0.0:8000 (sexagesimal).
var numeric = regexp.MustCompile(`^([0-9]+|[0-9]*\.[0-9]+|[0-9.]+(:[0-9.]+)+)$`)

// addServer says how to make server a production dependency.
func addServer(pm manager, server string) string {
	switch pm.name {
	case uv:
		return "uv add " + server
	case poetry:
		return "poetry add " + server
	}
	return "add " + server + " to " + pm.lockfile
}

// firstShipped is the first of servers the release ships, "" for none.
func firstShipped(shipped map[string]locked, servers ...string) string {
	for _, s := range servers {
		if _, ok := shipped[s]; ok {
			return s
		}
	}
	return ""
}

// djangoStart serves the application the settings name: ASGI_APPLICATION
// (Channels) on daphne or uvicorn, else WSGI_APPLICATION (the project's
// wsgi.py application when unset) on gunicorn, else its asgi.py on an
// ASGI server the release ships.
func (f *filler) djangoStart(pm manager, d *djangoProject, shipped map[string]locked) start {
	s, files := d.settings, f.Facts.Files
	top, _, _ := strings.Cut(s.module, ".")
	ref := func(name, fallback string) (app, from string) {
		if v := s.strs[name]; v.set {
			if mod, attr, ok := appRef(v.value); ok && moduleFile(files, mod) != "" {
				return mod + ":" + attr, v.file + " " + name + " " + v.value
			}
			return "", ""
		}
		if mod := top + "." + fallback; moduleFile(files, mod) != "" {
			return mod + ":application", mod + ", the project's " + strings.ToUpper(fallback) + " module (" + name + " is not set)"
		}
		return "", ""
	}
	wsgi, wsgiFrom := ref("WSGI_APPLICATION", "wsgi")
	asgi, asgiFrom := ref("ASGI_APPLICATION", "asgi")
	if s.strs["ASGI_APPLICATION"].set && asgi != "" {
		if server := firstShipped(shipped, "daphne", "uvicorn"); server != "" {
			return start{cmd: serve(server, asgi), from: asgiFrom + ", served by " + server + " (a production dependency)"}
		}
		return start{hint: fmt.Sprintf("%s, but no ASGI server is a production dependency (%s, and the preset starts %s; or set release.cmd)", asgiFrom, addServer(pm, "daphne"), flow(serve("daphne", asgi)))}
	}
	if wsgi != "" {
		if firstShipped(shipped, "gunicorn") != "" {
			return start{cmd: serve("gunicorn", wsgi), from: wsgiFrom + ", served by gunicorn (a production dependency)"}
		}
		if server := firstShipped(shipped, "uvicorn", "daphne"); server != "" && asgi != "" {
			return start{cmd: serve(server, asgi), from: asgiFrom + ", served by " + server + " (a production dependency; gunicorn is not)"}
		}
		return start{hint: fmt.Sprintf("%s, but no WSGI server is a production dependency (%s, and the preset starts %s; or set release.cmd)", wsgiFrom, addServer(pm, "gunicorn"), flow(serve("gunicorn", wsgi)))}
	}
	what := "WSGI_APPLICATION names a module"
	if v := s.strs["WSGI_APPLICATION"]; !v.set {
		what = "the project has no " + top + "/wsgi.py"
	} else {
		what = v.file + " WSGI_APPLICATION names " + q(v.value) + ", whose module is not in the build context"
	}
	return start{hint: what + " (set release.cmd to a WSGI server on the project's application, e.g. [gunicorn, --bind, \"0.0.0.0:8000\", <package>.wsgi:application])"}
}

// appObject is a FastAPI, Starlette or Flask app a module creates.
type appObject struct {
	module, attr string
	file         string
	kind         string // FastAPI, Starlette, Flask
	factory      bool   // Flask's create_app(): gunicorn calls it
}

var (
	appAssign  = regexp.MustCompile(`^([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:(fastapi)\.)?(?:(starlette)\.applications\.)?(?:(flask)\.)?(FastAPI|Starlette|Flask)\(`)
	appFactory = regexp.MustCompile(`^def\s+(create_app|make_app)\s*\(`)
	flaskUse   = regexp.MustCompile(`(?m)^(?:from\s+flask\s+import|import\s+flask)\b`)
	moduleName = regexp.MustCompile(`^[A-Za-z_]\w*$`)
)

// appModules are the modules the preset reads for an app object: those
// at the root of the app's folder and, in each package there (or under
// src/), __init__.py, main.py and app.py.
var appModules = []string{"*.py", "*/__init__.py", "*/main.py", "*/app.py", "src/*/__init__.py", "src/*/main.py", "src/*/app.py"}

// moduleOf is the dotted module of a file of the app's folder dir, ""
// when its path is no module name (or a test's, or a tool's).
func moduleOf(dir, file string) string {
	rel := file
	if dir != "." {
		var ok bool
		if rel, ok = strings.CutPrefix(file, dir+"/"); !ok {
			return ""
		}
	}
	rel = strings.TrimPrefix(rel, "src/")
	rel = strings.TrimSuffix(strings.TrimSuffix(rel, ".py"), "/__init__")
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if !moduleName.MatchString(p) {
			return ""
		}
	}
	switch first := parts[0]; {
	case first == "tests" || first == "test" || strings.HasPrefix(first, "test_") || strings.HasSuffix(first, "_test"),
		len(parts) == 1 && (first == "setup" || first == "conftest" || first == "manage" || first == "noxfile" || first == "fabfile"):
		return ""
	}
	return strings.Join(parts, ".")
}

// appObjects are the app objects the app's modules create at their top
// level, by module.
func (f *filler) appObjects() []appObject {
	files, dir := f.Facts.Files, f.appDir()
	var out []appObject
	for _, name := range sortedKeys(files) {
		rel := name
		if dir != "." {
			rel = strings.TrimPrefix(name, dir+"/")
		}
		matched := false
		for _, pat := range appModules {
			if ok, _ := path.Match(pat, rel); ok {
				matched = true
			}
		}
		mod := moduleOf(dir, name)
		if !matched || mod == "" || rel == name && dir != "." {
			continue
		}
		src := string(files[name])
		for _, st := range statements(src) {
			if m := appAssign.FindStringSubmatch(st); m != nil {
				out = append(out, appObject{module: mod, attr: m[1], file: name, kind: m[5]})
				break
			}
			if m := appFactory.FindStringSubmatch(st); m != nil && flaskUse.MatchString(src) {
				out = append(out, appObject{module: mod, attr: m[1], file: name, kind: "Flask", factory: true})
				break
			}
		}
	}
	return out
}

// appStart serves the one app object the modules create.
func (f *filler) appStart(pm manager, apps []appObject, shipped map[string]locked) start {
	if len(apps) > 1 {
		var names []string
		for _, a := range apps {
			names = append(names, a.module+":"+a.attr)
		}
		return start{hint: fmt.Sprintf("several modules create an app (%s) (set release.cmd to serve the one to release, e.g. %s)", strings.Join(names, ", "), flow(f.serveApp(apps[0])))}
	}
	a := apps[0]
	server := f.serverFor(a)
	from := fmt.Sprintf("%s creates the %s app %s", a.file, a.kind, a.attr)
	if a.factory {
		from = fmt.Sprintf("%s has the Flask app factory %s()", a.file, a.attr)
	}
	if _, ok := shipped[server]; ok {
		return start{cmd: f.serveApp(a), from: from + ", served by " + server + " (a production dependency)"}
	}
	return start{hint: fmt.Sprintf("%s, but %s is not a production dependency (%s, and the preset starts %s; or set release.cmd)", from, server, addServer(pm, server), flow(f.serveApp(a)))}
}

func (f *filler) serverFor(a appObject) string {
	if a.kind == "Flask" {
		return "gunicorn"
	}
	return "uvicorn"
}

func (f *filler) serveApp(a appObject) []string {
	target := a.module + ":" + a.attr
	if a.factory {
		target += "()"
	}
	return serve(f.serverFor(a), target)
}

// appOutputs: the release takes the app object's package (or module).
func (f *filler) appOutputs(a appObject) {
	p := f.P
	if p.Build.Outputs != nil || p.Build.Run != nil {
		return
	}
	out := a.file
	if top, _, _ := strings.Cut(a.module, "."); strings.Contains(a.module, ".") || path.Base(a.file) == "__init__.py" {
		out = path.Dir(a.file)
		for path.Base(out) != top && out != "." {
			out = path.Dir(out)
		}
	}
	p.Build.Outputs = []plan.Value[string]{{Value: out, Origin: f.Origin("the package of the " + a.kind + " app " + a.module + ":" + a.attr)}}
	if !strings.Contains(a.module, ".") && path.Base(a.file) != "__init__.py" {
		p.Build.Outputs[0].Origin = f.Origin("the module of the " + a.kind + " app " + a.module + ":" + a.attr)
	}
}

// startExample is a release.cmd to suggest when the preset cannot tell how
// the app starts: the server its dependencies name, on a module of the
// context (or a placeholder in angle brackets, never a module that is
// not there).
func (f *filler) startExample(shipped map[string]locked) string {
	files, dir := f.Facts.Files, f.appDir()
	type pkg struct{ dir, module string }
	var pkgs []pkg
	for _, d := range packagesIn(files, dir) {
		if mod := moduleOf(dir, d+"/__init__.py"); mod != "" {
			pkgs = append(pkgs, pkg{d, mod})
		}
	}
	exists := func(file string) bool { _, ok := files[file]; return ok }
	// a module that is there: a package's main or app module, a root
	// main.py or app.py, a package
	module := ""
	for _, m := range []string{"main", "app"} {
		for _, p := range pkgs {
			if module == "" && exists(path.Join(p.dir, m+".py")) {
				module = p.module + "." + m
			}
		}
	}
	for _, m := range []string{"main", "app"} {
		if module == "" && exists(path.Join(dir, m+".py")) {
			module = m
		}
	}
	if module == "" && len(pkgs) > 0 {
		module = pkgs[0].module
	}
	if module == "" {
		module = "<module>"
	}
	has := func(names ...string) bool { return firstShipped(shipped, names...) != "" }
	missing := func(server string) string {
		if has(server) {
			return ""
		}
		return " (with " + server + " added to the dependencies)"
	}
	switch {
	case has("uvicorn", "fastapi", "starlette"):
		return flow(serve("uvicorn", module+":app")) + missing("uvicorn")
	case has("django"):
		wsgi := "<package>.wsgi:application"
		for _, p := range pkgs {
			if exists(path.Join(p.dir, "wsgi.py")) {
				wsgi = p.module + ".wsgi:application"
				break
			}
		}
		return flow(serve("gunicorn", wsgi)) + missing("gunicorn")
	case has("gunicorn", "flask"):
		return flow(serve("gunicorn", module+":app")) + missing("gunicorn")
	}
	for _, p := range pkgs {
		if exists(path.Join(p.dir, "__main__.py")) {
			return flow([]string{"python", "-m", p.module})
		}
	}
	for _, m := range []string{"main", "app"} {
		if exists(path.Join(dir, m+".py")) {
			return flow([]string{"python", path.Join(dir, m+".py")})
		}
	}
	return "[python, -m, <package>] (a package with a __main__.py)"
}
