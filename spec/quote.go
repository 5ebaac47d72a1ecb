package spec

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// yaml11 are plain scalars a YAML 1.1 reader takes for numbers or dates.
var yaml11 = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$|^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`)

func notPrintable(r rune) bool { return !unicode.IsPrint(r) }

// Scalar writes s plainly when YAML reads it back as the same string,
// else double-quoted with Go's escapes, which YAML's include: no control
// character reaches a terminal or a file raw. Whatever a value from the
// build context holds, a document that writes it with Scalar reads back
// the same string.
func Scalar(s string) string {
	plain := s != "" && s == strings.TrimSpace(s) && !strings.ContainsAny(s[:1], "!&*-?[]{},|>@`\"'%#:<=") &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !strings.HasSuffix(s, ":") &&
		strings.IndexFunc(s, notPrintable) < 0 && !yaml11.MatchString(s)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", ".inf", ".nan":
		plain = false
	}
	if _, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil {
		plain = false // would read back as a number
	}
	for _, prefix := range []string{"0x", "0o", "0b"} {
		plain = plain && !strings.HasPrefix(s, prefix)
	}
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// CommentText is s with what is not printable escaped (\n, \x1b,
// \u2028), for a YAML comment: it stays on its one line.
func CommentText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if notPrintable(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
