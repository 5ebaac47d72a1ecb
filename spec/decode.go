package spec

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// decoder turns the YAML AST into Spec values, strictly: unknown keys,
// wrong types and YAML features we don't read are errors with positions.
// Every value it sets carries the Node it was decoded from.
type decoder struct {
	file    string
	limits  Limits
	errs    Errors
	dropped int // errors past limits.Errors
	anchors map[string]ast.Node
	values  int // decoded so far, counting alias expansions
	bytes   int
	spent   bool // the values or bytes budget ran out
}

func (d *decoder) errorf(r Range, format string, args ...any) {
	if len(d.errs) >= d.limits.Errors {
		d.dropped++
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Range: r, Msg: fmt.Sprintf(format, args...)})
}

// utf8BOM is what some Windows editors put at the start of a file; YAML
// allows it and so do we.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeYAML parses data into s. It returns every decoding error it finds
// (up to limits.Errors, then a count of the rest).
func decodeYAML(file string, data []byte, s *Spec, limits Limits) (errs Errors) {
	d := &decoder{file: file, limits: limits, anchors: map[string]ast.Node{}}
	s.File = file
	// The YAML parser is third-party code: a panic in it must still come
	// out as a positioned error, not a crashed frontend.
	defer func() {
		if r := recover(); r != nil {
			errs = Errors{{File: file, Range: lineRange(1, 1),
				Msg: fmt.Sprintf("could not parse the YAML (%v); check the file's syntax", r)}}
		}
	}()
	data = bytes.TrimPrefix(data, utf8BOM)
	// CRLF line ends (git autocrlf on Windows) are line breaks to YAML, but
	// the parser counts each as two lines: read them as LF
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if err := prescan(file, data, limits); err != nil {
		return Errors{err}
	}
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
		d.errorf(lineRange(1, 1), "the Stagefile is empty (start with \"version: 1\" and \"image: <build image>\")")
		return d.errs
	}
	d.value(body, reflect.ValueOf(s).Elem(), "", Range{})
	if d.dropped > 0 {
		d.errs = append(d.errs, &Error{File: file, Range: d.errs[len(d.errs)-1].Range,
			Msg: fmt.Sprintf("and %d more errors (fix the ones above first)", d.dropped)})
	}
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
		return &Error{File: d.file, Range: Range{Start: p, EndLine: p.Line}, Msg: fmt.Sprintf("invalid YAML: %s (%s)", msg, fix), cause: err}
	}
	return &Error{File: d.file, Range: lineRange(1, 1), Msg: fmt.Sprintf("invalid YAML: %v", err), cause: err}
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

// spend charges one value of size bytes against the budget. Aliases can
// repeat a value many times; the budget makes that cost bounded.
func (d *decoder) spend(r Range, size int) bool {
	if d.spent {
		return false
	}
	d.values++
	d.bytes += size
	if d.values > d.limits.Values || d.bytes > d.limits.Bytes {
		d.spent = true
		d.errorf(r, "the Stagefile expands to more than %d values or %d bytes of text (aliases repeat what they point at; write the values out)", d.limits.Values, d.limits.Bytes)
		return false
	}
	return true
}

var (
	stringType = reflect.TypeOf(String{})
	intType    = reflect.TypeOf(Int{})
	boolType   = reflect.TypeOf(Bool{})
	mapType    = reflect.TypeOf(Map{})
	cacheType  = reflect.TypeOf(Cache{})
	checkType  = reflect.TypeOf(Check{})
	argsType   = reflect.TypeOf(List[Arg]{})
)

