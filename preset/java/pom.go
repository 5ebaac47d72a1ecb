package java

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
)

// Limits on what a pom.xml may cost: real ones are a few KiB deep in a
// dozen levels; the preset reads each once.
const (
	maxPOMSize   = 4 << 20
	maxPOMDepth  = 64
	maxPOMTokens = 200_000
	// maxValue bounds an interpolated value: ${a} may name ${b}${b}, and
	// so on, doubling at each level.
	maxValue = 4 << 10
	// maxRefs bounds the ${...} a value may expand in all.
	maxRefs = 256
)

// pom is what the preset reads of a pom.xml.
type pom struct {
	Parent *struct {
		GroupID      string  `xml:"groupId"`
		ArtifactID   string  `xml:"artifactId"`
		Version      string  `xml:"version"`
		RelativePath *string `xml:"relativePath"`
	} `xml:"parent"`
	GroupID      string       `xml:"groupId"`
	ArtifactID   string       `xml:"artifactId"`
	Version      string       `xml:"version"`
	Packaging    string       `xml:"packaging"`
	Properties   node         `xml:"properties"`
	Modules      []string     `xml:"modules>module"`
	Dependencies []dependency `xml:"dependencies>dependency"`
	Managed      []dependency `xml:"dependencyManagement>dependencies>dependency"`
	Build        struct {
		FinalName string   `xml:"finalName"`
		Plugins   []plugin `xml:"plugins>plugin"`
		Managed   []plugin `xml:"pluginManagement>plugins>plugin"`
	} `xml:"build"`

	// file is the pom's path in the context, dir its folder.
	file, dir string
	// parent is the pom its <parent> names, when the context has it.
	parent *pom
}

type dependency struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Type       string `xml:"type"`
	Scope      string `xml:"scope"`
}

type plugin struct {
	GroupID       string `xml:"groupId"`
	ArtifactID    string `xml:"artifactId"`
	Version       string `xml:"version"`
	Configuration node   `xml:"configuration"`
	Executions    []struct {
		Goals         []string `xml:"goals>goal"`
		Configuration node     `xml:"configuration"`
	} `xml:"executions>execution"`
}

// node is an element of free-form XML (properties, plugin configuration).
type node struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
	Nodes   []node `xml:",any"`
}

// find is the text of the first element named name at any depth below n.
func (n node) find(name string) (string, bool) {
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			return strings.TrimSpace(c.Text), true
		}
		if v, ok := c.find(name); ok {
			return v, true
		}
	}
	return "", false
}

// parsePOM reads a pom.xml within the limits: its size, its nesting and
// its tokens are checked in one pass before it is decoded. encoding/xml
// expands no entities of a DTD, so none can blow a value up.
func parsePOM(file string, dt []byte) (*pom, error) {
	if len(dt) > maxPOMSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", file, maxPOMSize>>20)
	}
	d := newDecoder(dt)
	depth, tokens, root := 0, 0, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not XML Maven can read: %v", file, err)
		}
		if tokens++; tokens > maxPOMTokens {
			return nil, fmt.Errorf("%s has more than %d XML tokens", file, maxPOMTokens)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && root == "" {
				root = t.Name.Local
			}
			if depth++; depth > maxPOMDepth {
				return nil, fmt.Errorf("%s nests elements deeper than %d levels", file, maxPOMDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
	if root != "project" {
		return nil, fmt.Errorf("%s has no <project> element", file)
	}
	p := &pom{file: file, dir: path.Dir(file)}
	if err := newDecoder(dt).Decode(p); err != nil {
		return nil, fmt.Errorf("%s is not XML Maven can read: %v", file, err)
	}
	return p, nil
}

// newDecoder reads a pom the preset decoded (UTF-8). An XML declaration
// may name an encoding that reads ASCII as ASCII (older poms say
// ISO-8859-1): the text is UTF-8 by then, so it is read as it is.
func newDecoder(dt []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(dt))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q is not one the preset reads (save the pom as UTF-8)", label)
	}
	return d
}

// property is a property the pom (or a parent in the context) defines,
// as written.
func (p *pom) property(name string) (string, bool) {
	v, _, ok := p.propertyIn(name)
	return v, ok
}

// propertyIn is property, and the pom.xml that defines it.
func (p *pom) propertyIn(name string) (value, file string, ok bool) {
	for q := p; q != nil; q = q.parent {
		for _, n := range q.Properties.Nodes {
			if n.XMLName.Local == name {
				return strings.TrimSpace(n.Text), q.file, true
			}
		}
	}
	return "", "", false
}

// groupID, version: the pom's own, else its parent's (Maven inherits both).
func (p *pom) groupID() string {
	if g := strings.TrimSpace(p.GroupID); g != "" || p.Parent == nil {
		return g
	}
	return strings.TrimSpace(p.Parent.GroupID)
}

func (p *pom) version() string {
	if v := strings.TrimSpace(p.Version); v != "" || p.Parent == nil {
		return v
	}
	return strings.TrimSpace(p.Parent.Version)
}

