package golang

import (
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"strings"
)

// ignored matches the build constraint of files that are never built
// (generators: //go:build ignore), wherever a package keeps them.
var ignored = regexp.MustCompile(`(?m)^//go:build\s+ignore\s*$|^// \+build\s+ignore\s*$`)

// packages reads the package clause of every Go file under dir that
// files holds (dir/*.go and dir/cmd/*/*.go) and gives each folder's
// package, relative to dir: {".": "main", "cmd/api": "main"}. Tests and
// files that are never built do not count; a file go cannot parse makes
// no folder a program.
func packages(files map[string][]byte, dir string) map[string]string {
	out := map[string]string{}
	bad := map[string]bool{}
	for name, dt := range files {
		rel := strings.TrimPrefix(name, dir+"/")
		if dir == "." {
			rel = name
		}
		folder := path.Dir(rel)
		if path.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") || rel == name && dir != "." ||
			!(folder == "." || path.Dir(folder) == "cmd") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, dt, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			bad[folder] = true
			continue
		}
		if ignored.Match(header(dt, int(f.Package)-1)) {
			continue
		}
		if prev, ok := out[folder]; ok && prev != f.Name.Name {
			bad[folder] = true // two packages in one folder: go build fails there
		}
		out[folder] = f.Name.Name
	}
	for folder := range bad {
		delete(out, folder)
	}
	return out
}

// header is what comes before the package clause, where build
// constraints are.
func header(dt []byte, end int) []byte {
	if end < 0 || end > len(dt) {
		return nil
	}
	return dt[:end]
}
