package spec

// Node is where a value was written: the value itself and, for a value
// under a mapping key, the key. The zero Node is a value nobody wrote.
// Every decoded value carries its own Node, so an error about it never
// has to look its place up by a path.
type Node struct {
	At  Range
	Key Range
}

// Written reports whether the value was in the Stagefile.
func (n Node) Written() bool { return n.At.Start.Line > 0 }

// Span covers the key and its value (the whole "test:" block), for source
// maps that point at a step.
func (n Node) Span() Range {
	r := n.At
	if n.Key.Start.Line > 0 {
		r.Start = n.Key.Start
	}
	return r
}

func (n *Node) node() *Node { return n }

// positioned is implemented by every decoded value (through Node).
type positioned interface{ node() *Node }

// String is a scalar as written. Numbers and booleans are kept as their
// text ("80", "true"), as environment values and ports commonly are.
type String struct {
	Node
	Value string
}

// Int is a whole number.
type Int struct {
	Node
	Value int64
}

// Bool is true or false.
type Bool struct {
	Node
	Value bool
}

// List is a sequence. A written empty list ([]) is Written with no Items,
// which some fields (release.entrypoint) tell apart from a missing one.
type List[T any] struct {
	Node
	Items []T
}

func (List[T]) isList() {}

// Strings returns the items' values.
func Strings(l List[String]) []string {
	if l.Items == nil {
		return nil
	}
	out := make([]string, len(l.Items))
	for i, s := range l.Items {
		out[i] = s.Value
	}
	return out
}

// Map is a mapping of names to strings, in file order (env, labels).
type Map struct {
	Node
	Entries []Entry
}

// Entry is one key and its value.
type Entry struct {
	Key   String
	Value String
}
