// Command bench measures Stagefile against two hand-written multi-stage
// Dockerfiles, side by side on one BuildKit daemon: the 2018 pattern it
// generalises and the one an expert writes today with BuildKit's cache and
// bind mounts. For each it times a cold build, a no-op rebuild, a rebuild
// after a source edit and one after a dependency bump, and reads the release
// image's size and contents. It rotates the order of the variants, repeats
// N times and prints medians and Stagefile's ratios to each Dockerfile,
// since absolute times on shared machines drift.
//
// Run it through `make bench` (hack/bench.sh), which starts the daemon.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// app is an example with its reference Dockerfiles kept in bench/<name>.
type app struct {
	name  string
	edit  string   // a source file the edit scenario touches
	ships []string // what the release must carry (under workdir): a production dependency, the build output
	dev   string   // a path in the image that must not ship: a dev dependency or the compilers
	pm    string   // yarn, npm or uv: how the bump rewrites the lockfile
	base  string   // the runtime base, for the size beyond it
	cache []string // where package-manager caches would be, in the image
	// twoPlatforms: also time a cold linux/amd64 + linux/arm64 build
	// (arm64 under QEMU) against the expert Dockerfile's
	twoPlatforms bool
}

var (
	nodeBase   = "library/node:20-bookworm-slim"
	nodeCaches = []string{"usr/local/share/.cache/yarn", "root/.npm", "root/.cache", "root/.yarn"}
)

var apps = map[string]app{
	"node-yarn": {name: "node-yarn", edit: "src/app.js", pm: "yarn", base: nodeBase, cache: nodeCaches, twoPlatforms: true,
		ships: []string{"node_modules/express", "build/server.js"}, dev: "app/node_modules/jest"},
	"node-npm": {name: "node-npm", edit: "src/orders.ts", pm: "npm", base: nodeBase, cache: nodeCaches,
		ships: []string{"node_modules/zod", "dist/server.js"}, dev: "app/node_modules/typescript"},
	"node-native": {name: "node-native", edit: "src/app.js", pm: "npm", base: nodeBase, cache: nodeCaches,
		ships: []string{"node_modules/bcrypt/lib/binding", "src/server.js"}, dev: "usr/bin/g++"},
	"python-uv": {name: "python-uv", edit: "api/main.py", pm: "uv", base: "library/python:3.11-slim-bookworm",
		cache: []string{"root/.cache/uv", "root/.cache/pip"},
		ships: []string{".venv/lib/python3.11/site-packages/fastapi", "api/main.py"}, dev: "app/.venv/lib/python3.11/site-packages/pytest"},
}

// variants are the ways every app is built, in table order. file is the
// build definition: bench/<app>/<file> when inBench, else the example's own.
var variants = []variant{
	{name: "2018 Dockerfile", slug: "dockerfile-2018", file: "Dockerfile", inBench: true},
	// .npmrc would hold a registry token: the expert keeps it out of the
	// build context, as a real project's .dockerignore does
	{name: "expert Dockerfile", slug: "dockerfile-expert", file: "Dockerfile.expert", inBench: true, ignore: ".npmrc"},
	{name: "Stagefile", slug: "stagefile", file: "Stagefile"},
}

// scenario names, in the order they run. The ci- ones run as an ephemeral
// CI runner does: each build on a new daemon with an empty root, the build
// cache imported from and exported to the registry (mode=max).
var scenarios = []string{"cold", "noop", "edit", "bump", "ci-first", "ci-edit", "ci-bump", "cold-2p"}

var scenarioTitle = map[string]string{
	"cold":     "cold build (after prune --all)",
	"noop":     "no-op rebuild",
	"edit":     "rebuild after a source edit",
	"bump":     "rebuild after a dependency bump",
	"ci-first": "CI, fresh daemon: first build, empty registry cache",
	"ci-edit":  "CI, fresh daemon + registry cache: source edit",
	"ci-bump":  "CI, fresh daemon + registry cache: dependency bump",
	"cold-2p":  "cold build for linux/amd64 + linux/arm64 (arm64 under QEMU), after prune --all",
}

// twoPlatforms is what the cold-2p scenario builds for.
const twoPlatforms = "linux/amd64,linux/arm64"

// bumps: each bump moves one dependency to a version no earlier build
// used, so no cache can answer; setup is the version the copies start at.
var bumps = map[string]struct {
	pkg      string
	setup    string
	versions []string
}{
	"node":   {"lodash", "4.17.0", []string{"4.17.21", "4.17.20", "4.17.19", "4.17.15", "4.17.11", "4.17.10", "4.17.5", "4.17.4", "4.17.2", "4.17.1"}},
	"python": {"six", "1.10.0", []string{"1.17.0", "1.16.0", "1.15.0", "1.14.0", "1.13.0", "1.12.0", "1.11.0"}},
}

func (a app) bumps() (pkg, setup string, versions []string) {
	b := bumps["node"]
	if a.pm == "uv" {
		b = bumps["python"]
	}
	return b.pkg, b.setup, b.versions
}

