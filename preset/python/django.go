package python

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// A Django project: django a production dependency and manage.py at the
// root. manage.py names the settings module (DJANGO_SETTINGS_MODULE);
// the settings, read at the level of their top-level assignments and
// never run, say which application the server loads (WSGI_APPLICATION,
// ASGI_APPLICATION), where collectstatic gathers the static files
// (STATIC_ROOT), which folders hold templates and static files, and which
// apps are the project's own.

// settingsDefault is manage.py's os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings").
var settingsDefault = regexp.MustCompile(`DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w.]*)["']`)

// settingsModuleOf is the settings module manage.py names, "" when none.
func settingsModuleOf(manage []byte) string {
	if len(manage) > maxSource {
		manage = manage[:maxSource]
	}
	if m := settingsDefault.FindSubmatch(manage); m != nil && dotted.Match(m[1]) {
		return string(m[1])
	}
	return ""
}

// maxSettingsDepth bounds how deeply settings modules star-import others
// (settings/production.py: from .base import *).
const maxSettingsDepth = 3

// settings is what the preset reads of a settings module and the modules
// it star-imports: the last assignment wins, as when Python runs it.
type settings struct {
	module, file string
	// strs are the string settings (WSGI_APPLICATION), with the file
	// that set them.
	strs map[string]setting
	// paths are the variables that hold a folder (BASE_DIR), relative to
	// the context.
	paths map[string]string
	// lists are the variables that hold strings (INSTALLED_APPS, or the
	// LOCAL_APPS it adds up).
	lists map[string][]string
	// staticRoot is STATIC_ROOT's folder; set with value "" when it is
	// not one the preset can tell (an environment variable, outside the
	// context).
	staticRoot setting
	// templateDirs and staticDirs are TEMPLATES' DIRS and
	// STATICFILES_DIRS, those the preset can tell.
	templateDirs, staticDirs []setting
	// missing are the files of star-imported modules not read (yet).
	missing []string
}

// setting is a value and the settings file that set it.
type setting struct {
	value, file string
	set         bool
}

var (
	starImport = regexp.MustCompile(`^from\s+(\.*[\w.]*)\s+import\s+\*$`)
	assignment = regexp.MustCompile(`(?s)^([A-Z_][A-Z0-9_]*)\s*(?::[^=]*)?(\+?=)\s*(.+)$`)
	dirsKey    = regexp.MustCompile(`["']DIRS["']\s*:\s*`)
)

// readSettings reads module and what it star-imports; nil when files
// have no such module.
func readSettings(files map[string][]byte, module string) *settings {
	file := moduleFile(files, module)
	if file == "" {
		return nil
	}
	s := &settings{module: module, file: file, strs: map[string]setting{}, paths: map[string]string{}, lists: map[string][]string{}}
	s.read(files, module, file, 0, map[string]bool{})
	return s
}

func (s *settings) read(files map[string][]byte, module, file string, depth int, seen map[string]bool) {
	if seen[file] || depth > maxSettingsDepth {
		return
	}
	seen[file] = true
	for _, st := range statements(string(files[file])) {
		if m := starImport.FindStringSubmatch(st); m != nil {
			target := resolveImport(module, file, m[1])
			tf := moduleFile(files, target)
			if tf == "" {
				if dotted.MatchString(target) {
					s.missing = append(s.missing, moduleFiles(target)...)
				}
				continue
			}
			s.read(files, target, tf, depth+1, seen)
			continue
		}
		m := assignment.FindStringSubmatch(st)
		if m == nil {
			continue
		}
		name, op, rhs := m[1], m[2], strings.TrimSpace(m[3])
		if op == "+=" {
			s.lists[name] = append(s.lists[name], s.list(rhs)...)
			continue
		}
		if v, ok := stringValue(rhs); ok {
			s.strs[name] = setting{value: v, file: file, set: true}
		} else {
			delete(s.strs, name)
		}
		if dir, ok := pathValue(rhs, file, s.paths); ok {
			s.paths[name] = dir
		} else {
			delete(s.paths, name)
		}
		s.lists[name] = s.list(rhs)
		switch name {
		case "STATIC_ROOT":
			s.staticRoot = setting{file: file, set: rhs != "None"}
			if dir, ok := pathValue(rhs, file, s.paths); ok {
				s.staticRoot.value = dir
			}
		case "STATICFILES_DIRS":
			s.staticDirs = s.dirs(rhs, file)
		case "TEMPLATES":
			s.templateDirs = nil
			for _, loc := range dirsKey.FindAllStringIndex(rhs, -1) {
				rest := rhs[loc[1]:]
				if end := bracketEnd(rest); end > 0 {
					s.templateDirs = append(s.templateDirs, s.dirs(rest[:end], file)...)
				}
			}
		}
	}
}

