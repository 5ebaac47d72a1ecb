package scaffold

import (
	"bytes"
	"fmt"
	"path"
)

// MaxItems bounds the values a structured file (a lockfile, a manifest)
// may hold before a parser builds them: parsers make a node per value,
// and 63 MiB of "[a,a,a,…]" took 8 GB as YAML. The largest real lockfiles
// (a pnpm monorepo of thousands of packages) hold a few hundred thousand.
const MaxItems = 2 << 20

// MaxVersionFile bounds a file that names a version (.nvmrc,
// .python-version, .tool-versions): a line or a few.
const MaxVersionFile = 64 << 10

// versionFiles name a tool's version in a line or a few.
var versionFiles = map[string]bool{".nvmrc": true, ".node-version": true, ".python-version": true, ".tool-versions": true,
	"mise.toml": true, ".mise.toml": true, "rust-toolchain": true, "rust-toolchain.toml": true, ".bun-version": true}

// checkSize refuses a version file larger than a version file is, before
// it is decoded (a 62 MB .nvmrc was read, copied and quoted whole).
func checkSize(name string, dt []byte) error {
	if versionFiles[path.Base(name)] && len(dt) > MaxVersionFile {
		return fmt.Errorf("%s is %d bytes, more than the %d a file that names a version may have", name, len(dt), MaxVersionFile)
	}
	return nil
}

// CheckItems refuses a file with more separators (commas and line ends,
// each at most one value) than MaxItems, in one pass and no allocation,
// before it is parsed.
func CheckItems(name string, dt []byte) error {
	if n := bytes.Count(dt, []byte{','}) + bytes.Count(dt, []byte{'\n'}); n > MaxItems {
		return fmt.Errorf("%s holds about %d values, more than the %d a preset parses (is it a lockfile the package manager wrote?)", name, n, MaxItems)
	}
	return nil
}
