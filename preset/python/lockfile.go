package python

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// pyproject is what the preset reads from pyproject.toml.
type pyproject struct {
	Project struct {
		Name           string            `toml:"name"`
		RequiresPython string            `toml:"requires-python"`
		Dependencies   []string          `toml:"dependencies"`
		Scripts        map[string]string `toml:"scripts"`
	} `toml:"project"`
	// DependencyGroups (PEP 735) hold strings and {include-group = ...}.
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             struct {
		Uv struct {
			DevDependencies []string `toml:"dev-dependencies"`
			DefaultGroups   any      `toml:"default-groups"`
			RequiredVersion string   `toml:"required-version"`
			// Workspace is the root's [tool.uv.workspace]: its members'
			// folders, as globs.
			Workspace *struct {
				Members []string `toml:"members"`
				Exclude []string `toml:"exclude"`
			} `toml:"workspace"`
		} `toml:"uv"`
		Poetry struct {
			Dependencies    map[string]any `toml:"dependencies"`
			DevDependencies map[string]any `toml:"dev-dependencies"`
			Group           map[string]struct {
				Optional     bool           `toml:"optional"`
				Dependencies map[string]any `toml:"dependencies"`
			} `toml:"group"`
			Scripts map[string]any `toml:"scripts"`
		} `toml:"poetry"`
	} `toml:"tool"`
}

// requirement is a dependency as PEP 508 writes it, reduced to what the
// sync check compares.
type requirement struct {
	name, spec string // name normalized (PEP 503), spec without spaces
	from       string // where it was declared, for messages
}

func (r requirement) String() string { return r.name + r.spec }

var (
	reqName = regexp.MustCompile(`^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$`)
	// simpleSpec: specifiers uv and poetry write back as written (spaces
	// aside); others (local versions, pre-release spellings) are compared
	// by name only.
	simpleSpec = regexp.MustCompile(`^((~=|==|!=|<=|>=|<|>)[0-9]+(\.[0-9]+)*(\.\*)?)(,(~=|==|!=|<=|>=|<|>)[0-9]+(\.[0-9]+)*(\.\*)?)*$`)
	separators = regexp.MustCompile(`[-_.]+`)
)

// normalizeName is PEP 503's: Flask_Login and flask-login are one package.
func normalizeName(n string) string { return separators.ReplaceAllString(strings.ToLower(n), "-") }

// parseRequirement reads "name[extras] (>=1,<2) ; marker" or "name @ url".
func parseRequirement(s, from string) (requirement, bool) {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	m := reqName.FindStringSubmatch(s)
	if m == nil {
		return requirement{}, false
	}
	spec := strings.Join(strings.Fields(m[3]), "")
	if strings.HasPrefix(spec, "@") {
		spec = "" // a direct URL: compared by name
	}
	spec = strings.TrimSuffix(strings.TrimPrefix(spec, "("), ")")
	return requirement{name: normalizeName(m[1]), spec: spec, from: from}, true
}

// sameSpec compares two specifier sets as written, in any order.
func sameSpec(a, b string) bool {
	if !simpleSpec.MatchString(a) || !simpleSpec.MatchString(b) {
		return true
	}
	pa, pb := strings.Split(a, ","), strings.Split(b, ",")
	sort.Strings(pa)
	sort.Strings(pb)
	return strings.Join(pa, ",") == strings.Join(pb, ",")
}

// declared lists a pyproject's dependencies: the project's and every
// development group's, as PEP 508 strings with where each was found.
func (p *pyproject) declared() (prod, dev []requirement) {
	for _, d := range p.Project.Dependencies {
		if r, ok := parseRequirement(d, "project.dependencies"); ok {
			prod = append(prod, r)
		}
	}
	for _, g := range sortedKeys(p.DependencyGroups) {
		for _, d := range p.DependencyGroups[g] {
			if s, ok := d.(string); ok {
				if r, ok := parseRequirement(s, "dependency-groups."+g); ok {
					dev = append(dev, r)
				}
			}
		}
	}
	for _, d := range p.Tool.Uv.DevDependencies {
		if r, ok := parseRequirement(d, "tool.uv.dev-dependencies"); ok {
			dev = append(dev, r)
		}
	}
	return prod, dev
}