// dirs are the folders of a list of path expressions (a pair's second
// item: STATICFILES_DIRS' ("prefix", path)).
func (s *settings) dirs(list, file string) []setting {
	items, ok := inside(list)
	if !ok {
		return nil
	}
	var out []setting
	for _, item := range split(items, ',') {
		if pair, ok := inside(item); ok && strings.TrimSpace(item)[0] == '(' {
			if parts := split(pair, ','); len(parts) == 2 {
				item = parts[1]
			}
		}
		if strings.TrimSpace(item) == "" {
			continue
		}
		if dir, ok := pathValue(item, file, s.paths); ok && dir != "." {
			out = append(out, setting{value: dir, file: file, set: true})
		}
	}
	return out
}

// list is a string list expression's strings: literals and the list
// variables it adds up (DJANGO_APPS + LOCAL_APPS).
func (s *settings) list(expr string) []string {
	var out []string
	for _, part := range split(expr, '+') {
		part = strings.TrimSpace(part)
		if in, ok := inside(part); ok {
			out = append(out, stringsIn(in)...)
		} else if identifier.MatchString(part) {
			out = append(out, s.lists[part]...)
		}
	}
	return out
}

// bracketEnd is the length of the bracketed expression s starts with, 0
// when it starts with none.
func bracketEnd(s string) int {
	if s == "" || (s[0] != '[' && s[0] != '(') {
		return 0
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			i = skipString(s, i) - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// resolveImport is the module a "from X import *" in module (whose file
// is file) names: X itself, or relative to module's package.
func resolveImport(module, file, from string) string {
	dots := len(from) - len(strings.TrimLeft(from, "."))
	if dots == 0 {
		return from
	}
	pkg := strings.Split(module, ".")
	if path.Base(file) != "__init__.py" {
		pkg = pkg[:len(pkg)-1] // a module's package is its parent
	}
	if dots-1 >= len(pkg) {
		return ""
	}
	pkg = pkg[:len(pkg)-(dots-1)]
	if rest := from[dots:]; rest != "" {
		pkg = append(pkg, rest)
	}
	return strings.Join(pkg, ".")
}

// appRef is a "module.attr" setting (WSGI_APPLICATION
// "site.wsgi.application") as module and attribute.
func appRef(v string) (module, attr string, ok bool) {
	i := strings.LastIndexByte(v, '.')
	if i <= 0 || !dotted.MatchString(v) {
		return "", "", false
	}
	return v[:i], v[i+1:], true
}

// djangoDirs are the folders of templates and static files the release may
// need: templates/ and static/ at the root, and the folders the settings
// name. Not the root, nor a package (shipped as one).
func djangoDirs(files map[string][]byte, s *settings) []string {
	dirs := []string{"templates", "static"}
	if s != nil {
		for _, d := range append(append([]setting{}, s.templateDirs...), s.staticDirs...) {
			dirs = append(dirs, d.value)
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		if _, pkg := files[d+"/__init__.py"]; d == "." || seen[d] || pkg || plan.HasWildcard(d) || spec.HasControl(d) {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}

// dirProbes are the names that read a folder's files to see that it
// holds some (a preset reads files, not folders): its own and those one
// level down, at most plan.MaxMatches each.
func dirProbes(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		out = append(out, d+"/*", d+"/*/*")
	}
	return out
}

// djangoFiles are what Files adds for a Django project, from what is read:
// once manage.py is, the settings module and the project's wsgi.py and
// asgi.py, and the folders of templates and static files; once the
// settings are, the modules they star-import, the modules of
// WSGI_APPLICATION and ASGI_APPLICATION, and the folders they name.
func djangoFiles(read map[string][]byte) []string {
	module := settingsModuleOf(read["manage.py"])
	if module == "" {
		return nil
	}
	top, _, _ := strings.Cut(module, ".")
	files := append(moduleFiles(module), top+"/wsgi.py", top+"/asgi.py")
	s := readSettings(read, module)
	if s != nil {
		files = append(files, s.missing...)
		for _, name := range []string{"WSGI_APPLICATION", "ASGI_APPLICATION"} {
			if mod, _, ok := appRef(s.strs[name].value); ok {
				files = append(files, moduleFiles(mod)...)
			}
		}
	}
	return append(files, dirProbes(djangoDirs(read, s))...)
}

// djangoProject is a Django project as its files say.
type djangoProject struct {
	settings *settings
	// version is Django's, as the lockfile pins it.
	django locked
	// packages are the project's packages at the root: the settings'
	// package, its apps, and the others (which apps may import).
	packages []string
	// apps are the root packages INSTALLED_APPS names.
	apps map[string]bool
	// dirs are the folders of templates and static files in the context
	// and the setting that names them ("" for the conventional
	// templates/ and static/).
	templateDirs, staticDirs []setting
}

// django is the app's Django project, nil when it is none: django ships,
// manage.py is at the root and names a settings module in the context.
func (f *filler) django(shipped map[string]locked) *djangoProject {
	files := f.Facts.Files
	dj, ok := shipped["django"]
	if !ok || f.ws != nil {
		return nil
	}
	module := settingsModuleOf(files["manage.py"])
	if module == "" {
		return nil
	}
	s := readSettings(files, module)
	if s == nil {
		return nil
	}
	d := &djangoProject{settings: s, django: dj, apps: map[string]bool{}}
	for _, app := range s.lists["INSTALLED_APPS"] {
		top, _, _ := strings.Cut(app, ".")
		if _, ok := files[top+"/__init__.py"]; ok {
			d.apps[top] = true
		}
	}
	for _, pkg := range packagesIn(files, ".") {
		if !strings.Contains(pkg, "/") {
			d.packages = append(d.packages, pkg)
		}
	}
	has := func(dir string) bool {
		for name := range files {
			if strings.HasPrefix(name, dir+"/") {
				return true
			}
		}
		return false
	}
	named := map[string]setting{}
	for _, ds := range append(append([]setting{}, s.templateDirs...), s.staticDirs...) {
		named[ds.value] = ds
	}
	for _, dir := range djangoDirs(files, s) {
		if !has(dir) {
			continue
		}
		ds := named[dir]
		ds.value = dir
		if dir == "static" || slicesHas(s.staticDirs, dir) {
			d.staticDirs = append(d.staticDirs, ds)
		} else {
			d.templateDirs = append(d.templateDirs, ds)
		}
	}
	return d
}

func slicesHas(ss []setting, v string) bool {
	for _, s := range ss {
		if s.value == v {
			return true
		}
	}
	return false
}

// djangoProbed are the files Files read only to see that a folder of
// templates or static files holds some: images, fonts, whatever their
// encoding, which Fill does not decode.
func djangoProbed(read map[string][]byte) func(name string) bool {
	module := settingsModuleOf(read["manage.py"])
	if module == "" {
		return func(string) bool { return false }
	}
	probes := dirProbes(djangoDirs(read, readSettings(read, module)))
	return func(name string) bool {
		if strings.HasSuffix(name, ".py") {
			return false
		}
		for _, p := range probes {
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		}
		return false
	}
}

// djangoBuild fills collectstatic, when STATIC_ROOT is a folder of the
// context, and the outputs: the project's packages, the folders of
// templates and the collected static files (else the static folders),
// and manage.py for the commands the release runs (migrate).
func (f *filler) djangoBuild(d *djangoProject) {
	p, s := f.P, d.settings
	collect := ""
	if root := s.staticRoot; p.Build.Run == nil && root.set && root.value != "" && root.value != "." {
		collect = root.value
		p.Build.Run = plan.Argv(f.Origin("STATIC_ROOT in "+root.file+" is "+root.value+": Django's collectstatic gathers the apps' static files there"),
			[]string{"python", "manage.py", "collectstatic", "--noinput"})
	}
	if p.Build.Outputs != nil {
		return
	}
	add := func(v, why string) {
		for _, o := range p.Build.Outputs {
			if o.Value == v {
				return
			}
		}
		p.Build.Outputs = append(p.Build.Outputs, plan.Value[string]{Value: v, Origin: f.Origin(why)})
	}
	top, _, _ := strings.Cut(s.module, ".")
	pkgs := append([]string{}, d.packages...)
	sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i] == top && pkgs[j] != top })
	for _, pkg := range pkgs {
		switch {
		case pkg == top:
			add(pkg, "the project's package: manage.py's settings "+s.module)
		case d.apps[pkg]:
			add(pkg, "an app of the project: "+s.file+" INSTALLED_APPS")
		default:
			add(pkg, "a package at the root, which the project's apps may import")
		}
	}
	for _, t := range d.templateDirs {
		add(t.value, dirWhy(t, "templates", "TEMPLATES DIRS"))
	}
	if collect != "" {
		add(collect, "STATIC_ROOT: the static files collectstatic gathered, for the server (whitenoise) to serve")
	} else {
		for _, st := range d.staticDirs {
			add(st.value, dirWhy(st, "static files", "STATICFILES_DIRS"))
		}
	}
	add("manage.py", "Django's commands, for the release to run (python manage.py migrate)")
}

func dirWhy(s setting, what, key string) string {
	if s.file != "" {
		return "the " + what + " " + s.file + " " + key + " names"
	}
	return "the project's " + what + " folder"
}
