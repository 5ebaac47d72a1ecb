package node

import (
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// fetchScript is the downloader the fetch steps run with the build
// image's node.
//
//go:embed fetch.js
var fetchScript string

// publicRegistries serve tarballs without credentials: the downloader
// sends none. Packages from anywhere else are left to the installs.
var publicRegistries = map[string]bool{"registry.npmjs.org": true, "registry.yarnpkg.com": true}

const (
	// npmCache is npm's cache (cacache) for root, where the installs run:
	// the fetched tarballs are mounted there, with index entries by URL.
	npmCache = "/root/.npm/_cacache"
	// yarnMirror is yarn classic's offline mirror: one tarball per
	// package, named as yarn names them, read before the network.
	yarnMirror = "/stagefile/yarn-offline-mirror"
)

// FetchUnavailable: the Stagefile asks for fetch steps the preset cannot
// make for this app.
var FetchUnavailable = plan.NewRule("FetchUnavailable", "dependencies.fetch is true, but the preset cannot fetch this lockfile's packages.")

// fetch lets the installs read the locked packages from a mirror that
// steps of their own download (plan.Fetch), when the Stagefile asks for
// it: a fresh CI runner with a registry cache then downloads only what a
// bump changed. npm and yarn classic only: yarn berry's cache and pnpm's
// store hold what the package manager itself computed, not the
// registry's tarballs.
func (f *filler) fetch(pm manager, lock *lockfile) {
	d := &f.P.Dependencies
	asked := d.FetchAsked
	if !asked.Set() || !asked.Value {
		return
	}
	no := func(format string, args ...any) {
		f.Warn(FetchUnavailable, asked.Origin, "the installs download every package: "+format, args...)
	}
	if pm.name != npm && pm.name != yarn {
		no("preset node fetches for npm and yarn classic; %s's cache holds what %s computed, not the registry's tarballs", pm.tool(), pm.tool())
		return
	}
	if lock.unchecked {
		no("%s is an npm lockfile v1, whose packages npm resolves again (run npm install with npm 7 or later and commit the lockfile)", pm.lockfile)
		return
	}
	files := f.Facts.Files
	fetch := &plan.Fetch{Command: []string{"node", "-e", fetchScript}}
	switch pm.name {
	case npm:
		// npm asks the registry its .npmrc names for the tarballs, under
		// that URL: fetched from another, npm would not find them
		if npmrcRegistry.Match(files[".npmrc"]) {
			no(".npmrc names a registry, and npm finds cached tarballs by their URL there")
			return
		}
		fetch.Command = append(fetch.Command, "npm")
		fetch.Path = npmCache
		fetch.Origin = f.Origin(pm.lockfile + ": the registry's tarballs, into npm's cache")
	case yarn:
		if yarnrcMirror.Match(files[".yarnrc"]) {
			no(".yarnrc sets yarn's offline mirror already")
			return
		}
		fetch.Command = append(fetch.Command, "tarballs")
		fetch.Path = yarnMirror
		fetch.Env = []plan.Var{{Name: "npm_config_yarn_offline_mirror", Value: yarnMirror, Origin: f.Origin("yarn reads the fetched tarballs from its offline mirror")}}
		fetch.Origin = f.Origin(pm.lockfile + ": the registry's tarballs, into yarn's offline mirror")
	default:
		no("preset node fetches for npm and yarn classic; %s's cache holds what %s computed, not the registry's tarballs", pm.tool(), pm.tool())
		return
	}
	seen := map[string]bool{}
	for _, p := range lock.packages {
		dl, ok := download(pm, p)
		if !ok {
			if pm.name == npm && p.Resolved != "" && !strings.HasPrefix(p.Resolved, "file:") && p.Integrity != "" {
				// npm's cache is one folder: the mirror would hide the
				// cache mount that keeps this registry's packages
				no("%q comes from %s, not a public registry, and npm has one cache folder for both", p.Name, host(p.Resolved))
				return
			}
			continue
		}
		if !seen[dl.URL] && allows(p.OS, "linux") {
			seen[dl.URL] = true
			dl.Arch = goarches(p.CPU)
			fetch.Packages = append(fetch.Packages, dl)
		}
	}
	if len(fetch.Packages) == 0 {
		no("no package in %s comes from a public registry", pm.lockfile)
		return
	}
	d.Fetch = fetch
}

var (
	npmrcRegistry = regexp.MustCompile(`(?m)^\s*(@[^:\s]+:)?registry\s*=`)
	yarnrcMirror  = regexp.MustCompile(`(?m)^\s*yarn-offline-mirror\s`)
)

// host is a URL's host, for messages.
func host(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Host
	}
	return "elsewhere"
}

