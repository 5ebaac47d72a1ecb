package rust

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/internal/scaffold"
)

// RustVersionMismatch is the preset's rule for a build image whose Rust
// is older than the package's rust-version: cargo refuses to build it.
var RustVersionMismatch = plan.NewRule("RustVersionMismatch", "The build image's Rust is older than the rust-version of Cargo.toml.")

// The Rust releases with official Debian 12 images (rust:1.66-bookworm,
// the first, to the newest this frontend knows).
var (
	oldest = rustVersion{1, 66, 0}
	newest = rustVersion{1, 95, 0}
)

type rustVersion struct{ major, minor, patch int }

func (v rustVersion) line() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v rustVersion) less(w rustVersion) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.patch < w.patch
}

var versionRe = regexp.MustCompile(`^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$`)

// parseVersion reads "1.80" or "1.80.1"; parts says how many numbers.
func parseVersion(s string) (v rustVersion, parts int, ok bool) {
	m := versionRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return v, 0, false
	}
	v.major, _ = strconv.Atoi(m[1])
	v.minor, _ = strconv.Atoi(m[2])
	parts = 2
	if m[3] != "" {
		v.patch, _ = strconv.Atoi(m[3])
		parts = 3
	}
	return v, parts, true
}

// toolchainFile is rust-toolchain.toml (or the legacy rust-toolchain,
// TOML or a bare channel).
type toolchainFile struct {
	Toolchain struct {
		Channel string `toml:"channel"`
		Path    string `toml:"path"`
	} `toml:"toolchain"`
}

// toolchain is the channel the toolchain file nearest the app names, as
// rustup finds it: from the app's folder up to the context's root, the
// legacy rust-toolchain winning over rust-toolchain.toml in one folder.
func toolchain(files map[string][]byte, app string) (channel, file string, err error) {
	for dir := app; ; dir = path.Dir(dir) {
		for _, name := range []string{"rust-toolchain", "rust-toolchain.toml"} {
			file = path.Join(dir, name)
			dt, ok := files[file]
			if !ok {
				continue
			}
			var tf toolchainFile
			if tomlErr := scaffold.ReadTOML(dt, &tf); tomlErr == nil && (tf.Toolchain.Channel != "" || tf.Toolchain.Path != "") {
				if tf.Toolchain.Path != "" {
					return "", file, fmt.Errorf("%s names a custom toolchain (path), which no image has (write image:)", file)
				}
				return strings.TrimSpace(tf.Toolchain.Channel), file, nil
			} else if name == "rust-toolchain" && !strings.ContainsAny(string(dt), "[=") {
				if ch := strings.TrimSpace(string(dt)); ch != "" && !strings.ContainsAny(ch, "\n\t ") {
					return ch, file, nil
				}
			}
			return "", file, fmt.Errorf("%s names no toolchain channel rustup can read (write [toolchain] channel = \"1.95\")", file)
		}
		if dir == "." {
			return "", "", nil
		}
	}
}

// hostSuffix matches a toolchain name's host: 1.80.0-x86_64-unknown-linux-gnu.
var hostSuffix = regexp.MustCompile(`-[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_-]+$`)

// pick is the official image's Rust for the app: the toolchain file's
// channel when it names a release ("1.90", "1.90.1" or "stable"), else the
// newest release this frontend knows, which any rust-version up to it
// accepts.
func (f *filler) pick(pr *project) (tag, why string, err error) {
	files := f.Facts.Files
	need, needFrom, err := pr.rustVersion()
	if err != nil {
		return "", "", err
	}
	channel, file, err := toolchain(files, path.Clean(f.P.App.Value))
	if err != nil {
		return "", "", err
	}
	if channel != "" {
		ch := hostSuffix.ReplaceAllString(channel, "")
		if ch == "stable" {
			return newest.line(), fmt.Sprintf("%s channel stable: the newest Rust this frontend knows (%s)", file, newest.line()), nil
		}
		v, _, ok := parseVersion(ch)
		switch {
		case !ok:
			return "", "", fmt.Errorf("%s asks for the %s toolchain, which has no official rust image (write image: with one that has it; the steps use the image's own toolchain)", file, printable(channel))
		case newest.less(v):
			return "", "", fmt.Errorf("%s asks for Rust %s, newer than this frontend knows (up to %s) (write image:, e.g. rust:%s-slim-bookworm)", file, printable(ch), newest.line(), printable(ch))
		case v.less(oldest):
			return "", "", fmt.Errorf("%s asks for Rust %s, older than the first with a Debian 12 image (%s) (write image:)", file, printable(ch), oldest.line())
		case needFrom != "" && v.less(need):
			return "", "", fmt.Errorf("%s asks for Rust %s, but %s needs %s: cargo would refuse to build (raise the toolchain)", file, printable(ch), needFrom, need.line())
		}
		return ch, file + " channel " + printable(ch), nil
	}
	if needFrom != "" {
		if newest.less(need) {
			return "", "", fmt.Errorf("%s is %s, newer than the Rust this frontend knows (up to %s) (write image:, e.g. rust:%s-slim-bookworm)", needFrom, need.line(), newest.line(), need.line())
		}
		return newest.line(), fmt.Sprintf("the newest Rust this frontend knows (%s), which %s %s accepts", newest.line(), needFrom, need.line()), nil
	}
	return newest.line(), fmt.Sprintf("the newest Rust this frontend knows (%s)", newest.line()), nil
}

