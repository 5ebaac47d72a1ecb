package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/stagefile/stagefile/spec"
)

// YAML renders the plan as a Stagefile-shaped YAML document whose
// comments give each value's origin. It is the stored JSON walked in its
// key order, each {"value", "origin"} printed as `key: value  # origin`;
// yamlHidden leaves out what is plumbing, yamlViews shows a few values as
// people read them.
func (p *Plan) YAML() []byte {
	w := &yamlWriter{views: p.yamlViews()}
	fmt.Fprintf(&w.b, "# The resolved build of %s: every value that will be used, and where it came from\n", spec.CommentText(p.File))
	fmt.Fprintf(&w.b, "# (line L:C of %s, a preset and what it read, or a default).\n", spec.CommentText(p.File))
	w.members("", stored(p), 0, false, "")
	return w.b.Bytes()
}

// yamlHidden are stored for messages and the converter, not settings:
// where sections were written, and what a view summarises.
var yamlHidden = map[string]bool{
	"file": true, "span": true, "source.at": true, "dependencies.at": true, "test.at": true, "test.declared": true,
	"build.at": true, "release.at": true, "dependencies.packages": true, "dependencies.fetchSteps": true,
}

// view shows a stored key as people read it: v (nil hides the key), under
// key when that is not "".
type view struct {
	key string
	v   any
}

// yamlViews are the values shown otherwise than stored: a command as the
// script /bin/sh runs, the packages and downloads counted, a sentence for
// the cross install.
func (p *Plan) yamlViews() map[string]view {
	d, r := p.Dependencies, p.Release
	return map[string]view{
		"args":                      {v: argValues(p.Args)},
		"dependencies.tools":        {v: script(d.Tools)},
		"dependencies.production":   {v: script(d.Production)},
		"dependencies.development":  {v: script(d.Development)},
		"dependencies.crossInstall": {v: crossSummary(d.Cross)},
		"dependencies.packagesFrom": {key: "packages", v: Value[string]{fmt.Sprintf("%d production packages", len(d.Packages)), d.PackagesFrom}},
		"dependencies.fetch":        {v: fetchSummary(d)},
		"source.scope":              {v: unlessDefault(p.Source.Scope)},
		"build.workspace":           {v: script(p.Build.Workspace)},
		"test.run":                  {v: script(p.Test.Run)},
		"test.platforms":            {v: unlessDefault(p.Test.Platforms)},
		"build.run":                 {v: script(p.Build.Run)},
		"build.platforms":           {v: unlessDefault(p.Build.Platforms)},
		"release.noDependencies":    {key: "dependencies", v: Value[bool]{!r.NoDependencies.Value, r.NoDependencies.Origin}},
	}
}

// argValues are the args as NAME: value, the origin saying who gave the value.
func argValues(args []Arg) []Var {
	out := make([]Var, len(args))
	for i, a := range args {
		o := a.Origin
		o.From = "default"
		if a.Given {
			o.From = "--build-arg"
		}
		out[i] = Var{Name: a.Name, Value: a.Value, Origin: o}
	}
	return out
}

func script(c *Command) any {
	if c == nil {
		return nil
	}
	return Value[string]{c.Script(), c.Origin}
}

// unlessDefault shows a value someone decided; a default stays implicit.
func unlessDefault(v Value[string]) any {
	if v.Origin.Kind == Default {
		return nil
	}
	return v
}

// crossSummary says whether a multi-platform build installs natively.
func crossSummary(c *CrossInstall) any {
	if c == nil {
		return nil
	}
	says := "yes, on the build platform for every target platform: "
	if len(c.Env) == 0 {
		says = "no, on each target platform: "
	} else if len(c.Check) > 0 {
		says = "decided at build time: on the build platform for every target platform if "
	}
	return Value[string]{says + c.Why, c.Origin}
}

// fetchSummary is fetch as asked, or what the fetch steps download.
func fetchSummary(d Dependencies) any {
	f := d.Fetch
	if f == nil {
		return d.FetchAsked
	}
	return Value[string]{fmt.Sprintf("%s, in %s of their own, into %s for the installs",
		count(len(f.Packages), "package"), count(len(f.Groups()), "step"), f.Path), f.Origin}
}

func count(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// node is a JSON value with its object's keys in the order written.
type node struct {
	object, array bool
	keys          []string // an object's keys; kids holds their values
	kids          []*node  // an object's values, an array's items
	val           any      // a scalar: string, json.Number, bool or nil
}

// stored is v as JSON has it, keys in order.
func stored(v any) *node {
	dt, err := marshal(v)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(dt))
		dec.UseNumber()
		var n *node
		if n, err = parseNode(dec); err == nil {
			return n
		}
	}
	panic(fmt.Sprintf("plan: %v", err)) // JSON wrote it, JSON reads it
}

func parseNode(dec *json.Decoder) (*node, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n := &node{object: t == json.Delim('{'), array: t == json.Delim('[')}
	if !n.object && !n.array {
		n.val = t
		return n, nil
	}
	for dec.More() {
		if n.object {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, k.(string))
		}
		kid, err := parseNode(dec)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, kid)
	}
	_, err = dec.Token() // the closing bracket
	return n, err
}

func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

func (n *node) hasKeys(keys ...string) bool { return n.object && slices.Equal(n.keys, keys) }