// download is where a locked package comes from and goes in the mirror,
// when it is a public registry's tarball with an integrity to check.
func download(pm manager, p lockedPackage) (plan.Download, bool) {
	dl := plan.Download{Name: p.Name, URL: p.Resolved}
	name := p.Name
	if p.Alias != "" {
		name = p.Alias // "foo": "npm:bar@1" is bar's tarball
	}
	if dl.URL == "" && pm.name == npm && p.Version != "" && validName.MatchString(name) {
		// lockfiles written with omit-lockfile-registry-resolved: npm
		// asks the default registry
		dl.URL = "https://registry.npmjs.org/" + name + "/-/" + path.Base(name) + "-" + p.Version + ".tgz"
	}
	u, err := url.Parse(dl.URL)
	if err != nil || u.Scheme != "https" || !publicRegistries[u.Host] || u.User != nil || u.RawQuery != "" ||
		path.Clean(u.Path) != u.Path {
		// a version or resolved URL with ".." segments would fetch another
		// path of the registry (the integrity check would still refuse it)
		return dl, false
	}
	fragment := u.Fragment // yarn classic: the tarball's sha1, in hex
	u.Fragment = ""
	dl.URL = u.String()
	dl.Integrity = strongest(p.Integrity)
	if dl.Integrity == "" {
		sum, err := hex.DecodeString(fragment)
		if err != nil || len(sum) != 20 {
			return dl, false
		}
		dl.Integrity = "sha1-" + base64.StdEncoding.EncodeToString(sum)
	}
	alg, b64, _ := strings.Cut(dl.Integrity, "-")
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) == 0 {
		return dl, false
	}
	switch pm.name {
	case npm:
		h := hex.EncodeToString(sum)
		dl.File = path.Join("content-v2", alg, h[:2], h[2:4], h[4:])
	case yarn:
		// yarn's name for it: "@scope-" and the tarball's file name
		m := yarnMirrorName.FindStringSubmatch(u.EscapedPath())
		if m == nil || !safeFile.MatchString(m[2]) || m[1] != "" && !validName.MatchString(m[1]+"/x") {
			return dl, false
		}
		dl.File = m[2]
		if m[1] != "" {
			dl.File = m[1] + "-" + m[2]
		}
	}
	return dl, true
}

var (
	// validName is an npm package name: lowercase, URL-safe, maybe scoped.
	validName = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)
	// yarnMirrorName is yarn classic's RE_URL_NAME_MATCH: scope, file.
	yarnMirrorName = regexp.MustCompile(`/(?:(@[^/]+)(?:/|%2[fF]))?[^/]+/(?:-|_attachments)/(?:@[^/]+/)?([^/]+)$`)
	safeFile       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*\.tgz$`)
)

var hashRank = map[string]int{"sha1": 1, "sha256": 2, "sha384": 3, "sha512": 4}

// strongest picks the strongest hash of an integrity string, which may
// list several ("sha1-... sha512-...").
func strongest(integrity string) string {
	best, rank := "", 0
	for _, h := range strings.Fields(integrity) {
		h, _, _ = strings.Cut(h, "?") // SRI options
		if !plan.Integrity.MatchString(h) {
			continue
		}
		r := hashRank[h[:strings.IndexByte(h, '-')]]
		if r > rank {
			best, rank = h, r
		}
	}
	return best
}

// allows reports whether npm's os or cpu list admits v: empty admits
// all, "!v" excludes v, and a list of names admits those only.
func allows(list []string, v string) bool {
	only := false
	for _, e := range list {
		if e == "!"+v {
			return false
		}
		if e == v {
			return true
		}
		only = only || !strings.HasPrefix(e, "!")
	}
	return !only
}

// goarches are the GOARCH names of npm's cpu list, when it admits only
// some (["x64"] → [amd64]); nil when it admits any.
func goarches(cpu []string) []string {
	var out []string
	for goarch, node := range nodeArch {
		if allows(cpu, node) {
			out = append(out, goarch)
		}
	}
	if len(out) == len(nodeArch) {
		return nil
	}
	sort.Strings(out)
	if out == nil {
		out = []string{} // none of ours: fetched for no platform
	}
	return out
}