// poetryDeclared lists the registry packages poetry's tables declare
// (python itself and path, git and url dependencies aside); optional
// groups count too: poetry.lock records them.
func (p *pyproject) poetryDeclared() (prod, dev []requirement) {
	add := func(out *[]requirement, deps map[string]any, from string) {
		for _, name := range sortedKeys(deps) {
			if name == "python" {
				continue
			}
			if t, ok := deps[name].(map[string]any); ok && (t["path"] != nil || t["git"] != nil || t["url"] != nil) {
				continue
			}
			*out = append(*out, requirement{name: normalizeName(name), from: from})
		}
	}
	pp, _ := p.declared()
	prod = append(prod, pp...)
	add(&prod, p.Tool.Poetry.Dependencies, "tool.poetry.dependencies")
	add(&dev, p.Tool.Poetry.DevDependencies, "tool.poetry.dev-dependencies")
	for _, g := range sortedKeys(p.Tool.Poetry.Group) {
		add(&dev, p.Tool.Poetry.Group[g].Dependencies, "tool.poetry.group."+g+".dependencies")
	}
	_, groups := p.declared()
	return prod, append(dev, groups...)
}

type uvRequirement struct {
	Name      string `toml:"name"`
	Specifier string `toml:"specifier"`
}

// uvLock is what the preset reads from uv.lock.
type uvLock struct {
	Version  *int         `toml:"version"`
	Packages []*uvPackage `toml:"package"`
}

// uvPackage is a package uv.lock records: a registry package, or a
// local one (the project, a workspace member, a path dependency) whose
// source names its folder.
type uvPackage struct {
	Name   string         `toml:"name"`
	Source map[string]any `toml:"source"`
	// Dependencies are what the package needs; OptionalDependencies its
	// extras' and DevDependencies its dependency groups' (a project's).
	Dependencies         []uvDependency            `toml:"dependencies"`
	OptionalDependencies map[string][]uvDependency `toml:"optional-dependencies"`
	DevDependencies      map[string][]uvDependency `toml:"dev-dependencies"`
	Metadata             struct {
		RequiresDist []uvRequirement            `toml:"requires-dist"`
		RequiresDev  map[string][]uvRequirement `toml:"requires-dev"`
	} `toml:"metadata"`
}

// uvDependency is an edge of uv.lock's graph: a package by name, with
// the extras asked of it.
type uvDependency struct {
	Name  string   `toml:"name"`
	Extra []string `toml:"extra"`
}

// localDir is the folder a local package is installed from (relative to
// the workspace root), and whether it is one.
func (p *uvPackage) localDir() (string, bool) {
	for _, kind := range []string{"virtual", "editable", "directory", "path"} {
		if dir, ok := p.Source[kind].(string); ok {
			return dir, true
		}
	}
	return "", false
}

func parseUvLock(dt []byte) (*uvLock, error) {
	var l uvLock
	if err := scaffold.ReadTOML(dt, &l); err != nil {
		return nil, err
	}
	if l.Version == nil {
		return nil, errors.New("it has no version")
	}
	return &l, nil
}

// check reports a declared dependency uv.lock does not record as
// declared: the project's own entry (source virtual or editable ".")
// keeps what pyproject.toml said when uv lock ran, so `uv sync --frozen`
// would install a stale set.
func (l *uvLock) check(pp *pyproject) error {
	return l.checkProject(pp, ".", "pyproject.toml")
}

// checkProject is check for the project in folder dir of a workspace,
// whose pyproject.toml is file.
func (l *uvLock) checkProject(pp *pyproject, dir, file string) error {
	recorded := map[string][]string{}
	var root bool
	for _, pkg := range l.Packages {
		if pkg.Source["virtual"] != dir && pkg.Source["editable"] != dir {
			continue
		}
		root = true
		for _, r := range pkg.Metadata.RequiresDist {
			recorded[normalizeName(r.Name)] = append(recorded[normalizeName(r.Name)], strings.ReplaceAll(r.Specifier, " ", ""))
		}
		for _, reqs := range pkg.Metadata.RequiresDev {
			for _, r := range reqs {
				recorded[normalizeName(r.Name)] = append(recorded[normalizeName(r.Name)], strings.ReplaceAll(r.Specifier, " ", ""))
			}
		}
	}
	prod, dev := pp.declared()
	if !root {
		if len(prod)+len(dev) == 0 {
			return nil
		}
		return outOfSync("uv.lock", file, []string{"the project itself"}, "uv lock")
	}
	var missing []string
	for _, r := range append(prod, dev...) {
		if !recordsSpec(recorded[r.name], r.spec) {
			missing = append(missing, fmt.Sprintf("%s (%s)", r, r.from))
		}
	}
	return outOfSync("uv.lock", file, missing, "uv lock")
}

