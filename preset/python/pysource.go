package python

import (
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Python source, read at the level of regular expressions: the preset
// never runs the app's code. Settings files are assignments at the top
// level, which is all it reads of them.

// maxSource bounds the part of a module the preset reads: settings
// modules are a few kilobytes.
const maxSource = 1 << 20

// statements are src's top-level statements, in order: each starts at
// column 0 and goes on while brackets are open, a string spans lines or a
// line ends in "\"; comments are left out, strings kept as written.
// Indented lines (blocks of if, def, class, try) are not top-level and
// are left out with their statements.
func statements(src string) []string {
	if len(src) > maxSource {
		src = src[:maxSource]
	}
	var out []string
	var cur strings.Builder
	depth := 0
	top := true // the statement started at column 0
	start := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		if start {
			start = false
			if depth == 0 {
				top = c != ' ' && c != '\t' && c != '\f'
			}
		}
		switch c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
			continue
		case '"', '\'':
			j := skipString(src, i)
			if top {
				cur.WriteString(src[i:j])
			}
			i = j - 1
			continue
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		case '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
				continue
			}
		case '\n':
			if depth == 0 {
				if s := strings.TrimSpace(cur.String()); s != "" && top {
					out = append(out, s)
				}
				cur.Reset()
				start = true
				continue
			}
		}
		if top {
			cur.WriteByte(c)
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" && top {
		out = append(out, s)
	}
	return out
}

// skipString is the offset after the string literal at src[i] (a quote),
// triple-quoted or not; an unterminated one ends the source (or, for a
// one-line string, its line).
func skipString(src string, i int) int {
	q := src[i : i+1]
	if strings.HasPrefix(src[i:], strings.Repeat(q, 3)) {
		q = strings.Repeat(q, 3)
	}
	for j := i + len(q); j < len(src); j++ {
		switch {
		case src[j] == '\\':
			j++
		case len(q) == 1 && src[j] == '\n':
			return j
		case strings.HasPrefix(src[j:], q):
			return j + len(q)
		}
	}
	return len(src)
}

// split cuts s at each top-level occurrence of sep (outside strings and
// brackets).
func split(s string, sep byte) []string {
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'':
			i = skipString(s, i) - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}

var strLiteral = regexp.MustCompile(`^[rRuU]?("[^"\\\n]*"|'[^'\\\n]*')$`)

// stringValue is a plain string literal's value.
func stringValue(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strLiteral.MatchString(s) {
		return "", false
	}
	s = strings.TrimLeft(s, "rRuU")
	return s[1 : len(s)-1], true
}

// stringsIn are the string literals of a list, tuple or set expression.
func stringsIn(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\'' {
			j := skipString(s, i)
			if v, ok := stringValue(s[i:j]); ok {
				out = append(out, v)
			}
			i = j - 1
		}
	}
	return out
}

// inside is the text between s's outer brackets ([...], (...)), if it
// is one bracketed expression.
func inside(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return "", false
	}
	open, closer := s[0], s[len(s)-1]
	if !(open == '[' && closer == ']' || open == '(' && closer == ')') {
		return "", false
	}
	// the first bracket closes at the end
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			i = skipString(s, i) - 1
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth--; depth == 0 && i != len(s)-1 {
				return "", false
			}
		}
	}
	return s[1 : len(s)-1], true
}

// maxPathExpr bounds a path expression the preset evaluates (and so how
// deeply it recurses): settings write a line.
const maxPathExpr = 512

var (
	callRe      = regexp.MustCompile(`^([A-Za-z_][\w.]*)\((.*)\)$`)
	dirname     = regexp.MustCompile(`\bdirname\(`)
	parentRe    = regexp.MustCompile(`\.parent\b`)
	parentsRe   = regexp.MustCompile(`\.parents\[(\d)\]`)
	joinpathRe  = regexp.MustCompile(`^(.*)\.joinpath\((.*)\)$`)
	identifier  = regexp.MustCompile(`^[A-Za-z_]\w*$`)
	fileAnchors = regexp.MustCompile(`^(?:(?:pathlib\.)?Path\(__file__\)(?:\.(?:resolve|absolute)\([^()]*\))*(?:\.parent\b|\.parents\[\d\])*|(?:os\.path\.dirname\()*(?:os\.path\.(?:abspath|realpath)\()?__file__\)*)$`)
)

