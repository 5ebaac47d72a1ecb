package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// positions maps a value's path ("test.run", "release.expose[0]") to where
// it was written. A mapping key's path also points at the key itself via
// the "key:" prefix, so errors about a key and about its value can differ.
type positions map[string]Range

// decoder turns the YAML AST into Spec values, strictly: unknown keys,
// wrong types and YAML features we don't read are errors with positions.
type decoder struct {
	file    string
	pos     positions
	errs    Errors
	anchors map[string]ast.Node
}

func (d *decoder) errorf(r Range, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Range: r, Msg: fmt.Sprintf(format, args...)})
}

// decodeYAML parses data into s. It returns every decoding error it finds.
func decodeYAML(file string, data []byte, s *Spec) (errs Errors) {
	d := &decoder{file: file, pos: positions{}, anchors: map[string]ast.Node{}}
	s.pos = d.pos
	s.file = file
	// The YAML parser is third-party code: a panic in it must still come
	// out as a positioned error, not a crashed frontend.
	defer func() {
		if r := recover(); r != nil {
			errs = Errors{{File: file, Range: Range{Start: Pos{1, 1}, EndLine: 1},
				Msg: fmt.Sprintf("could not parse the YAML (%v); check the file's syntax", r)}}
		}
	}()

	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return Errors{d.syntaxError(err)}
	}
	var body ast.Node
	for i, doc := range f.Docs {
		if i == 0 {
			body = doc.Body
			continue
		}
		if doc.Body != nil {
			d.errorf(rangeOf(doc.Body), "only one YAML document is allowed (remove the \"---\" separator and what follows it)")
			return d.errs
		}
	}
	if body == nil {
		d.errorf(Range{Start: Pos{1, 1}, EndLine: 1}, "the Stagefile is empty (start with \"version: 1\" and \"image: <build image>\")")
		return d.errs
	}
	d.value(body, reflect.ValueOf(s).Elem(), "")
	return d.errs
}

// syntaxError turns a YAML parse error into a positioned Error.
func (d *decoder) syntaxError(err error) *Error {
	var se *yaml.SyntaxError
	if ok := asSyntaxError(err, &se); ok && se.Token != nil {
		p := Pos{se.Token.Position.Line, max(se.Token.Position.Column, 1)}
		msg := se.Message
		fix := "check the indentation and quoting around this place"
		if strings.Contains(msg, "already defined") {
			fix = "remove one of the two"
			msg = "duplicate key: " + msg
		} else if strings.Contains(msg, "tab character") || strings.Contains(msg, "'\t'") {
			fix = "indent with spaces, not tabs"
		}
		return &Error{File: d.file, Range: Range{Start: p, EndLine: p.Line}, Msg: fmt.Sprintf("invalid YAML: %s (%s)", msg, fix)}
	}
	return &Error{File: d.file, Range: Range{Start: Pos{1, 1}, EndLine: 1}, Msg: fmt.Sprintf("invalid YAML: %v", err)}
}

