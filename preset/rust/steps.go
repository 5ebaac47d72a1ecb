package rust

import "sort"

// The preset's commands that need a shell are these fixed scripts:
// helpers the tools step installs in the build image, so that the steps'
// commands read as what they do. What comes from the build context (paths,
// package names) reaches them only as arguments, never as script text.

// helperDir is where the tools step installs them (on the PATH of every
// Debian image).
const helperDir = "/usr/local/bin/"

// The helpers, by name.
const (
	// skeleton writes the source files the dependency step compiles
	// instead of the app's own, so that it reads nothing but the
	// manifests: each argument is kind:path, "main" (fn main() {}: a
	// binary, a test, a build script) or "lib" (an empty file). A file
	// already there is kept: the development step finds the production
	// step's, and the source copy replaces them all.
	skeleton = "stagefile-rust-skeleton"
	// forget removes what the skeleton compiled of the local packages
	// (each argument a package or crate name): their fingerprints, build
	// script outputs and artifacts, in every profile and target folder
	// under CARGO_TARGET_DIR. Without it cargo takes the skeleton for the
	// sources wherever their modification times are older than its build
	// (a copy from the context often leaves them so): the tests run
	// nothing and the build links the skeleton.
	forget = "stagefile-rust-forget"
	// copyBinary copies the binary $2 that cargo build wrote under the
	// target folder $1 (target/<triple>/release with a default target, else
	// target/release) to bin/.
	copyBinary = "stagefile-rust-copy"
)

var helpers = map[string]string{
	skeleton: `for a do f=${a#*:}; [ -e "$f" ] && continue; mkdir -p "$(dirname -- "$f")" || exit; case $a in lib:*) : > "$f" ;; *) echo "fn main() {}" > "$f" ;; esac || exit; done`,
	// cargo names a unit NAME-HASH, HASH 16 hex digits
	forget: `h=[0-9a-f]; h=$h$h$h$h; h=$h$h$h$h; for n do for d in "$CARGO_TARGET_DIR"/*/ "$CARGO_TARGET_DIR"/*/*/; do ` +
		`rm -rf "$d.fingerprint/$n-"$h "${d}build/$n-"$h "${d}deps/$n-"$h* "${d}deps/lib$n-"$h*; done; done`,
	copyBinary: `mkdir -p bin && for f in "$1"/*/release/"$2" "$1/release/$2"; do if [ -f "$f" ]; then exec cp "$f" bin/; fi; done; echo "cargo build wrote no binary $2 under $1" >&2; exit 1`,
}

// installScript writes each NAME=SCRIPT argument to helperDir/NAME.
const installScript = `for a do n=` + helperDir + `${a%%=*}; printf "%s\n" "#!/bin/sh" "${a#*=}" > "$n" && chmod 755 "$n" || exit; done`

// installHelpers is the tools step's command that installs the helpers.
func installHelpers() []string {
	names := make([]string, 0, len(helpers))
	for n := range helpers {
		names = append(names, n)
	}
	sort.Strings(names)
	var args []string
	for _, n := range names {
		args = append(args, n+"="+helpers[n])
	}
	return script("install-helpers", installScript, args...)
}

// muslScript adds the musl target of the image's Rust (its host triple,
// -gnu as -musl) and makes it cargo's default target, in CARGO_HOME's
// config: the installs, the tests and the build all compile for it, so the
// dependencies compile once and the tests run the code that ships. rustup
// downloads the target unless the image has it.
const muslScript = `t=$(rustc -vV | sed -n "s/^host: //p" | sed "s/-gnu/-musl/") && rustup target add "$t" && { echo "[build]"; echo "target = \"$t\""; } >> "${CARGO_HOME:-$HOME/.cargo}/config.toml"`

// script is argv running a shell script with args ($1...; name is $0).
func script(name, text string, args ...string) []string {
	return append([]string{"sh", "-c", text, name}, args...)
}

// helper is argv running a helper with args: the installed one when the
// preset's tools step installs them, else its script inline (the
// Stagefile wrote dependencies.tools).
func (f *filler) helper(name string, args ...string) []string {
	if f.helpers {
		return append([]string{name}, args...)
	}
	return script(name, helpers[name], args...)
}