// pathValue evaluates a path expression of a settings module in file:
// the forms settings files use for BASE_DIR and what hangs off it
// (Path(__file__).resolve().parent.parent, os.path.dirname(...),
// BASE_DIR / "static", os.path.join(BASE_DIR, "static"), str(...), a
// relative string, which the app reads from workdir). It is the folder
// relative to the context, and false when it cannot tell or the folder
// is outside the context. vars are the path variables set before.
func pathValue(expr, file string, vars map[string]string) (string, bool) {
	expr = strings.TrimSpace(expr)
	if len(expr) > maxPathExpr {
		return "", false
	}
	if inner, ok := inside(expr); ok && expr[0] == '(' {
		return pathValue(inner, file, vars)
	}
	if parts := split(expr, '/'); len(parts) > 1 {
		dir, ok := pathValue(parts[0], file, vars)
		if !ok {
			return "", false
		}
		for _, p := range parts[1:] {
			v, ok := stringValue(p)
			if !ok {
				return "", false
			}
			if dir, ok = joinRel(dir, v); !ok {
				return "", false
			}
		}
		return dir, true
	}
	if m := joinpathRe.FindStringSubmatch(expr); m != nil {
		return pathValue(m[1]+" / "+strings.Join(split(m[2], ','), " / "), file, vars)
	}
	if strings.Contains(expr, "__file__") {
		if !fileAnchors.MatchString(expr) {
			return "", false
		}
		up := len(dirname.FindAllString(expr, -1)) + len(parentRe.FindAllString(expr, -1))
		for _, m := range parentsRe.FindAllStringSubmatch(expr, -1) {
			n, _ := strconv.Atoi(m[1])
			up += n + 1
		}
		// the first step up is the module's own folder
		dir := path.Dir(file)
		for range max(up-1, 0) {
			if dir == "." {
				return "", false // above the context
			}
			dir = path.Dir(dir)
		}
		if up == 0 {
			return "", false // the file itself
		}
		return dir, true
	}
	if m := callRe.FindStringSubmatch(expr); m != nil {
		args := split(m[2], ',')
		switch m[1] {
		case "str", "Path", "pathlib.Path", "os.path.abspath", "os.path.realpath", "os.path.normpath":
			if len(args) == 1 {
				return pathValue(args[0], file, vars)
			}
			if m[1] == "Path" || m[1] == "pathlib.Path" {
				return pathValue(strings.Join(args, " / "), file, vars)
			}
		case "os.path.join":
			return pathValue(strings.Join(args, " / "), file, vars)
		}
		return "", false
	}
	if identifier.MatchString(expr) {
		dir, ok := vars[expr]
		return dir, ok
	}
	if v, ok := stringValue(expr); ok {
		return joinRel(".", v)
	}
	return "", false
}

// joinRel joins a relative path to a folder of the context; false when
// it is absolute or leaves the context.
func joinRel(dir, rel string) (string, bool) {
	if rel == "" {
		return dir, true
	}
	if path.IsAbs(rel) {
		return "", false
	}
	j := path.Join(dir, rel)
	if j == ".." || strings.HasPrefix(j, "../") {
		return "", false
	}
	return j, true
}

// moduleFiles are the files a dotted module name may be.
func moduleFiles(module string) []string {
	p := strings.ReplaceAll(module, ".", "/")
	return []string{p + ".py", p + "/__init__.py"}
}

// dotted is a dotted module name (pkg.module), which the preset may pass
// to a command.
var dotted = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$`)

// moduleFile is the file of module in files, "" when it has none.
func moduleFile(files map[string][]byte, module string) string {
	if !dotted.MatchString(module) {
		return ""
	}
	for _, f := range moduleFiles(module) {
		if _, ok := files[f]; ok {
			return f
		}
	}
	return ""
}