func main() {
	runs := flag.Int("runs", 3, "measurements per scenario and variant")
	appList := flag.String("apps", "node-yarn,node-npm,node-native,python-uv", "examples to measure")
	ci := flag.Bool("ci", true, "also measure the fresh-daemon (CI) scenarios")
	multi := flag.Bool("two-platforms", true, "also measure a cold two-platform build, for the apps that have one")
	out := flag.String("out", "", "also write the table to this file")
	flag.Parse()

	env, err := environment()
	if err != nil {
		fail(err)
	}
	var tables []string
	for _, name := range strings.Split(*appList, ",") {
		a, ok := apps[name]
		if !ok {
			var have []string
			for n := range apps {
				have = append(have, n)
			}
			sort.Strings(have)
			fail(fmt.Errorf("no reference Dockerfiles for %q (have: %s)", name, strings.Join(have, ", ")))
		}
		a.twoPlatforms = a.twoPlatforms && *multi
		res, err := measure(env, a, *runs, *ci)
		if err != nil {
			fail(err)
		}
		tables = append(tables, res.table(a, *runs))
	}
	header, err := env.header()
	if err != nil {
		fail(err)
	}
	report := header + "\n" + strings.Join(tables, "\n")
	fmt.Println()
	fmt.Print(report)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// result holds every timing and the final release of each variant, by
// variant name.
type result struct {
	times    map[string]map[string][]time.Duration // variant → scenario → samples
	steps    map[string]map[string][]step          // variant → scenario → slowest steps of the last run
	releases map[string]*releaseInfo
}

// measure runs every scenario runs times for every variant, each run
// starting with the next variant in turn.
func measure(env *environ, a app, runs int, ci bool) (*result, error) {
	res := &result{times: map[string]map[string][]time.Duration{}, steps: map[string]map[string][]step{}, releases: map[string]*releaseInfo{}}
	vs := make([]*variant, len(variants))
	for i := range variants {
		v := variants[i] // a copy: dir is per app
		vs[i] = &v
		res.times[v.name] = map[string][]time.Duration{}
		res.steps[v.name] = map[string][]step{}
		if err := v.prepare(env, a); err != nil {
			return nil, err
		}
		defer os.RemoveAll(filepath.Dir(v.dir))
	}
	for run := 0; run < runs; run++ {
		first := run % len(vs)
		order := append(append([]*variant(nil), vs[first:]...), vs[:first]...)
		_, _, versions := a.bumps()
		for _, v := range order {
			cacheRef := fmt.Sprintf("%s/bench-cache/%s-%s:run%d-%d", env.registry, a.name, v.slug, run, time.Now().UnixNano())
			for _, sc := range scenarios {
				if strings.HasPrefix(sc, "ci-") && !ci {
					continue
				}
				// the 2018 pattern is not measured on two platforms: the
				// target is the expert's
				if sc == "cold-2p" && (!a.twoPlatforms || v.slug == "dockerfile-2018") {
					continue
				}
				switch sc {
				case "cold", "cold-2p":
					if err := env.prune(); err != nil {
						return nil, err
					}
				case "edit", "ci-edit":
					if err := v.editSource(a, run); err != nil {
						return nil, err
					}
				case "bump":
					if err := v.bump(env, a, versions[(2*run)%len(versions)]); err != nil {
						return nil, err
					}
				case "ci-bump":
					if err := v.bump(env, a, versions[(2*run+1)%len(versions)]); err != nil {
						return nil, err
					}
				}
				var d time.Duration
				var slow []step
				var err error
				switch {
				case strings.HasPrefix(sc, "ci-"):
					d, slow, err = v.buildFresh(env, a, cacheRef)
				case sc == "cold-2p":
					d, slow, err = v.build(env, a, env.buildkit, "--opt", "platform="+twoPlatforms)
				default:
					d, slow, err = v.build(env, a, env.buildkit)
				}
				if err != nil {
					return nil, err
				}
				res.times[v.name][sc] = append(res.times[v.name][sc], d)
				res.steps[v.name][sc] = slow
				fmt.Fprintf(os.Stderr, "  %-11s %-17s run %d  %-5s %6.2fs\n", a.name, v.name, run+1, sc, d.Seconds())
			}
		}
	}
	for _, v := range vs {
		info, err := inspect(env, a, v)
		if err != nil {
			return nil, err
		}
		res.releases[v.name] = info
	}
	return res, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// target is a goal for Stagefile's ratio to the 2018 and to the expert
// Dockerfile: Stagefile's figure divided by theirs must not exceed it.
type target struct{ vs2018, vsExpert float64 }

var targets = map[string]target{
	"cold":       {0.7, 0.85},
	"edit":       {0.35, 0.8},
	"bump":       {0.45, 0.8},
	"ci-bump":    {0, 0.6},
	"cold-2p":    {0, 0.5},
	"beyondBase": {0.12, 1.0},
}

// noopTarget is on Stagefile's own time: a no-op rebuild is fixed costs.
const noopTarget = 0.5 // seconds

// table renders one app's figures as markdown: one column per variant,
// then Stagefile's ratio to each Dockerfile, marked ✓ where it meets its
// target and ✗ where it misses.
func (r *result) table(a app, runs int) string {
	old, expert, sf := variants[0].name, variants[1].name, variants[2].name
	var b strings.Builder
	line := func(cells ...string) { b.WriteString("| " + strings.Join(cells, " | ") + " |\n") }
	mark := func(ok bool) string {
		if ok {
			return " ✓"
		}
		return " ✗"
	}
	// compare renders one figure of the three variants, with ratios.
	compare := func(title string, o, e, s float64, format string, t target, hasTarget bool) {
		r1, r2, goal := fmt.Sprintf("%.2f×", s/o), fmt.Sprintf("%.2f×", s/e), ""
		if hasTarget && t.vs2018 > 0 {
			r1 += mark(s/o <= t.vs2018)
			goal = fmt.Sprintf("≤ %.2f× / ", t.vs2018)
		} else if hasTarget {
			goal = "– / "
		}
		if hasTarget {
			r2 += mark(s/e <= t.vsExpert)
			goal += fmt.Sprintf("≤ %.2f×", t.vsExpert)
		}
		line(title, fmt.Sprintf(format, o), fmt.Sprintf(format, e), fmt.Sprintf(format, s), r1, r2, goal)
	}

	fmt.Fprintf(&b, "### %s (median of %d)\n\n", a.name, runs)
	line("", old, expert, sf, "Stagefile / 2018", "Stagefile / expert", "target (vs 2018 / vs expert)")
	line("---", "---:", "---:", "---:", "---:", "---:", "---")
	for _, sc := range scenarios {
		if len(r.times[sf][sc]) == 0 {
			continue
		}
		o, e, s := median(r.times[old][sc]).Seconds(), median(r.times[expert][sc]).Seconds(), median(r.times[sf][sc]).Seconds()
		if len(r.times[old][sc]) == 0 {
			e, s := median(r.times[expert][sc]).Seconds(), median(r.times[sf][sc]).Seconds()
			r2, goal := fmt.Sprintf("%.2f×", s/e), ""
			if t, ok := targets[sc]; ok {
				r2 += mark(s/e <= t.vsExpert)
				goal = fmt.Sprintf("– / ≤ %.2f×", t.vsExpert)
			}
			line(scenarioTitle[sc], "–", fmt.Sprintf("%.2f s", e), fmt.Sprintf("%.2f s", s), "", r2, goal)
			continue
		}
		if sc == "noop" {
			line(scenarioTitle[sc], fmt.Sprintf("%.2f s", o), fmt.Sprintf("%.2f s", e), fmt.Sprintf("%.2f s", s),
				"", "", fmt.Sprintf("Stagefile ≤ %.1f s%s", noopTarget, mark(s <= noopTarget)))
			continue
		}
		t, ok := targets[sc]
		compare(scenarioTitle[sc], o, e, s, "%.2f s", t, ok)
	}
	ro, re, rs := r.releases[old], r.releases[expert], r.releases[sf]
	compare("release, compressed", mb(ro.compressed), mb(re.compressed), mb(rs.compressed), "%.1f MB", target{}, false)
	compare("release, uncompressed", mb(ro.uncompressed), mb(re.uncompressed), mb(rs.uncompressed), "%.1f MB", target{}, false)
	compare("release beyond the runtime base, uncompressed", mb(ro.beyondBase), mb(re.beyondBase), mb(rs.beyondBase), "%.1f MB",
		targets["beyondBase"], true)
	// check shows a yes/no property of each release, in bold where it is
	// not what it should be.
	check := func(title string, want bool, got func(*releaseInfo) bool) {
		show := func(i *releaseInfo) string {
			if got(i) != want {
				return "**" + yesNo(got(i)) + "**"
			}
			return yesNo(got(i))
		}
		line(title, show(ro), show(re), show(rs), "", "", yesNo(want))
	}
	check("production dependencies and build output in the release ("+strings.Join(a.ships, ", ")+")", true,
		func(i *releaseInfo) bool { return i.ships })
	check("dev dependencies or compilers in the release (/"+a.dev+")", false, func(i *releaseInfo) bool { return i.devDeps })
	check("package-manager cache in the release", false, func(i *releaseInfo) bool { return i.cache })
	check("registry token (.npmrc) in the release", false, func(i *releaseInfo) bool { return i.secret })

	b.WriteString("\nSlowest steps of the last run (what dominates each figure):\n\n")
	for _, sc := range scenarios {
		if len(r.steps[sf][sc]) == 0 {
			continue
		}
		for _, v := range variants {
			if len(r.steps[v.name][sc]) == 0 {
				continue
			}
			var parts []string
			for _, st := range r.steps[v.name][sc] {
				parts = append(parts, fmt.Sprintf("%s %.1fs", st.name, st.took.Seconds()))
			}
			fmt.Fprintf(&b, "- %s, %s: %s\n", scenarioTitle[sc], v.name, strings.Join(parts, "; "))
		}
	}
	return b.String()
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func mb(n int64) float64 { return float64(n) / 1e6 }