func asSyntaxError(err error, target **yaml.SyntaxError) bool {
	for err != nil {
		if se, ok := err.(*yaml.SyntaxError); ok {
			*target = se
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// resolve strips anchors and tags and follows aliases, so the rest of the
// decoder sees plain values.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range 32 { // bounded: an alias cannot refer to itself before it is defined
		switch v := n.(type) {
		case *ast.AnchorNode:
			if name, ok := v.Name.(*ast.StringNode); ok {
				d.anchors[name.Value] = v.Value
			}
			n = v.Value
		case *ast.AliasNode:
			name := v.Value.GetToken().Value
			target, ok := d.anchors[name]
			if !ok {
				return v
			}
			n = target
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

// value decodes n into v, recording its position under path.
func (d *decoder) value(n ast.Node, v reflect.Value, path string) {
	raw := n
	n = d.resolve(n)
	r := rangeOf(raw)
	if path != "" {
		d.pos[path] = r
	}
	if _, ok := n.(*ast.NullNode); ok {
		return // an empty value leaves the field at its default
	}
	if a, ok := n.(*ast.AliasNode); ok {
		d.errorf(r, "unknown alias %q (define the anchor &%s before using it)", a.Value.GetToken().Value, a.Value.GetToken().Value)
		return
	}
	if u, ok := v.Addr().Interface().(interface {
		decodeShorthand(d *decoder, n ast.Node, path string) bool
	}); ok && u.decodeShorthand(d, n, path) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.object(n, v, path)
	case reflect.Slice:
		d.list(n, v, path)
	case reflect.Map:
		d.dict(n, v, path)
	case reflect.String:
		if s, ok := d.scalar(n, path); ok {
			v.SetString(s)
		}
	case reflect.Int:
		i, ok := n.(*ast.IntegerNode)
		if !ok {
			d.errorf(r, "%s must be a whole number, not %s", describe(path), kindOf(n))
			return
		}
		var x int64
		switch iv := i.Value.(type) {
		case int64:
			x = iv
		case uint64:
			x = int64(iv)
		}
		v.SetInt(x)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.errorf(r, "%s must be true or false, not %s", describe(path), kindOf(n))
			return
		}
		v.SetBool(b.Value)
	default:
		panic(fmt.Sprintf("spec: no decoder for %s", v.Type())) // a programming error in the types, caught by tests
	}
}

// scalar reads a string. Numbers and booleans are taken as written ("80",
// "true"), as environment values and ports commonly are.
func (d *decoder) scalar(n ast.Node, path string) (string, bool) {
	switch s := n.(type) {
	case *ast.StringNode:
		return s.Value, true
	case *ast.LiteralNode:
		return s.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	d.errorf(rangeOf(n), "%s must be a string, not %s", describe(path), kindOf(n))
	return "", false
}

func (d *decoder) entries(n ast.Node, path string) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	what := describe(path)
	if path == "" {
		what = "the Stagefile"
	}
	d.errorf(rangeOf(n), "%s must be a mapping of keys to values, not %s", what, kindOf(n))
	return nil, false
}

// object decodes a mapping into a struct, by yaml tags.
func (d *decoder) object(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	fields := map[string]int{}
	var names []string
	t := v.Type()
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if _, ok := e.Key.(*ast.MergeKeyNode); ok {
			d.errorf(rangeOf(e.Key), "merge keys (<<) are not supported (write the keys out)")
			continue
		}
		key := e.Key.GetToken().Value
		kr := rangeOf(e.Key)
		sub := join(path, key)
		i, ok := fields[key]
		if !ok {
			d.errorf(kr, "unknown key %q in %s (%s)", key, describeParent(path), suggest(key, names))
			continue
		}
		if seen[key] {
			d.errorf(kr, "duplicate key %q (remove one of them)", key)
			continue
		}
		seen[key] = true
		d.pos["key:"+sub] = kr
		d.value(e.Value, v.Field(i), sub)
	}
}

func (d *decoder) list(n ast.Node, v reflect.Value, path string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		hint := ""
		if v.Type().Elem().Kind() == reflect.String {
			hint = fmt.Sprintf(" (write it as a list, e.g. [%s])", n.GetToken().Value)
		}
		d.errorf(rangeOf(n), "%s must be a list, not %s%s", describe(path), kindOf(n), hint)
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, e := range seq.Values {
		d.value(e, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(out)
}

func (d *decoder) dict(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(entries))
	for _, e := range entries {
		key := e.Key.GetToken().Value
		sub := join(path, key)
		if out.MapIndex(reflect.ValueOf(key)).IsValid() {
			d.errorf(rangeOf(e.Key), "duplicate key %q (remove one of them)", key)
			continue
		}
		d.pos["key:"+sub] = rangeOf(e.Key)
		ev := reflect.New(v.Type().Elem()).Elem()
		d.value(e.Value, ev, sub)
		out.SetMapIndex(reflect.ValueOf(key), ev)
	}
	v.Set(out)
}

// decodeShorthand lets a cache be written as just its path.
func (c *Cache) decodeShorthand(d *decoder, n ast.Node, path string) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		c.Path, _ = d.scalar(n, path)
		return true
	}
	return false
}

// rangeOf is where a node starts and the last line it covers.
func rangeOf(n ast.Node) Range {
	start := startOf(n)
	return Range{Start: start, EndLine: max(endLine(n), start.Line)}
}

func startOf(n ast.Node) Pos {
	switch v := n.(type) {
	case *ast.MappingNode:
		if len(v.Values) > 0 && !v.IsFlowStyle {
			return startOf(v.Values[0])
		}
	case *ast.MappingValueNode:
		return startOf(v.Key)
	case *ast.SequenceNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			// the token is the first "-"
			return tokenPos(v.GetToken())
		}
	}
	return tokenPos(n.GetToken())
}

func tokenPos(t *token.Token) Pos {
	if t == nil {
		return Pos{1, 1}
	}
	return Pos{t.Position.Line, max(t.Position.Column, 1)}
}

func endLine(n ast.Node) int {
	switch v := n.(type) {
	case *ast.MappingNode:
		if len(v.Values) > 0 {
			return endLine(v.Values[len(v.Values)-1])
		}
	case *ast.MappingValueNode:
		return endLine(v.Value)
	case *ast.SequenceNode:
		if len(v.Values) > 0 {
			return endLine(v.Values[len(v.Values)-1])
		}
	case *ast.AnchorNode:
		return endLine(v.Value)
	case *ast.TagNode:
		return endLine(v.Value)
	case *ast.LiteralNode:
		return v.GetToken().Position.Line + strings.Count(strings.TrimRight(v.Value.Value, "\n"), "\n") + 1
	}
	if t := n.GetToken(); t != nil {
		return t.Position.Line
	}
	return 1
}

func kindOf(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return fmt.Sprintf("the string %q", n.GetToken().Value)
	case *ast.IntegerNode, *ast.FloatNode:
		return "the number " + n.GetToken().Value
	case *ast.BoolNode:
		return "the boolean " + n.GetToken().Value
	}
	return "a " + strings.ToLower(n.Type().String())
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(path string) string {
	return fmt.Sprintf("%q", path)
}

func describeParent(path string) string {
	if path == "" {
		return "the Stagefile"
	}
	return describe(path)
}

// suggest names the closest valid key, and lists them all.
func suggest(key string, valid []string) string {
	sorted := append([]string(nil), valid...)
	sort.Strings(sorted)
	best, bestD := "", 3
	for _, v := range sorted {
		if dd := distance(strings.ToLower(key), v); dd < bestD {
			best, bestD = v, dd
		}
	}
	list := "valid keys: " + strings.Join(sorted, ", ")
	if best != "" {
		return fmt.Sprintf("did you mean %q? %s", best, list)
	}
	return list
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
