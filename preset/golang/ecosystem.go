package golang

import (
	"debug/buildinfo"
	"io"
	"path"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// Ecosystem: the go tool is no launcher the preset would start an app
// with, and the module cache is a cache mount, not a folder of workdir.
func (Provider) Ecosystem() plan.Ecosystem {
	return plan.Ecosystem{Aliases: []string{"golang"}}
}

// Shipped lists the modules compiled into the Go binary the release
// starts (its first argument, a path: a name found on PATH is the
// image's, not the app's).
func (Provider) Shipped(p *plan.Plan, release plan.ReleaseFS) ([]plan.Package, string, bool, error) {
	r := p.Release
	cmd := r.Cmd.Value
	if r.Entrypoint.Set() {
		cmd = r.Entrypoint.Value
	}
	if len(cmd) == 0 || strings.TrimSpace(cmd[0]) == "" {
		return nil, "", false, nil
	}
	bin := cmd[0]
	if !path.IsAbs(bin) {
		if !strings.Contains(bin, "/") {
			return nil, "", false, nil
		}
		bin = path.Join(p.Workdir.Value, bin)
	}
	pkgs, ok := Modules(&releaseReader{release: release, name: bin})
	if !ok {
		return nil, "", false, nil
	}
	return pkgs, bin + ", the Go binary's modules", true, nil
}

// Modules lists the modules compiled into a Go binary, and the standard
// library at the toolchain's version; ok is false for anything else.
func Modules(r io.ReaderAt) ([]plan.Package, bool) {
	bi, err := buildinfo.Read(r)
	if err != nil {
		return nil, false
	}
	pkgs := []plan.Package{{Ecosystem: "golang", Name: "stdlib", Version: bi.GoVersion}}
	for _, m := range bi.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		if m.Version == "" || m.Version == "(devel)" {
			continue // a local replacement: the app's own code
		}
		pkgs = append(pkgs, plan.Package{Ecosystem: "golang", Name: m.Path, Version: m.Version})
	}
	return pkgs, true
}

// releaseReader reads a file of a release by ranges, for debug/buildinfo.
type releaseReader struct {
	release plan.ReleaseFS
	name    string
}

func (r *releaseReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || len(p) == 0 {
		return 0, nil
	}
	dt, err := r.release.ReadFile(r.name, int(off), len(p))
	if err != nil {
		return 0, err
	}
	n := copy(p, dt)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
