package python

import (
	"bufio"
	"bytes"
	"net/textproto"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// Ecosystem: poetry, pipenv and uv start an app without passing signals
// on; installs create .venv; .pypirc and pip.conf often hold an index
// token.
func (Provider) Ecosystem() plan.Ecosystem {
	return plan.Ecosystem{
		Launchers:       []string{"poetry", "pipenv", "uv"},
		StartExample:    "[gunicorn, app.wsgi] or [python, -m, app]",
		DependencyDirs:  []string{".venv"},
		CredentialFiles: []plan.CredentialFile{{Name: ".pypirc"}, {Name: "pip.conf"}},
		Aliases:         []string{"python3", "py"},
	}
}

// Script finds the file python runs: python [flags] FILE; none for
// inline code (-c), a module (-m) or standard input.
func (Provider) Script(argv []string) (int, []string, bool) {
	if !strings.HasPrefix(path.Base(argv[0]), "python") {
		return 0, nil, false
	}
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-c" || a == "-m" || a == "-":
			return 0, nil, false
		case a == "-W" || a == "-X":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return i, []string{""}, true
		}
	}
	return 0, nil, false
}

// maxMetadata bounds the part of a METADATA file read: its headers come
// first, the long description after them is not needed.
const maxMetadata = 64 << 10

// Shipped lists the distributions installed in workdir's .venv, where
// the preset's installs put them whichever manager ran: what is
// installed is what ships.
func (Provider) Shipped(p *plan.Plan, release plan.ReleaseFS) ([]plan.Package, string, bool, error) {
	venv := path.Join(p.Workdir.Value, ".venv")
	lib := path.Join(venv, "lib")
	pythons, err := release.ReadDir(lib, "python*")
	if err != nil {
		return nil, "", false, nil
	}
	var pkgs []plan.Package
	for _, py := range pythons {
		site := path.Join(lib, py, "site-packages")
		dists, err := release.ReadDir(site, "*.dist-info")
		if err != nil {
			continue
		}
		for _, d := range dists {
			dt, err := release.ReadFile(path.Join(site, d, "METADATA"), 0, maxMetadata)
			if err != nil {
				continue
			}
			if pkg, ok := DistInfo(dt); ok {
				pkgs = append(pkgs, pkg)
			}
		}
	}
	if len(pkgs) == 0 {
		return nil, "", false, nil
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, venv + ", the installed distributions", true, nil
}

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
