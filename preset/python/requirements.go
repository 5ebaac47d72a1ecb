package python

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// pip's requirements files, and the files they read with -r (more
// requirements) and -c (constraints): pip follows them relative to the
// file that names them, so the preset does too, each file read through
// pip's decoding, each one a manifest the installs need.

// maxIncludeDepth is how deep the preset follows -r and -c: Files is asked
// at most plan.FileRounds times, and the first round reads the
// requirements files themselves.
const maxIncludeDepth = plan.FileRounds - 1

// maxIncludes bounds the files the includes name, all together.
const maxIncludes = 32

// requirementsFile is what the preset reads from a requirements file.
type requirementsFile struct {
	reqs   []requirement // what it installs, names normalized
	hashed bool          // some requirement carries --hash: pip checks them all
	// includes are the files it reads with -r or -c, relative to the
	// context.
	includes []include
}

// include is a file a requirements file reads.
type include struct {
	file       string // relative to the context
	constraint bool   // -c: it constrains versions, installs nothing
	line       int
	written    string
}

// flag says how the include was written, for messages.
func (i include) flag() string {
	if i.constraint {
		return "-c"
	}
	return "-r"
}

// pipComment is pip's COMMENT_RE: a # at the start of a line or after
// whitespace starts a comment.
var pipComment = regexp.MustCompile(`(^|\s+)#.*$`)

// pipLines splits text as pip does (str.splitlines, then a line ending in
// "\" continues on the next, unless it is a comment), each joined line
// with the number of its first.
func pipLines(text string) (lines []string, numbers []int) {
	var raw []string
	for len(text) > 0 {
		i := strings.IndexFunc(text, isLineBreak)
		if i < 0 {
			raw = append(raw, text)
			break
		}
		raw = append(raw, text[:i])
		_, n := utf8.DecodeRuneInString(text[i:])
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			n = 2
		}
		text = text[i+n:]
	}
	joined, first := "", 0
	for n, line := range raw {
		if joined == "" {
			first = n + 1
		}
		comment := strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "#")
		if !strings.HasSuffix(line, "\\") || comment {
			if comment {
				line = " " + line // ends a continued line as a comment
			}
			lines, numbers = append(lines, joined+line), append(numbers, first)
			joined = ""
			continue
		}
		joined += strings.Trim(line, "\\")
	}
	if joined != "" {
		lines, numbers = append(lines, joined), append(numbers, first)
	}
	return lines, numbers
}

// isLineBreak is what Python's str.splitlines splits at.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// parseRequirements reads pip's format: one requirement or option a line.
func parseRequirements(name string, dt []byte) (*requirementsFile, error) {
	rf := &requirementsFile{}
	lines, numbers := pipLines(string(dt))
	for k, line := range lines {
		n := numbers[k]
		line = strings.TrimSpace(pipComment.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		opt, arg, _ := strings.Cut(fields[0], "=")
		if len(opt) > 2 && opt[0] == '-' && opt[1] != '-' {
			// -rbase.txt: a short option with its value attached
			opt, arg = opt[:2], fields[0][2:]
		}
		if arg == "" && len(fields) > 1 {
			arg = fields[1]
		}
		switch opt {
		case "-r", "--requirement", "-c", "--constraint":
			inc := path.Join(path.Dir(name), arg)
			if arg == "" || path.IsAbs(arg) || inc == ".." || strings.HasPrefix(inc, "../") || strings.Contains(arg, "://") || strings.HasPrefix(arg, "file:") {
				return nil, fmt.Errorf("line %d reads %q, which is not a file in the build context", n, arg)
			}
			if plan.HasWildcard(inc) || spec.HasControl(inc) {
				return nil, fmt.Errorf("line %d reads %q, whose name holds *, ? or [, or control characters, which the copies would read as a pattern (rename it)", n, arg)
			}
			rf.includes = append(rf.includes, include{file: inc, constraint: opt == "-c" || opt == "--constraint", line: n, written: arg})
			continue
		case "-e", "--editable":
			return nil, fmt.Errorf("line %d installs %s editable, from the source the dependency install does not have (remove it: the release runs the source in workdir)", n, arg)
		}
		if strings.HasPrefix(line, "-") {
			continue // --index-url, --extra-index-url, --find-links...
		}
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "/") || strings.HasPrefix(line, "file:") {
			return nil, fmt.Errorf("line %d installs %s, a local folder the dependency install does not have (remove it: the release runs the source in workdir)", n, fields[0])
		}
		if strings.Contains(line, "--hash") {
			rf.hashed = true
		}
		// pip's requirement is what comes before the first option
		req := line
		for i, f := range fields {
			if strings.HasPrefix(f, "-") {
				req = strings.Join(fields[:i], " ")
				break
			}
		}
		if r, ok := parseRequirement(req, name); ok {
			rf.reqs = append(rf.reqs, r)
		}
	}
	return rf, nil
}

