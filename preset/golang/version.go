package golang

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// goVersion is a Go release as go.mod writes it: 1.26, 1.26.0, 1.26rc1.
type goVersion struct{ major, minor, patch int }

var goVersionRe = regexp.MustCompile(`^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(?:rc|beta)\d+)?$`)

func parseGo(s string) (goVersion, bool) {
	m := goVersionRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return goVersion{}, false
	}
	var v goVersion
	v.major, _ = strconv.Atoi(m[1])
	v.minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.patch, _ = strconv.Atoi(m[3])
	}
	return v, v.major < 1000 && v.minor < 1000
}

func (v goVersion) less(w goVersion) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.patch < w.patch
}

func (v goVersion) line() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

// wanted is the Go the module asks for: the newest of go.mod's (and
// go.work's) go and toolchain lines, and which says so. need is the
// oldest Go that can build it: the go lines only.
func wanted(m module) (want, need goVersion, from string) {
	consider := func(s, what string, needs bool) {
		v, ok := parseGo(s)
		if !ok {
			return
		}
		if needs && need.less(v) {
			need = v
		}
		if from == "" || want.less(v) {
			want, from = v, what+" "+s
		}
	}
	if m.mod.Go != nil {
		consider(m.mod.Go.Version, "go.mod go", true)
	}
	if m.mod.Toolchain != nil {
		consider(m.mod.Toolchain.Name, "go.mod toolchain", false)
	}
	if m.work != nil {
		if m.work.Go != nil {
			consider(m.work.Go.Version, "go.work go", true)
		}
		if m.work.Toolchain != nil {
			consider(m.work.Toolchain.Name, "go.work toolchain", false)
		}
	}
	return want, need, from
}

// image picks golang:<line>-bookworm for the Go the module asks for, when
// the Stagefile names no image; a written one older than the go line is a
// warning at its line.
func (f *filler) image(m module) error {
	p := f.P
	want, need, from := wanted(m)
	if !p.Image.Set() {
		// asdf's and mise's pins: .tool-versions golang 1.22.1, mise.toml go = "1.22"
		pins, err := scaffold.Pins(f.Facts.Files, m.dir, "golang", "go")
		if err != nil {
			return f.Fail("%s", err.Error())
		}
		if len(pins) > 0 {
			pin := pins[0]
			v, ok := parseGo(pin.Version)
			if !ok {
				return f.Fail("%s is not a Go version (write e.g. 1.26 or 1.26.1)", pin)
			}
			if v.less(need) {
				return f.Fail("%s pins Go %s, older than the go line of go.mod or go.work (%s): the official images do not download a newer toolchain (GOTOOLCHAIN=local), so the build would fail (pin %s or newer, or write image:)", pin, v.line(), need.line(), need.line())
			}
			p.Image = plan.Value[string]{Value: "golang:" + v.line() + "-bookworm", Origin: f.Origin(pin.String())}
			return nil
		}
		if from == "" {
			return f.Fail("%s has no go line, so preset go cannot tell which Go to build with (add one: go mod edit -go=1.26, or write image:)", "go.mod")
		}
		p.Image = plan.Value[string]{Value: "golang:" + want.line() + "-bookworm", Origin: f.Origin("the Go of " + from)}
		return nil
	}
	if from == "" {
		return nil
	}
	var cfg *plan.ImageInfo
	if f.Facts.Image != nil {
		cfg, _ = f.Facts.Image(p.Image.Value)
	}
	have, what := imageGo(p.Image.Value, cfg)
	if what != "" && have.less(need) {
		f.Warnings = append(f.Warnings, plan.Warn(p, GoVersionMismatch, p.Image.Origin, "%s has %s, but the module needs Go %s (go line of go.mod or go.work); the official images do not download a newer toolchain (GOTOOLCHAIN=local) (e.g. golang:%s-bookworm)",
			p.Image.Value, what, need.line(), want.line()))
	}
	return nil
}

var golangTag = regexp.MustCompile(`(^|/)golang:(\d+\.\d+(?:\.\d+)?)`)

// imageGo is the Go an image has: GOLANG_VERSION in its config (the
// official images set it), else its tag's version; a line's tag counts as
// its first release, the oldest it may be.
func imageGo(ref string, img *plan.ImageInfo) (goVersion, string) {
	if img != nil && img.Config != nil {
		for _, kv := range img.Config.Config.Env {
			if s, ok := strings.CutPrefix(kv, "GOLANG_VERSION="); ok {
				if v, ok := parseGo(s); ok {
					return v, "Go " + s
				}
			}
		}
	}
	if m := golangTag.FindStringSubmatch(ref); m != nil {
		if v, ok := parseGo(m[2]); ok {
			return v, "Go " + m[2] + " (from its tag)"
		}
	}
	return goVersion{}, ""
}
