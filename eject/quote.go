package eject

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stagefile/stagefile/spec"
)

// Every string of the plan reaches the Dockerfile through one of these,
// each written for the rules of the place it goes (BuildKit v0.34's
// frontend/dockerfile parser, instructions and shell packages):
//
//   - JSON arrays (RUN, ENTRYPOINT, CMD, HEALTHCHECK CMD): decoded, never
//     expanded: any string, newlines included.
//   - the shell lexer (ENV, LABEL, ARG, USER, WORKDIR, STOPSIGNAL, COPY
//     paths even in JSON form, --mount values): it expands $NAME, strips
//     quotes and backslashes. Written as a double-quoted word with \, "
//     and $ escaped, or as a bare word with every special character
//     escaped. A line break cannot be written: ENV, LABEL and ARG values
//     holding one are refused.
//   - flags (--exclude, --mount): the flag splitter reads bytes, not
//     runes, and turns each byte over 0x7f into a character of its own
//     (é becomes Ã©, and \xa0 splits the word): only ASCII survives.
//   - comments: one line each, control characters and line separators
//     escaped, so no comment can end early and no text can look like an
//     instruction.

// check collects what the Dockerfile cannot carry, each at the place the
// value came from.
type check struct {
	file string
	errs spec.Errors
}

func (c *check) fail(at spec.Range, format string, args ...any) {
	c.errs = append(c.errs, spec.Errorf(c.file, at, format, args...))
}

// value refuses what no place of the Dockerfile can carry: NUL and
// invalid UTF-8 (JSON would replace it, the lexer drop it).
func (c *check) value(at spec.Range, what, s string) bool {
	switch {
	case strings.ContainsRune(s, 0):
		c.fail(at, "%s holds a NUL character, which a Dockerfile cannot carry (eject cannot write it)", what)
	case !utf8.ValidString(s):
		c.fail(at, "%s is not valid UTF-8, which a Dockerfile cannot carry (eject cannot write it)", what)
	default:
		return true
	}
	return false
}

// line refuses a value for a place that is one line: the lexer's words.
func (c *check) line(at spec.Range, what, s string) bool {
	if !c.value(at, what, s) {
		return false
	}
	if strings.ContainsAny(s, "\n") {
		c.fail(at, "%s holds a line break, which a Dockerfile's %s cannot carry (eject cannot write it; remove the line break)", what, instructionOf(what))
		return false
	}
	return true
}

// flag refuses a value for a flag: ASCII only, no control characters.
func (c *check) flag(at spec.Range, what, s string) bool {
	if !c.line(at, what, s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			c.fail(at, "%s holds %q, and BuildKit's Dockerfile parser reads a flag's bytes one by one, mangling any character that is not ASCII (eject cannot write it in --exclude or --mount; rename it)", what, spec.Printable(s, spec.ValueLimit))
			return false
		}
		if s[i] < 0x20 || s[i] == 0x7f {
			c.fail(at, "%s holds control characters, which a flag cannot carry (eject cannot write it)", what)
			return false
		}
	}
	return true
}

// path refuses a context or workdir path a COPY cannot name as written: a
// backslash escapes in its patterns.
func (c *check) path(at spec.Range, what, s string) bool {
	if !c.line(at, what, s) {
		return false
	}
	if strings.Contains(s, `\`) {
		c.fail(at, "%s holds a backslash, which COPY reads as an escape in a path pattern (eject cannot write it; rename the file)", what)
		return false
	}
	return true
}

func instructionOf(what string) string {
	switch {
	case strings.HasPrefix(what, "release.labels"):
		return "LABEL"
	case strings.HasPrefix(what, "args"):
		return "ARG"
	case strings.HasPrefix(what, "env"), strings.HasPrefix(what, "release.env"):
		return "ENV"
	}
	return "instruction"
}

// jsonArray is an exec-form array: decoded by the parser, never expanded.
func jsonArray(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(jsonString(s))
	}
	b.WriteByte(']')
	return b.String()
}

// jsonString is s as JSON, "&&" and "<" as written (json.Marshal's HTML
// escaping is for web pages).
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// plainWord: s is characters a lexer word or a flag may hold unquoted,
// each meaning itself.
func plainWord(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !plainRune(r) }) < 0
}

func plainRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./@:+=,%-", r)
}

// quoted is s as a word of the shell lexer, in double quotes: \, " and $
// escaped, everything else literal. Unquoted when nothing in it needs
// quoting. s has no line break (check.line).
func quoted(s string) string {
	if plainWord(s) {
		return s
	}
	return `"` + escapeQuoted(s) + `"`
}

// escapeQuoted escapes what double quotes leave special to the lexer.
func escapeQuoted(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(s)
}

// bare is s as an unquoted word of the shell lexer, for a COPY path in a
// JSON array: every character the lexer or the instruction parser reads
// (\ $ ' " and <, which starts an inline file in COPY) escaped with \. A
// leading byte-order mark, which the lexer's scanner drops, is escaped
// too.
func bare(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '$', '\'', '"', '<', '\uFEFF':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// flagWord is a flag's value as the flag splitter reads it: as is when
// plain (pattern characters mean nothing to the splitter), else in double
// quotes with \ and " escaped. s is ASCII (check.flag).
func flagWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !plainRune(r) && !strings.ContainsRune("*?[]!{}^~", r) }) < 0 {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// mountFlag is a --mount flag of key=value fields: each value a bare
// lexer word (mount values are expanded), each field quoted for the CSV
// reader when it holds a comma or a quote, the whole a flag word.
func mountFlag(fields ...[2]string) string {
	var parts []string
	for _, f := range fields {
		field := f[0] + "=" + bare(f[1])
		if strings.ContainsAny(field, `,"`) || strings.TrimLeftFunc(field, unicode.IsSpace) != field {
			field = `"` + strings.ReplaceAll(field, `"`, `""`) + `"`
		}
		parts = append(parts, field)
	}
	return "--mount=" + flagWord(strings.Join(parts, ","))
}

// commentText is s for a comment: one line, control characters, line and
// paragraph separators and bidirectional overrides escaped, at most limit
// bytes (any length when limit < 0).
func commentText(s string, limit int) string {
	s = spec.Printable(s, limit)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\uFEFF',
			r >= '\u200e' && r <= '\u200f', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