// reqTree is a requirements file and every file it reads, read.
type reqTree struct {
	// files are the file and those it reads, each once, in the order pip
	// reads them, with how the first that read it wrote it.
	files []reqFile
	// reqs are what the install installs: its -r files' requirements,
	// not what -c files constrain.
	reqs   []requirement
	hashed bool
}

// reqFile is a file of a reqTree and why it is read.
type reqFile struct {
	name string
	by   string // "requirements.txt -r", "" for the root
}

// readRequirements reads root and follows its -r and -c lines through
// files, as pip does: relative to the file that names them, at most
// maxIncludeDepth deep and maxIncludes files in all. A file that reads
// itself again (pip stops: "recursively references itself"), one that is
// not in the context and one too deep are errors.
func readRequirements(root string, files map[string][]byte) (*reqTree, error) {
	t := &reqTree{}
	parsed := map[string]*requirementsFile{}
	seen := map[string]bool{}
	// done are the files whose includes were all followed (as -r, or as
	// -c): a cycle through them would have been found then
	type walked struct {
		name       string
		constraint bool
	}
	done := map[walked]bool{}
	var walk func(name string, chain []string, constraint bool, by string) error
	walk = func(name string, chain []string, constraint bool, by string) error {
		if done[walked{name, constraint}] {
			return nil
		}
		rf := parsed[name]
		if rf == nil {
			var err error
			if rf, err = parseRequirements(name, files[name]); err != nil {
				return &reqError{name: name, err: err}
			}
			parsed[name] = rf
		}
		if !seen[name] {
			seen[name] = true
			if len(seen) > maxIncludes+1 {
				return fmt.Errorf("%s reads more than %d files with -r and -c: preset python follows at most %d (merge some of them)", root, maxIncludes, maxIncludes)
			}
			t.files = append(t.files, reqFile{name: name, by: by})
		}
		if !constraint {
			t.reqs = append(t.reqs, rf.reqs...)
			t.hashed = t.hashed || rf.hashed
		}
		chain = append(chain, name)
		for _, inc := range rf.includes {
			for i, c := range chain {
				if c == inc.file {
					return fmt.Errorf("%s reads itself again: %s (pip stops with \"recursively references itself\"; remove the %s line)",
						q(inc.file), q(strings.Join(append(chain[i:], inc.file), " → ")), inc.flag())
				}
			}
			if len(chain) > maxIncludeDepth {
				return fmt.Errorf("%s reads files more than %d deep with -r and -c (%s): preset python follows %d (read the deepest files from a shallower one)",
					root, maxIncludeDepth, q(strings.Join(append(chain, inc.file), " → ")), maxIncludeDepth)
			}
			if _, ok := files[inc.file]; !ok {
				return fmt.Errorf("%s line %d reads %s with %s, which is not in the build context, so pip could not open it (add it, or check .dockerignore)", q(name), inc.line, q(inc.written), inc.flag())
			}
			if err := walk(inc.file, chain, constraint || inc.constraint, name+" "+inc.flag()); err != nil {
				return err
			}
		}
		done[walked{name, constraint}] = true
		return nil
	}
	if err := walk(root, nil, false, ""); err != nil {
		return nil, err
	}
	return t, nil
}

// reqError is a line of a requirements file the installs cannot use.
type reqError struct {
	name string
	err  error
}

func (e *reqError) Error() string {
	return fmt.Sprintf("%s cannot be installed from the manifests alone: %v", q(e.name), e.err)
}

// requirementsIncludes are the files the requirements files in read
// include that are not read yet, for Files: one more level a round.
func requirementsIncludes(read map[string][]byte) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(name string)
	walk = func(name string) {
		if seen[name] || len(seen) > 3+maxIncludes {
			return
		}
		seen[name] = true
		dt, ok := read[name]
		if !ok {
			return
		}
		rf, err := parseRequirements(name, dt)
		if err != nil {
			return
		}
		for _, inc := range rf.includes {
			if _, ok := read[inc.file]; !ok && !seen[inc.file] {
				out = append(out, inc.file)
			}
			walk(inc.file)
		}
	}
	for _, root := range requirementsFiles {
		walk(root)
	}
	return out
}

// requirementsFiles are the requirements files pip's installs start from:
// the production one and the development ones the preset knows.
var requirementsFiles = []string{"requirements.txt", "requirements-dev.txt", "dev-requirements.txt"}