// value decodes n into v (a positioned type), recording where it was
// written. key is the range of its mapping key, if any.
func (d *decoder) value(n ast.Node, v reflect.Value, path string, key Range) {
	raw := n
	n = d.resolve(n)
	r := rangeOf(raw)
	if !d.spend(r, 0) {
		return
	}
	if p, ok := v.Addr().Interface().(positioned); ok {
		*p.node() = Node{At: r, Key: key}
	}
	if _, ok := n.(*ast.NullNode); ok {
		return // an empty value leaves the field at its default
	}
	if a, ok := n.(*ast.AliasNode); ok {
		name := a.Value.GetToken().Value
		d.errorf(r, "unknown alias %q (define the anchor &%s before using it)", name, name)
		return
	}
	switch t := v.Type(); {
	case t == stringType:
		if s, ok := d.scalar(n, path); ok && d.spend(r, len(s)) {
			v.FieldByName("Value").SetString(s)
		}
	case t == intType:
		d.integer(n, v, path, r)
	case t == boolType:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.errorf(r, "%s must be true or false, not %s", describe(path), kindOf(n))
			return
		}
		v.FieldByName("Value").SetBool(b.Value)
	case t == mapType:
		d.dict(n, v, path)
	case t == cacheType && isText(n):
		// a cache may be written as just its path
		d.value(n, v.FieldByName("Path"), join(path, "path"), Range{})
	case t == checkType && isBool(n):
		// release.check may be written as just true or false
		d.value(n, v.FieldByName("Enabled"), join(path, "enabled"), Range{})
	case t == argsType:
		d.args(n, v.Addr().Interface().(*List[Arg]), path)
	case isList(v):
		d.list(n, v, path)
	case t.Kind() == reflect.Struct:
		d.object(n, v, path)
	default:
		panic(fmt.Sprintf("spec: no decoder for %s", t)) // a programming error in the types, caught by tests
	}
}

func isList(v reflect.Value) bool {
	_, ok := v.Interface().(interface{ isList() })
	return ok
}

func isBool(n ast.Node) bool {
	_, ok := n.(*ast.BoolNode)
	return ok
}

func isText(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return true
	}
	return false
}

func (d *decoder) integer(n ast.Node, v reflect.Value, path string, r Range) {
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
		if iv > math.MaxInt64 {
			d.errorf(r, "%s is too large: %s", describe(path), i.GetToken().Value)
			return
		}
		x = int64(iv)
	default:
		d.errorf(r, "%s must be a whole number, not %s", describe(path), i.GetToken().Value)
		return
	}
	v.FieldByName("Value").SetInt(x)
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

// key reads a mapping key; keys are plain scalars.
func (d *decoder) key(e *ast.MappingValueNode) (string, Range, bool) {
	kr := rangeOf(e.Key)
	if _, ok := e.Key.(*ast.MergeKeyNode); ok {
		d.errorf(kr, "merge keys (<<) are not supported (write the keys out)")
		return "", kr, false
	}
	k := d.resolve(e.Key)
	switch k.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode:
		return k.GetToken().Value, kr, true
	}
	d.errorf(kr, "a key must be a plain name, not %s", kindOf(k))
	return "", kr, false
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
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		key, kr, ok := d.key(e)
		if !ok {
			continue
		}
		i, ok := fields[key]
		if !ok {
			d.errorf(kr, "unknown key %q in %s (%s)", printable(key), describeParent(path), suggest(key, names))
			continue
		}
		if seen[key] {
			d.errorf(kr, "duplicate key %q (remove one of them)", key)
			continue
		}
		seen[key] = true
		d.value(e.Value, v.Field(i), join(path, key), kr)
	}
}

func (d *decoder) list(n ast.Node, v reflect.Value, path string) {
	seq, ok := n.(*ast.SequenceNode)
	items := v.FieldByName("Items")
	if !ok {
		hint := ""
		if items.Type().Elem() == stringType {
			hint = " (write it as a list, e.g. " + listOf(path, n.GetToken().Value) + ")"
		}
		d.errorf(rangeOf(n), "%s must be a list, not %s%s", describe(path), kindOf(n), hint)
		return
	}
	out := reflect.MakeSlice(items.Type(), len(seq.Values), len(seq.Values))
	for i, e := range seq.Values {
		d.value(e, out.Index(i), fmt.Sprintf("%s[%d]", path, i), Range{})
	}
	items.Set(out)
}

// listOf writes a string as the YAML list it most likely meant: a command
// word by word, as exec form runs it, or through sh -c when it needs a
// shell; anything else item by item.
func listOf(path, s string) string {
	words := strings.Fields(s)
	command := path == "release.entrypoint" || path == "release.cmd"
	if command && strings.ContainsAny(s, "|&;<>()$`\\\"'*?~") {
		words = []string{"sh", "-c", s}
	}
	return FlowList(words)
}