// rustVersion is the app's rust-version (its own, or the workspace's it
// inherits), and where it was read; "" when it has none.
func (pr *project) rustVersion() (rustVersion, string, error) {
	rv := pr.app.m.Package.RustVersion
	from := pr.app.file() + " rust-version"
	if t, ok := rv.(map[string]any); ok && t["workspace"] == true {
		rv, from = nil, "Cargo.toml workspace.package.rust-version"
		if ws := pr.rootM.Workspace; ws != nil && ws.Package.RustVersion != "" {
			rv, from = ws.Package.RustVersion, path.Join(pr.root, "Cargo.toml")+" workspace.package.rust-version"
		}
	}
	s, ok := rv.(string)
	if !ok || s == "" {
		return rustVersion{}, "", nil
	}
	v, _, ok := parseVersion(s)
	if !ok {
		return rustVersion{}, "", fmt.Errorf("%s %q is not a Rust version (write 1.80 or 1.80.1)", from, printable(s))
	}
	return v, from, nil
}

// image picks rust:<version>-slim-bookworm (rust:<version>-bookworm, with
// the C libraries' headers, when a package builds C code) unless the
// Stagefile names one; a written one older than rust-version is a warning
// at its line.
func (f *filler) image(pr *project, cCode string) error {
	p := f.P
	if !p.Image.Set() {
		tag, why, err := f.pick(pr)
		if err != nil {
			return f.Fail("%s", err.Error())
		}
		variant := "slim-bookworm"
		if cCode != "" {
			variant, why = "bookworm", why+"; the full image, with a C toolchain and libraries' headers: "+cCode
		} else {
			why += "; slim: pure Rust, no C code in Cargo.lock"
		}
		p.Image = plan.Value[string]{Value: "rust:" + tag + "-" + variant, Origin: f.Origin(why)}
		return nil
	}
	need, from, err := pr.rustVersion()
	if err != nil || from == "" {
		return nil
	}
	var cfg *plan.ImageInfo
	if f.Facts.Image != nil {
		cfg, _ = f.Facts.Image(p.Image.Value)
	}
	if have, what := imageRust(p.Image.Value, cfg); what != "" && have.less(need) {
		f.Warn(RustVersionMismatch, p.Image.Origin, "%s has %s, but %s is %s: cargo refuses to build the package with an older Rust (e.g. rust:%s-slim-bookworm)",
			p.Image.Value, what, from, need.line(), newest.line())
	}
	return nil
}

var rustTag = regexp.MustCompile(`(^|/)rust:(\d+\.\d+(?:\.\d+)?)`)

// imageRust is the Rust an image has: RUST_VERSION in its config (the
// official images set it), else its tag's version; a line's tag counts as
// its first release.
func imageRust(ref string, img *plan.ImageInfo) (rustVersion, string) {
	if img != nil && img.Config != nil {
		for _, kv := range img.Config.Config.Env {
			if s, ok := strings.CutPrefix(kv, "RUST_VERSION="); ok {
				if v, _, ok := parseVersion(s); ok {
					return v, "Rust " + s
				}
			}
		}
	}
	if m := rustTag.FindStringSubmatch(ref); m != nil {
		if v, _, ok := parseVersion(m[2]); ok {
			return v, "Rust " + m[2] + " (from its tag)"
		}
	}
	return rustVersion{}, ""
}