func (p *pom) packaging() string {
	if v := strings.TrimSpace(p.Packaging); v != "" {
		return v
	}
	return "jar"
}

// plugins are the build plugins of the pom and of its parents in the
// context (Maven inherits build/plugins), the pom's own first; each
// merged with its pluginManagement entry, whose configuration and version
// apply to it.
func (p *pom) plugins() []plugin {
	var out []plugin
	seen := map[string]bool{}
	for q := p; q != nil; q = q.parent {
		for _, pl := range q.Build.Plugins {
			if k := pl.key(); !seen[k] {
				seen[k] = true
				out = append(out, p.managed(pl))
			}
		}
	}
	return out
}

// managed is pl with what pluginManagement says of it (version,
// configuration) where pl does not say.
func (p *pom) managed(pl plugin) plugin {
	for q := p; q != nil; q = q.parent {
		for _, m := range q.Build.Managed {
			if m.key() != pl.key() {
				continue
			}
			if pl.Version == "" {
				pl.Version = m.Version
			}
			pl.Configuration.Nodes = append(pl.Configuration.Nodes, m.Configuration.Nodes...)
			pl.Executions = append(pl.Executions, m.Executions...)
		}
	}
	return pl
}

func (pl plugin) key() string {
	g := strings.TrimSpace(pl.GroupID)
	if g == "" {
		g = "org.apache.maven.plugins"
	}
	return g + ":" + strings.TrimSpace(pl.ArtifactID)
}

// find is a configuration value of the plugin or of any of its
// executions.
func (pl plugin) find(name string) (string, bool) {
	if v, ok := pl.Configuration.find(name); ok {
		return v, true
	}
	for _, e := range pl.Executions {
		if v, ok := e.Configuration.find(name); ok {
			return v, true
		}
	}
	return "", false
}

// hasGoal: one of the plugin's executions runs goal.
func (pl plugin) hasGoal(goal string) bool {
	for _, e := range pl.Executions {
		for _, g := range e.Goals {
			if strings.TrimSpace(g) == goal {
				return true
			}
		}
	}
	return false
}

var propertyRef = regexp.MustCompile(`\$\{([^${}]+)\}`)

// errUnresolved is a ${...} the preset cannot tell the value of.
type errUnresolved struct{ name string }

func (e *errUnresolved) Error() string { return "${" + e.name + "}" }

// interpolate replaces ${...} in s as Maven's model does: the project's
// coordinates, the properties of the pom and its parents, and -D
// properties of .mvn/maven.config (which win). Bounded in length and in
// the references expanded, whatever the properties name.
func (p *pom) interpolate(s string, user map[string]string) (string, error) {
	refs := 0
	var expand func(s string, depth int) (string, error)
	expand = func(s string, depth int) (string, error) {
		if !strings.Contains(s, "${") {
			return s, nil
		}
		if depth > 10 {
			return "", fmt.Errorf("properties refer to each other more than 10 levels deep")
		}
		var err error
		out := propertyRef.ReplaceAllStringFunc(s, func(m string) string {
			if err != nil {
				return ""
			}
			if refs++; refs > maxRefs {
				err = fmt.Errorf("more than %d property references", maxRefs)
				return ""
			}
			name := m[2 : len(m)-1]
			v, ok := p.lookup(name, user)
			if !ok {
				err = &errUnresolved{name}
				return ""
			}
			v, err = expand(v, depth+1)
			return v
		})
		if err != nil {
			return "", err
		}
		if len(out) > maxValue {
			return "", fmt.Errorf("a value longer than %d bytes", maxValue)
		}
		return out, nil
	}
	return expand(s, 0)
}

func (p *pom) lookup(name string, user map[string]string) (string, bool) {
	if v, ok := user[name]; ok {
		return v, true
	}
	switch strings.TrimPrefix(strings.TrimPrefix(name, "project."), "pom.") {
	case "version":
		return p.version(), p.version() != ""
	case "artifactId":
		return strings.TrimSpace(p.ArtifactID), true
	case "groupId":
		return p.groupID(), p.groupID() != ""
	case "parent.version":
		if p.Parent != nil {
			return strings.TrimSpace(p.Parent.Version), true
		}
	case "basedir", "build.directory":
		return "", false // paths of the build machine
	}
	return p.property(name)
}

// userProperties are the -Dname=value of .mvn/maven.config.
func userProperties(config []byte) map[string]string {
	out := map[string]string{}
	fields := strings.Fields(string(config))
	for i := 0; i < len(fields) && i < 1000; i++ {
		f := fields[i]
		if f == "-D" && i+1 < len(fields) {
			i++
			f = "-D" + fields[i]
		}
		if kv, ok := strings.CutPrefix(f, "-D"); ok {
			k, v, _ := strings.Cut(kv, "=")
			if k != "" {
				out[k] = v
			}
		}
	}
	return out
}