// FlowList writes words as a YAML flow sequence, quoting the items that
// need it.
func FlowList(words []string) string {
	items := make([]string, len(words))
	for i, w := range words {
		items[i] = w
		if !plainWord(w) {
			items[i] = strconv.Quote(w)
		}
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// plainWord reports whether w needs no quotes as an item of a YAML flow
// sequence.
func plainWord(w string) bool {
	for i, r := range w {
		// '@' and '%' may not start a plain scalar, '-' would read as a flag
		// to the eye and a sequence entry to some parsers
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/=+", r) || i > 0 && strings.ContainsRune("-@%", r)
		if !ok {
			return false
		}
	}
	// null would read back as no value at all
	return w != "" && !strings.EqualFold(w, "null")
}

func (d *decoder) dict(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	m := v.Addr().Interface().(*Map)
	seen := map[string]bool{}
	for _, e := range entries {
		key, kr, ok := d.key(e)
		if !ok {
			continue
		}
		if seen[key] {
			d.errorf(kr, "duplicate key %q (remove one of them)", key)
			continue
		}
		seen[key] = true
		entry := Entry{Key: String{Node: Node{At: kr}, Value: key}}
		d.value(e.Value, reflect.ValueOf(&entry.Value).Elem(), join(path, key), kr)
		m.Entries = append(m.Entries, entry)
	}
}

// args reads "args:", a mapping of names to defaults or to mappings
// (description, default), in file order.
func (d *decoder) args(n ast.Node, l *List[Arg], path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	seen := map[string]bool{}
	for _, e := range entries {
		key, kr, ok := d.key(e)
		if !ok {
			continue
		}
		if seen[key] {
			d.errorf(kr, "duplicate key %q (remove one of them)", key)
			continue
		}
		seen[key] = true
		a := Arg{Node: Node{At: rangeOf(e.Value), Key: kr}, Name: String{Node: Node{At: kr}, Value: key}}
		sub := join(path, key)
		switch v := d.resolve(e.Value).(type) {
		case *ast.MappingNode, *ast.MappingValueNode:
			d.object(v, reflect.ValueOf(&a).Elem(), sub)
			if a.Name.Value != key {
				d.errorf(a.Name.At, "the arg is declared as %q; \"name\" may not rename it (remove \"name\")", key)
			}
			a.Name = String{Node: Node{At: kr}, Value: key}
		case *ast.NullNode:
			// declared without a default: empty unless given
		default:
			d.value(e.Value, reflect.ValueOf(&a.Default).Elem(), sub, kr)
		}
		l.Items = append(l.Items, a)
	}
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
	if t == nil || t.Position == nil {
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
	if t := n.GetToken(); t != nil && t.Position != nil {
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
		return fmt.Sprintf("the string %q", truncate(n.GetToken().Value, 40))
	case *ast.IntegerNode, *ast.FloatNode:
		return "the number " + truncate(n.GetToken().Value, 40)
	case *ast.BoolNode:
		return "the boolean " + n.GetToken().Value
	}
	return "a " + strings.ToLower(n.Type().String())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// printable shows a key in a message without letting control
// characters or its length through.
func printable(s string) string { return Printable(s, 60) }

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

// Closest is the name of valid nearest to s (case aside, at most two
// edits away), or "".
func Closest(s string, valid []string) string {
	if len(s) > 64 {
		return ""
	}
	sorted := append([]string(nil), valid...)
	sort.Strings(sorted)
	best, bestD := "", 3
	for _, v := range sorted {
		if dd := distance(strings.ToLower(s), strings.ToLower(v)); dd < bestD {
			best, bestD = v, dd
		}
	}
	return best
}

// suggest names the closest valid key, and lists them all.
func suggest(key string, valid []string) string {
	sorted := append([]string(nil), valid...)
	sort.Strings(sorted)
	list := "valid keys: " + strings.Join(sorted, ", ")
	if best := Closest(key, valid); best != "" {
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
