package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// tree is a plan laid out as the Stagefile's keys, each value with its
// origin, for `stagefile plan` in YAML (origins as comments) or JSON.
type tree struct {
	key    string
	scalar *string
	list   bool
	kids   []*tree
	origin *Origin
	// boolean: the scalar is true or false, not a string
	boolean bool
}

func leaf(key, v string, o Origin) *tree { return &tree{key: key, scalar: &v, origin: &o} }

func boolLeaf(key string, v bool, o Origin) *tree {
	t := leaf(key, fmt.Sprint(v), o)
	t.boolean = true
	return t
}

func (t *tree) add(kids ...*tree) *tree {
	for _, k := range kids {
		if k != nil && (k.scalar != nil || len(k.kids) > 0) {
			t.kids = append(t.kids, k)
		}
	}
	return t
}

func section(key string, kids ...*tree) *tree { return (&tree{key: key}).add(kids...) }

func value(key string, v Value[string]) *tree {
	if !v.Set() {
		return nil
	}
	return leaf(key, v.Value, v.Origin)
}

func list(key string, vs []Value[string]) *tree {
	t := &tree{key: key, list: true}
	for _, v := range vs {
		t.add(leaf("", v.Value, v.Origin))
	}
	return t
}

func argv(key string, v Value[[]string]) *tree {
	if !v.Set() {
		return nil
	}
	t := &tree{key: key, list: true, origin: &v.Origin}
	for _, a := range v.Value {
		a := a
		t.kids = append(t.kids, &tree{scalar: &a})
	}
	if len(v.Value) == 0 {
		empty := "[]"
		return &tree{key: key, scalar: &empty, origin: &v.Origin, list: true}
	}
	return t
}

// packagesTree counts the shipped packages (the JSON form lists them).
func packagesTree(d Dependencies) *tree {
	if !d.PackagesFrom.Set() {
		return nil
	}
	return leaf("packages", fmt.Sprintf("%d production packages", len(d.Packages)), d.PackagesFrom)
}

// crossTree says whether a multi-platform build installs natively.
func crossTree(c *CrossInstall) *tree {
	if c == nil {
		return nil
	}
	if len(c.Env) == 0 {
		return leaf("crossInstall", "no, on each target platform: "+c.Why, c.Origin)
	}
	if len(c.Check) > 0 {
		return leaf("crossInstall", "decided at build time: on the build platform for every target platform if "+c.Why, c.Origin)
	}
	return leaf("crossInstall", "yes, on the build platform for every target platform: "+c.Why, c.Origin)
}

// unlessDefault shows a value someone decided; a default stays implicit.
func unlessDefault(key string, v Value[string]) *tree {
	if v.Origin.Kind == Default {
		return nil
	}
	return value(key, v)
}

func shipsDependencies(v Value[bool]) *tree {
	if !v.Set() {
		return nil
	}
	return boolLeaf("dependencies", !v.Value, v.Origin)
}

func varsTree(key string, vars []Var) *tree {
	t := &tree{key: key}
	for _, v := range vars {
		t.add(leaf(v.Name, v.Value, v.Origin))
	}
	return t
}

func command(key string, c *Command) *tree {
	if c == nil {
		return nil
	}
	return leaf(key, c.Script(), c.Origin)
}

func cachesTree(key string, caches []Cache) *tree {
	t := &tree{key: key, list: true}
	for _, c := range caches {
		t.add(section("", value("path", c.Path), value("id", c.ID), value("sharing", c.Sharing)))
	}
	return t
}

func (p *Plan) tree() *tree {
	d, r := p.Dependencies, p.Release
	secrets := &tree{key: "secrets", list: true}
	for _, s := range p.Secrets {
		secrets.add(section("", value("id", s.ID), value("target", s.Target), value("env", s.Env), boolLeaf("required", s.Required, s.Origin)))
	}
	args := &tree{key: "args"}
	for _, a := range p.Args {
		o := a.Origin
		o.From = "default"
		if a.Given {
			o.From = "--build-arg"
		}
		args.add(leaf(a.Name, a.Value, o))
	}
	var health *tree
	if h := r.Healthcheck; h != nil {
		health = section("healthcheck", argv("test", h.Test), value("interval", h.Interval), value("timeout", h.Timeout),
			value("startPeriod", h.StartPeriod), value("startInterval", h.StartInterval))
		if h.Retries.Set() {
			health.add(leaf("retries", fmt.Sprint(h.Retries.Value), h.Retries.Origin))
		}
	}
	return section("",
		value("preset", p.Preset),
		value("image", p.Image),
		value("workdir", p.Workdir),
		value("app", p.App),
		args,
		varsTree("env", p.Env),
		section("source", list("exclude", p.Source.Exclude)),
		section("dependencies",
			list("manifests", d.Manifests),
			list("config", d.Config),
			command("tools", d.Tools),
			command("production", d.Production),
			command("development", d.Development),
			cachesTree("caches", d.Caches),
			list("unshipped", d.Unshipped),
			crossTree(d.Cross),
			fetchTree(d),
			packagesTree(d)),
		secrets,
		section("test", command("run", p.Test.Run), list("reports", p.Test.Reports), cachesTree("caches", p.Test.Caches), unlessDefault("platforms", p.Test.Platforms)),
		section("build", command("run", p.Build.Run), list("outputs", p.Build.Outputs), cachesTree("caches", p.Build.Caches), unlessDefault("platforms", p.Build.Platforms)),
		section("release",
			value("image", r.Image),
			varsTree("env", r.Env),
			list("expose", r.Expose),
			value("user", r.User),
			argv("entrypoint", r.Entrypoint),
			argv("cmd", r.Cmd),
			varsTree("labels", r.Labels),
			health,
			value("stopSignal", r.StopSignal),
			shipsDependencies(r.NoDependencies),
			list("writable", r.Writable)),
	)
}

