package python

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// PythonVersionMismatch is the preset's rule for a build image whose
// Python the app does not accept.
var PythonVersionMismatch = plan.NewRule("PythonVersionMismatch", "The image's Python does not satisfy the app's requires-python or .python-version.")

// lines are the Python release lines with official images when this
// frontend was released, oldest first.
var lines = []pyVersion{{3, 9, 0}, {3, 10, 0}, {3, 11, 0}, {3, 12, 0}, {3, 13, 0}, {3, 14, 0}}

type pyVersion struct{ major, minor, patch int }

func (v pyVersion) line() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v pyVersion) cmp(w pyVersion) int {
	for _, d := range [][2]int{{v.major, w.major}, {v.minor, w.minor}, {v.patch, w.patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

var versionRe = regexp.MustCompile(`^(\d{1,4})(?:\.(\d{1,4}|\*))?(?:\.(\d{1,4}|\*))?`)

// parseVersion reads "3", "3.11", "3.11.7", "3.11.*"; parts reports how
// many numbers it had (a "*" ends it).
func parseVersion(s string) (v pyVersion, parts int, ok bool) {
	m := versionRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return v, 0, false
	}
	nums := []*int{&v.major, &v.minor, &v.patch}
	for i, part := range m[1:] {
		if part == "" || part == "*" {
			break
		}
		*nums[i], _ = strconv.Atoi(part)
		parts++
	}
	return v, parts, true
}

// specifier is a requires-python clause: ">=3.11", "<3.13", "~=3.10", "==3.11.*".
type specifier struct {
	op      string
	v       pyVersion
	parts   int
	star    bool
	written string
}

var specRe = regexp.MustCompile(`^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*$`)

func parseSpecifiers(s string) ([]specifier, error) {
	var out []specifier
	for _, clause := range strings.Split(s, ",") {
		if strings.TrimSpace(clause) == "" {
			continue
		}
		m := specRe.FindStringSubmatch(clause)
		if m == nil {
			return nil, fmt.Errorf("%q is not a version specifier", strings.TrimSpace(clause))
		}
		v, parts, ok := parseVersion(m[2])
		if !ok {
			return nil, fmt.Errorf("%q is not a version", m[2])
		}
		out = append(out, specifier{op: m[1], v: v, parts: parts, star: strings.HasSuffix(m[2], "*"), written: strings.TrimSpace(clause)})
	}
	return out, nil
}

// prefix: the first n numbers of v and w agree.
func prefix(v, w pyVersion, n int) bool {
	return (n < 1 || v.major == w.major) && (n < 2 || v.minor == w.minor) && (n < 3 || v.patch == w.patch)
}

func (s specifier) allows(v pyVersion) bool {
	c := v.cmp(s.v)
	switch s.op {
	case ">=":
		return c >= 0
	case ">":
		return c > 0 && !prefix(v, s.v, s.parts)
	case "<=":
		return c <= 0 || prefix(v, s.v, s.parts)
	case "<":
		return c < 0
	case "==", "===":
		if s.star || s.parts < 3 {
			return prefix(v, s.v, s.parts)
		}
		return c == 0
	case "!=":
		if s.star || s.parts < 3 {
			return !prefix(v, s.v, s.parts)
		}
		return c != 0
	case "~=": // >= v, == v's prefix without its last number
		return c >= 0 && prefix(v, s.v, max(s.parts-1, 1))
	}
	return false
}

// accepts: some release of line (its first, a late patch, or one a
// clause names) satisfies every clause.
func accepts(specs []specifier, line pyVersion) bool {
	candidates := []pyVersion{line, {line.major, line.minor, 99}}
	for _, s := range specs {
		if s.v.major == line.major && s.v.minor == line.minor {
			candidates = append(candidates, s.v)
		}
	}
	for _, v := range candidates {
		ok := true
		for _, s := range specs {
			ok = ok && s.allows(v)
		}
		if ok {
			return true
		}
	}
	return false
}

// constraints are what the app says about its Python.
type constraints struct {
	specs   []specifier // requires-python
	pin     *pyVersion  // .python-version's line, else asdf's or mise's
	pinText string      // as written
	// pinFile says where the pin was read: ".python-version",
	// ".tool-versions python", "mise.toml [tools] python".
	pinFile  string
	requires string
	// file is the pyproject.toml requires-python was read from.
	file string
	// limit is the Pythons a locked dependency supports, nil when none
	// says.
	limit *limit
}

// limit is a range of Python lines a locked dependency supports.
type limit struct {
	oldest, newest pyVersion
	// who supports them: "Django 4.2.5 (requirements.txt django==4.2.5)"
	who string
}

func (l *limit) allows(v pyVersion) bool {
	return v.cmp(l.oldest) >= 0 && (v.major < l.newest.major || v.major == l.newest.major && v.minor <= l.newest.minor)
}

var pinRe = regexp.MustCompile(`^(?:cpython-|python)?(\d+\.\d+)`)

func readConstraints(pp *pyproject, pythonVersion []byte) (constraints, error) {
	return readConstraintsFrom(pp, "pyproject.toml", pythonVersion)
}

// readConstraintsFrom is readConstraints with requires-python read from
// file (a workspace member's pyproject.toml).
func readConstraintsFrom(pp *pyproject, file string, pythonVersion []byte) (constraints, error) {
	c := constraints{file: file}
	if r := strings.TrimSpace(pp.Project.RequiresPython); r != "" {
		specs, err := parseSpecifiers(r)
		if err != nil {
			return c, fmt.Errorf("%s requires-python %q cannot be read: %v", file, r, err)
		}
		c.specs, c.requires = specs, r
	}
	if pythonVersion != nil {
		first, _, _ := strings.Cut(string(pythonVersion), "\n")
		first = strings.TrimSpace(first)
		m := pinRe.FindStringSubmatch(first)
		if m == nil {
			return c, fmt.Errorf(".python-version says %q, which is not a Python version (write e.g. 3.12)", first)
		}
		v, _, _ := parseVersion(m[1])
		c.pin, c.pinText, c.pinFile = &v, first, ".python-version"
	}
	return c, nil
}

// readPins takes asdf's or mise's python pin (.tool-versions python
// 3.11.7, mise.toml python = "3.11") when .python-version pins none.
func (c *constraints) readPins(files map[string][]byte, dir string) error {
	pins, err := scaffold.Pins(files, dir, "python")
	if err != nil || c.pin != nil || len(pins) == 0 {
		return err
	}
	pin := pins[0]
	m := pinRe.FindStringSubmatch(pin.Version)
	if m == nil {
		return fmt.Errorf("%s is not a Python version (write e.g. 3.12)", pin)
	}
	v, _, _ := parseVersion(m[1])
	c.pin, c.pinText, c.pinFile = &v, pin.Version, strings.TrimSuffix(pin.String(), " "+pin.Version)
	return nil
}

// djangoPythons are the Python lines each Django release line supports,
// from Django's FAQ, "What Python version can I use with Django?"
// (docs.djangoproject.com/en/stable/faq/install/), as of Django 6.0. A
// line added in a patch release counts from that release: Django 4.2.5
// predates 4.2.8, which added Python 3.12. Lines older than 3.9 have no
// image here, so the oldest matter only for the message.
var djangoPythons = []struct {
	django         pyVersion // the release line
	oldest, newest pyVersion
	newestFrom     pyVersion // the release that added newest, zero when the first did
}{
	{pyVersion{3, 2, 0}, pyVersion{3, 6, 0}, pyVersion{3, 10, 0}, pyVersion{3, 2, 9}},
	{pyVersion{4, 0, 0}, pyVersion{3, 8, 0}, pyVersion{3, 10, 0}, pyVersion{}},
	{pyVersion{4, 1, 0}, pyVersion{3, 8, 0}, pyVersion{3, 11, 0}, pyVersion{4, 1, 3}},
	{pyVersion{4, 2, 0}, pyVersion{3, 8, 0}, pyVersion{3, 12, 0}, pyVersion{4, 2, 8}},
	{pyVersion{5, 0, 0}, pyVersion{3, 10, 0}, pyVersion{3, 12, 0}, pyVersion{}},
	{pyVersion{5, 1, 0}, pyVersion{3, 10, 0}, pyVersion{3, 13, 0}, pyVersion{5, 1, 3}},
	{pyVersion{5, 2, 0}, pyVersion{3, 10, 0}, pyVersion{3, 14, 0}, pyVersion{5, 2, 8}},
	{pyVersion{6, 0, 0}, pyVersion{3, 12, 0}, pyVersion{3, 14, 0}, pyVersion{}},
}

// djangoLimit is the Pythons a locked Django supports; nil when the
// lockfile pins no one release, or one the table does not know.
func djangoLimit(d locked) *limit {
	if !d.exact {
		return nil
	}
	v, parts, ok := parseVersion(d.version)
	if !ok || parts < 2 {
		return nil
	}
	for _, row := range djangoPythons {
		if row.django.major != v.major || row.django.minor != v.minor {
			continue
		}
		l := &limit{oldest: row.oldest, newest: row.newest, who: fmt.Sprintf("Django %s (%s)", d.version, d.from)}
		if row.newestFrom != (pyVersion{}) && v.cmp(row.newestFrom) < 0 {
			l.newest.minor-- // added in a later patch release
		}
		return l
	}
	return nil
}

// line is the Python line the images get: .python-version's, else the
// newest line requires-python accepts, else the newest.
func (c constraints) line() (pyVersion, string, error) {
	if c.pin != nil {
		return *c.pin, c.pinFile + " " + c.pinText, nil
	}
	if l := c.limit; l != nil {
		for i := len(lines) - 1; i >= 0; i-- {
			if accepts(c.specs, lines[i]) && l.allows(lines[i]) {
				why := fmt.Sprintf("the newest Python line (%s) that %s supports (%s to %s)", lines[i].line(), l.who, l.oldest.line(), l.newest.line())
				if c.requires != "" {
					why += fmt.Sprintf(" and %s requires-python %s accepts", c.file, c.requires)
				}
				return lines[i], why + "; nothing pins one", nil
			}
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if accepts(c.specs, lines[i]) {
			if c.requires == "" {
				return lines[i], fmt.Sprintf("the newest Python line (%s): nothing pins one (.python-version, .tool-versions, mise.toml) or limits it (requires-python, a locked Django)", lines[i].line()), nil
			}
			return lines[i], fmt.Sprintf("the newest Python line (%s) that %s requires-python %s accepts", lines[i].line(), c.file, c.requires), nil
		}
	}
	return pyVersion{}, "", fmt.Errorf("no Python line this frontend knows satisfies %s requires-python %s; write image:, e.g. image: python:3.12-slim-bookworm", c.file, c.requires)
}

// wants says why the app does not accept v, or "".
func (c constraints) wants(v pyVersion) string {
	if c.pin != nil && (c.pin.major != v.major || c.pin.minor != v.minor) {
		return c.pinFile + " wants " + c.pinText
	}
	if len(c.specs) > 0 && !accepts(c.specs, v) {
		return c.file + " requires-python wants " + c.requires
	}
	return ""
}

var pythonTag = regexp.MustCompile(`(^|/)python:(\d+\.\d+(?:\.\d+)?)`)

// imagePython is the Python an image has: PYTHON_VERSION in its config
// (the official images set it), else its tag's.
func imagePython(ref string, img *plan.ImageInfo) (pyVersion, string) {
	if img != nil && img.Config != nil {
		for _, kv := range img.Config.Config.Env {
			if s, ok := strings.CutPrefix(kv, "PYTHON_VERSION="); ok {
				if v, parts, ok := parseVersion(s); ok && parts >= 2 {
					return v, "Python " + s
				}
			}
		}
	}
	if m := pythonTag.FindStringSubmatch(ref); m != nil {
		if v, _, ok := parseVersion(m[2]); ok {
			return v, "Python " + m[2] + " (from its tag)"
		}
	}
	return pyVersion{}, ""
}
