package node

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// NodeVersionMismatch is the preset's rule for an image whose Node.js the
// app does not accept.
var NodeVersionMismatch = plan.NewRule("NodeVersionMismatch", "The image's Node.js does not satisfy the app's engines.node, .nvmrc or .node-version.")

// major is a Node.js release line as this frontend knows it: the newest
// version its official images carry, and whether it is a long-term
// support line. Defaults prefer the newest LTS line an app accepts.
type major struct {
	n      int
	latest string
	lts    string // codename, "" for a current (odd) line
}

// majors are the release lines with official images when this frontend
// was released (newest last). Lines past their end of life stay so an app
// that pins one still gets it.
var majors = []major{
	{20, "20.20.2", "iron"},
	{22, "22.21.1", "jod"},
	{24, "24.11.1", "krypton"},
	{25, "25.2.1", ""},
	{26, "26.1.0", "lts"}, // LTS from October 2026; codename not yet used by nvm here
}

// constraint is one requirement on the Node.js version and where it
// was read.
type constraint struct {
	c    *semver.Constraints
	text string
	from string
}

// nodeConstraints reads what the app says about its Node.js version:
// engines.node (the app's package.json, else the root's), .nvmrc and
// .node-version. An unreadable value is an error naming the file.
func nodeConstraints(files map[string][]byte, pkg, app packageJSON, appDir string) ([]constraint, error) {
	var out []constraint
	engines, from := app.Engines.Node, "package.json engines.node"
	if appDir != "." {
		from = appDir + "/package.json engines.node"
	}
	if engines == "" {
		engines, from = pkg.Engines.Node, "package.json engines.node"
	}
	if engines = strings.TrimSpace(engines); engines != "" {
		c, err := semver.NewConstraint(engines)
		if err != nil {
			return nil, fmt.Errorf("%s %q is not a version range: %v", from, engines, err)
		}
		out = append(out, constraint{c, engines, from})
	}
	for _, name := range versionFiles(appDir) {
		dt, ok := files[name]
		if !ok {
			continue
		}
		text := strings.TrimSpace(strings.SplitN(string(dt), "\n", 2)[0])
		c, err := nvmVersion(text)
		if err != nil {
			return nil, fmt.Errorf("%s says %q, which is not a Node.js version (write e.g. 22, v22.11.0 or lts/jod)", name, text)
		}
		if c != nil {
			out = append(out, constraint{c, text, name})
		}
	}
	// asdf's and mise's pins: .tool-versions nodejs 20.11.0, mise.toml node = "20"
	pins, err := scaffold.Pins(files, appDir, "nodejs", "node")
	if err != nil {
		return nil, err
	}
	for _, pin := range pins {
		c, err := nvmVersion(pin.Version)
		if err != nil {
			return nil, fmt.Errorf("%s is not a Node.js version (write e.g. 22, 22.11.0 or lts)", pin)
		}
		if c != nil {
			out = append(out, constraint{c, pin.Version, strings.TrimSuffix(pin.String(), " "+pin.Version)})
		}
	}
	return out, nil
}

// versionFiles are the files nvm, fnm and volta-like tools read, in the
// app's folder and at the root.
func versionFiles(appDir string) []string {
	var out []string
	for _, dir := range []string{appDir, "."} {
		for _, f := range []string{".nvmrc", ".node-version"} {
			name := f
			if dir != "." {
				name = dir + "/" + f
			}
			out = append(out, name)
		}
		if appDir == "." {
			break
		}
	}
	return out
}

var nvmAlias = regexp.MustCompile(`^lts/(\*|[a-z]+)$`)

// nvmVersion reads an .nvmrc line: "22", "v22.11.0", "22.11", "lts/*",
// "lts/jod", "node" (the newest); and asdf's and mise's "lts" and
// "lts-jod".
func nvmVersion(s string) (*semver.Constraints, error) {
	s = strings.TrimPrefix(strings.ToLower(s), "v")
	if s == "lts" {
		s = "lts/*"
	} else if name, ok := strings.CutPrefix(s, "lts-"); ok {
		s = "lts/" + name
	}
	switch {
	case s == "":
		return nil, nil
	case s == "node" || s == "latest" || s == "current":
		return semver.NewConstraint(fmt.Sprintf(">=%d", majors[len(majors)-1].n))
	case nvmAlias.MatchString(s):
		name := nvmAlias.FindStringSubmatch(s)[1]
		for i := len(majors) - 1; i >= 0; i-- {
			if m := majors[i]; m.lts != "" && (name == "*" || m.lts == name) {
				return semver.NewConstraint(fmt.Sprintf("%d", m.n))
			}
		}
		return nil, fmt.Errorf("unknown LTS line %q", name)
	}
	if _, err := semver.NewVersion(s); err != nil {
		return nil, err
	}
	// a version pins its line: node:22-slim carries the newest 22
	return semver.NewConstraint(strings.SplitN(s, ".", 2)[0])
}

// defaultMajor is the newest LTS line every constraint accepts, else the
// newest line they accept.
func defaultMajor(cs []constraint) (major, bool) {
	var any *major
	for i := len(majors) - 1; i >= 0; i-- {
		m := majors[i]
		if !accepts(cs, semver.MustParse(m.latest)) {
			continue
		}
		if m.lts != "" {
			return m, true
		}
		if any == nil {
			any = &majors[i]
		}
	}
	if any != nil {
		return *any, true
	}
	return major{}, false
}

func accepts(cs []constraint, v *semver.Version) bool {
	for _, c := range cs {
		if !c.c.Check(v) {
			return false
		}
	}
	return true
}

var nodeTag = regexp.MustCompile(`(^|/)node:v?(\d+(\.\d+){0,2})`)

// imageNodeVersion is the Node.js an image carries: NODE_VERSION from its
// config (the official images set it), else the version in its tag.
func imageNodeVersion(ref string, img *plan.ImageInfo) (*semver.Version, string) {
	if img != nil && img.Config != nil {
		for _, kv := range img.Config.Config.Env {
			if v, ok := strings.CutPrefix(kv, "NODE_VERSION="); ok {
				if sv, err := semver.NewVersion(v); err == nil {
					return sv, "Node.js " + v
				}
			}
		}
	}
	if m := nodeTag.FindStringSubmatch(ref); m != nil {
		v := m[2]
		if !strings.Contains(v, ".") {
			// a line's tag carries its newest version
			for _, mj := range majors {
				if fmt.Sprint(mj.n) == v {
					v = mj.latest
				}
			}
		}
		if sv, err := semver.NewVersion(v); err == nil {
			return sv, "Node.js " + v + " (from its tag)"
		}
	}
	return nil, ""
}
