package scaffold

import (
	"fmt"
	"path"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// Version managers: asdf reads .tool-versions ("nodejs 20.11.0", "python
// 3.11.7", "golang 1.22.1"), mise reads its mise.toml's [tools]
// (node = "20") and .tool-versions too. A version they pin is a pin like
// .nvmrc or .python-version: every preset reads them.

// pinFiles are the version managers' files, in the order mise prefers
// them.
var pinFiles = []string{"mise.toml", ".mise.toml", ".tool-versions"}

// PinFiles are the version managers' files in the app's folder dir and
// at the root, which a preset's Files lists (an app folder that is a
// pattern names none of its own).
func PinFiles(dir string) []string {
	if dir = path.Clean(dir); plan.HasWildcard(dir) || dir == ".." || strings.HasPrefix(dir, "../") || path.IsAbs(dir) {
		dir = "."
	}
	var out []string
	for _, d := range []string{dir, "."} {
		for _, f := range pinFiles {
			out = append(out, path.Join(d, f))
		}
		if dir == "." {
			break
		}
	}
	return out
}

// PinEncoding is how asdf and mise read their files.
var PinEncoding = Encoding{Tool: "mise and asdf", BOM: true}

// IsPinFile reports whether name is a version manager's file.
func IsPinFile(name string) bool {
	for _, f := range pinFiles {
		if path.Base(name) == f {
			return true
		}
	}
	return false
}

// Pin is the version a version manager's file pins for a tool.
type Pin struct {
	File    string // .tool-versions, apps/api/mise.toml
	Tool    string // the name the file gives the tool: nodejs, node
	Version string // as written: 20.11.0, 20, lts
}

// String is the pin as messages and origins name it: ".tool-versions
// nodejs 20.11.0", "mise.toml [tools] node 20".
func (p Pin) String() string {
	if path.Base(p.File) == ".tool-versions" {
		return p.File + " " + p.Tool + " " + p.Version
	}
	return p.File + " [tools] " + p.Tool + " " + p.Version
}

// mise is what a preset reads of mise.toml.
type mise struct {
	Tools map[string]any `toml:"tools"`
}

// Pins are the versions files (decoded) pin for a tool, by any of its
// names (asdf's nodejs, mise's node), in the app's folder dir and at the
// root, most specific first. "system", "latest" and versions from
// elsewhere ("ref:", "path:") pin nothing the images have; mise's
// "prefix:20" pins 20. A file that is not TOML is an error naming it.
func Pins(files map[string][]byte, dir string, names ...string) ([]Pin, error) {
	var out []Pin
	for _, name := range PinFiles(dir) {
		dt, ok := files[name]
		if !ok {
			continue
		}
		var found []Pin
		if path.Base(name) == ".tool-versions" {
			for _, line := range strings.Split(string(dt), "\n") {
				line, _, _ = strings.Cut(line, "#")
				fields := strings.Fields(line)
				if len(fields) >= 2 && has(names, fields[0]) {
					found = append(found, Pin{File: name, Tool: fields[0], Version: fields[1]})
				}
			}
		} else {
			var m mise
			if err := ReadTOML(dt, &m); err != nil {
				return nil, fmt.Errorf("%s is not TOML mise can read: %v (fix it)", name, err)
			}
			for _, tool := range names {
				if v := miseVersion(m.Tools[tool]); v != "" {
					found = append(found, Pin{File: name, Tool: tool, Version: v})
				}
			}
		}
		for _, p := range found {
			p.Version = strings.TrimPrefix(p.Version, "prefix:")
			switch {
			case p.Version == "system" || p.Version == "latest" || strings.Contains(p.Version, ":"):
				continue
			}
			out = append(out, p)
			break // the first of a file's versions is the one in use
		}
	}
	return out, nil
}

// miseVersion is the version of a [tools] entry: "20", ["20", "18"] (the
// first), { version = "20" }.
func miseVersion(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case []any:
		if len(v) > 0 {
			return miseVersion(v[0])
		}
	case map[string]any:
		return miseVersion(v["version"])
	}
	return ""
}

func has(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}
