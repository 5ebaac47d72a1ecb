package sbom

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"io"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// These read what a release holds when no lockfile the frontend knows
// says it: the Python distributions installed in its virtualenv, and the
// modules compiled into a Go binary. What is installed is what ships.

var (
	pySeparators = regexp.MustCompile(`[-_.]+`)
	// a license an SPDX document can carry: an identifier or an
	// expression of them, not the free text License: often holds
	licenseExpr = regexp.MustCompile(`^[A-Za-z0-9.+-]+( (AND|OR|WITH) \(?[A-Za-z0-9.+-]+\)?)*$`)
)

// DistInfo reads a Python distribution's METADATA (its headers; the
// description after them is not needed).
func DistInfo(metadata []byte) (plan.Package, bool) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(metadata)))
	h, err := r.ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return plan.Package{}, false
	}
	name, version := strings.TrimSpace(h.Get("Name")), strings.TrimSpace(h.Get("Version"))
	if name == "" || version == "" {
		return plan.Package{}, false
	}
	pkg := plan.Package{Ecosystem: "pypi", Name: pySeparators.ReplaceAllString(strings.ToLower(name), "-"), Version: version}
	for _, l := range []string{h.Get("License-Expression"), h.Get("License")} {
		if l = strings.TrimSpace(l); licenseExpr.MatchString(l) && len(l) <= 64 {
			pkg.License = l
			break
		}
	}
	return pkg, true
}

// GoModules lists the modules compiled into a Go binary, and the standard
// library at the toolchain's version; ok is false for anything else.
func GoModules(r io.ReaderAt) ([]plan.Package, bool) {
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