func recordsSpec(specs []string, spec string) bool {
	for _, s := range specs {
		if sameSpec(s, spec) {
			return true
		}
	}
	return false
}

// poetryLock is what the preset reads from poetry.lock.
type poetryLock struct {
	Packages []struct {
		Name string `toml:"name"`
	} `toml:"package"`
	Metadata struct {
		LockVersion string `toml:"lock-version"`
	} `toml:"metadata"`
}

func parsePoetryLock(dt []byte) (*poetryLock, error) {
	var l poetryLock
	if err := scaffold.ReadTOML(dt, &l); err != nil {
		return nil, err
	}
	if l.Metadata.LockVersion == "" {
		return nil, errors.New("it has no [metadata] lock-version")
	}
	return &l, nil
}

// check reports a declared package poetry.lock does not lock at all;
// changed constraints are poetry's own check (its content-hash), which
// fails the install with the same fix.
func (l *poetryLock) check(pp *pyproject) error {
	locked := map[string]bool{}
	for _, p := range l.Packages {
		locked[normalizeName(p.Name)] = true
	}
	prod, dev := pp.poetryDeclared()
	var missing []string
	for _, r := range append(prod, dev...) {
		if !locked[r.name] {
			missing = append(missing, fmt.Sprintf("%s (%s)", r.name, r.from))
		}
	}
	return outOfSync("poetry.lock", "pyproject.toml", missing, "poetry lock")
}

var generatedBy = regexp.MustCompile(`^# This file is automatically @generated by Poetry (\d+\.\d+\.\d+)`)

// lockedPoetry is the poetry that wrote the lockfile, when it says.
func lockedPoetry(dt []byte) string {
	line, _, _ := bytes.Cut(dt, []byte("\n"))
	if m := generatedBy.FindSubmatch(line); m != nil {
		return string(m[1])
	}
	return ""
}

func outOfSync(lock, manifest string, missing []string, fix string) error {
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s is out of sync with %s: it does not record %s (run %s and commit %s)", lock, manifest, scaffold.Few(missing), fix, lock)
}

// requirementsFile is what the preset reads from a requirements file.
type requirementsFile struct {
	names  []string // normalized
	hashed bool     // some requirement carries --hash: pip checks them all
	// includes are the files it reads with -r or -c, relative to the
	// context.
	includes []string
}

// parseRequirements reads pip's format: one requirement or option a line,
// "\" continuing a line, "#" starting a comment.
func parseRequirements(name string, dt []byte) (*requirementsFile, error) {
	rf := &requirementsFile{}
	lines := strings.Split(strings.ReplaceAll(string(dt), "\\\n", " "), "\n")
	for n, line := range lines {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		opt, arg, _ := strings.Cut(fields[0], "=")
		if arg == "" && len(fields) > 1 {
			arg = fields[1]
		}
		switch opt {
		case "-r", "--requirement", "-c", "--constraint":
			inc := path.Join(path.Dir(name), arg)
			if arg == "" || path.IsAbs(arg) || inc == ".." || strings.HasPrefix(inc, "../") || strings.Contains(arg, "://") {
				return nil, fmt.Errorf("line %d reads %q, which is not a file in the build context", n+1, arg)
			}
			rf.includes = append(rf.includes, inc)
			continue
		case "-e", "--editable":
			return nil, fmt.Errorf("line %d installs %s editable, from the source the dependency install does not have (remove it: the release runs the source in workdir)", n+1, arg)
		}
		if strings.HasPrefix(line, "-") {
			continue // --index-url, --extra-index-url, --find-links...
		}
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "/") || strings.HasPrefix(line, "file:") {
			return nil, fmt.Errorf("line %d installs %s, a local folder the dependency install does not have (remove it: the release runs the source in workdir)", n+1, fields[0])
		}
		if strings.Contains(line, "--hash") {
			rf.hashed = true
		}
		if r, ok := parseRequirement(fields[0], name); ok {
			rf.names = append(rf.names, r.name)
		}
	}
	return rf, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