// isVars: a list of Vars, which prints as a mapping of name to value.
func (n *node) isVars() bool {
	seen := map[string]bool{}
	for _, v := range n.kids {
		if !v.hasKeys("name", "value", "origin") {
			return false
		}
		name, ok := v.kids[0].val.(string)
		if !ok || seen[name] {
			return false
		}
		seen[name] = true
	}
	return n.array && len(n.kids) > 0
}

// originText is a stored origin as Origin.String says it.
func originText(n *node) string {
	if n == nil {
		return ""
	}
	var o Origin
	for i, k := range n.keys {
		s, _ := n.kids[i].val.(string)
		num, _ := n.kids[i].val.(json.Number)
		i, _ := num.Int64()
		switch k {
		case "kind":
			o.Kind = Kind(s)
		case "line":
			o.At.Start.Line = int(i)
		case "column":
			o.At.Start.Column = int(i)
		case "preset":
			o.Preset = s
		case "from":
			o.From = s
		}
	}
	return spec.CommentText(o.String())
}

type yamlWriter struct {
	b     bytes.Buffer
	views map[string]view
}

// commentColumn is where origins start, so they read as a column.
const commentColumn = 44

// line writes code and its comment, from commentColumn when code is shorter.
func (w *yamlWriter) line(code, comment string) {
	w.b.WriteString(code)
	if comment != "" {
		w.b.WriteString(strings.Repeat(" ", max(commentColumn-len([]rune(code)), 2)) + "# " + comment)
	}
	w.b.WriteByte('\n')
}

// members writes an object's keys at indent (the first after "- " when
// dash). Plain values take the comment inherited, the object's origin.
func (w *yamlWriter) members(path string, n *node, indent int, dash bool, inherited string) {
	for i, key := range n.keys {
		full := strings.TrimPrefix(path+"."+key, ".")
		kid := n.kids[i]
		if key == "origin" || yamlHidden[full] {
			continue
		}
		if v, ok := w.views[full]; ok {
			if v.v == nil {
				continue
			}
			if v.key != "" {
				key = v.key
			}
			kid = stored(v.v)
		}
		before := w.b.Len()
		w.member(full, key, kid, indent, dash, inherited)
		dash = dash && w.b.Len() == before
	}
}

// member writes key: n, at indent or after "- " when dash.
func (w *yamlWriter) member(path, key string, n *node, indent int, dash bool, inherited string) {
	head := strings.Repeat(" ", indent) + spec.Scalar(key) + ":"
	if dash {
		head = strings.Repeat(" ", indent-2) + "- " + spec.Scalar(key) + ":"
	}
	switch {
	case n.hasKeys("value", "origin"):
		w.value(head, n.kids[0], originText(n.kids[1]), indent+2)
	case !n.object && !n.array:
		w.value(head, n, inherited, indent+2)
	case n.isVars():
		w.line(head, "")
		for _, v := range n.kids {
			name := v.kids[0].val.(string)
			w.value(strings.Repeat(" ", indent+2)+spec.Scalar(name)+":", v.kids[1], originText(v.kids[2]), indent+4)
		}
	default:
		comment := originText(n.get("origin"))
		sub := &yamlWriter{views: w.views}
		if n.array {
			sub.items(path, n, indent+4)
		} else {
			sub.members(path, n, indent+2, false, comment)
		}
		if sub.b.Len() > 0 { // a section with nothing to show is left out
			w.line(head, comment)
			w.b.Write(sub.b.Bytes())
		}
	}
}

// items writes a list, each item's content at indent after "- ".
func (w *yamlWriter) items(path string, n *node, indent int) {
	dash := strings.Repeat(" ", indent-2) + "-"
	for _, item := range n.kids {
		switch {
		case item.hasKeys("value", "origin"):
			w.value(dash, item.kids[0], originText(item.kids[1]), indent)
		case item.object:
			w.members(path, item, indent, true, originText(item.get("origin")))
		case item.array:
			w.line(dash, "")
			w.items(path, item, indent+2)
		default:
			w.value(dash, item, "", indent)
		}
	}
}

// value writes head and a value, a block's lines at indent.
func (w *yamlWriter) value(head string, v *node, comment string, indent int) {
	s, isString := v.val.(string)
	switch {
	case v.array && len(v.kids) == 0:
		w.line(head+" []", comment)
	case v.array:
		w.line(head, comment)
		w.items("", v, indent+2)
	case v.object:
		w.line(head, comment)
		w.members("", v, indent, false, "")
	case isString && literal(s):
		chomp := "|-"
		if strings.HasSuffix(s, "\n") {
			chomp = "|"
		}
		w.line(head+" "+chomp, comment)
		for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
			if l != "" {
				l = strings.Repeat(" ", indent) + l
			}
			w.line(l, "")
		}
	case isString:
		w.line(head+" "+spec.Scalar(s), comment)
	case v.val == nil:
		w.line(head+" null", comment)
	default:
		w.line(fmt.Sprintf("%s %v", head, v.val), comment) // a bool or a number
	}
}

// literal reports whether s reads back the same from a literal block (|):
// more than one line, all printable, the first not indented, no trailing
// spaces, at most one final newline.
func literal(s string) bool {
	body := strings.TrimSuffix(s, "\n")
	if !strings.Contains(body, "\n") || body[0] == '\n' || body[0] == ' ' || strings.HasSuffix(body, "\n") {
		return false
	}
	for _, l := range strings.Split(body, "\n") {
		if strings.TrimRight(l, " ") != l || strings.IndexFunc(l, notPrintable) >= 0 {
			return false
		}
	}
	return true
}

func notPrintable(r rune) bool { return !unicode.IsPrint(r) }
