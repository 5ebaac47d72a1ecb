package spec

import (
	"fmt"
	"strings"
)

// Printable is s as a message, a terminal, a vertex name or a document
// may show it: control characters (C0, DEL and C1, which drive terminals)
// escaped as \xNN or \u00NN, and at most limit bytes (any length when
// limit < 0), cut with "…". Every string from the build context goes
// through it before it reaches a person; it is the only sanitiser.
func Printable(s string, limit int) string {
	var b strings.Builder
	for _, r := range s {
		if limit >= 0 && b.Len() >= limit {
			b.WriteString("…")
			break
		}
		switch {
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValueLimit is how much of a value a message shows.
const ValueLimit = 80

// HasControl reports whether s holds a C0 control character other than
// tab, or DEL: what no setting may hold.
func HasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}