// YAML renders the plan as a Stagefile-shaped YAML document whose
// comments give each value's origin.
func (p *Plan) YAML() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The resolved build of %s: every value that will be used, and where it came from\n", p.File)
	fmt.Fprintf(&b, "# (line L:C of %s, a preset and what it read, or a default).\n", p.File)
	var body bytes.Buffer
	body.WriteString("version: 1\n")
	for _, k := range p.tree().kids {
		writeYAML(&body, k, 0, false)
	}
	b.Write(alignComments(body.Bytes()))
	return b.Bytes()
}

// commentColumn is where origins start, so they read as a column.
const commentColumn = 44

// alignComments pads each line's origin comment (after "  # ") to
// commentColumn; longer lines keep two spaces.
func alignComments(dt []byte) []byte {
	lines := strings.Split(string(dt), "\n")
	for i, l := range lines {
		j := strings.LastIndex(l, "  # ")
		if j < 0 || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		code, comment := l[:j], l[j+2:]
		code += strings.Repeat(" ", max(commentColumn-len([]rune(code)), 2))
		lines[i] = code + comment
	}
	return []byte(strings.Join(lines, "\n"))
}

func writeYAML(b *bytes.Buffer, t *tree, indent int, item bool) {
	pad := strings.Repeat("  ", indent)
	head := pad
	if item {
		head = pad[:len(pad)-2] + "- "
	}
	if t.key != "" {
		head += t.key + ":"
	}
	comment := ""
	if t.origin != nil {
		comment = "  # " + t.origin.String()
	}
	switch {
	case t.scalar != nil && t.list: // an empty exec-form list
		fmt.Fprintf(b, "%s %s%s\n", head, *t.scalar, comment)
	case t.scalar != nil && strings.Contains(strings.TrimSuffix(*t.scalar, "\n"), "\n"):
		indicator := "|"
		if !strings.HasSuffix(*t.scalar, "\n") {
			indicator = "|-"
		}
		fmt.Fprintf(b, "%s %s%s\n", head, indicator, comment)
		for _, l := range strings.Split(strings.TrimSuffix(*t.scalar, "\n"), "\n") {
			fmt.Fprintf(b, "%s  %s\n", pad, l)
		}
	case t.scalar != nil:
		sep := " "
		if t.key == "" && !item {
			sep = ""
		}
		v := *t.scalar
		if !t.boolean {
			v = yamlScalar(v)
		}
		fmt.Fprintf(b, "%s%s%s%s\n", head, sep, v, comment)
	case t.list:
		fmt.Fprintf(b, "%s%s\n", head, comment)
		for _, k := range t.kids {
			if k.key == "" && k.scalar != nil {
				fmt.Fprintf(b, "%s  - %s%s\n", pad, yamlScalar(*k.scalar), originComment(k))
				continue
			}
			writeYAML(b, k, indent+2, true)
		}
	default:
		if item {
			// a mapping in a list: its first key goes on the "- " line
			for i, k := range t.kids {
				writeYAML(b, k, indent, i == 0)
			}
			return
		}
		fmt.Fprintf(b, "%s%s\n", head, comment)
		for _, k := range t.kids {
			writeYAML(b, k, indent+1, false)
		}
	}
}

func originComment(t *tree) string {
	if t.origin == nil {
		return ""
	}
	return "  # " + t.origin.String()
}

// yamlScalar writes s plainly when YAML would read it back as the same
// string, else double-quoted (JSON's quoting is valid YAML).
func yamlScalar(s string) string {
	plain := s != "" && s == strings.TrimSpace(s) && !strings.ContainsAny(s[:1], "!&*-?[]{},|>@`\"'%#:") &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !strings.HasSuffix(s, ":")
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			plain = false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		plain = false
	}
	if _, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0o") {
		plain = false // would read back as a number
	}
	if plain {
		return s
	}
	return jsonString(s)
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
