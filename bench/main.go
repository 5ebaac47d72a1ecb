// Command bench measures Stagefile against the hand-written multi-stage
// Dockerfile it replaces, side by side on one BuildKit daemon: cold build,
// no-op rebuild, rebuild after a source edit, rebuild after a dependency
// bump, and the release image's size and contents. It alternates the two
// variants, repeats N times and prints medians and Stagefile/Dockerfile
// ratios, since absolute times on shared machines drift.
//
// Run it through `make bench` (hack/bench.sh), which starts the daemon.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// app is an example with the reference Dockerfile kept in bench/<name>.
type app struct {
	name   string
	edit   string // a source file the edit scenario touches
	devDep string // a dev dependency that must not ship
	pm     string // yarn or npm: how the bump rewrites the lockfile
}

var apps = map[string]app{
	"node-yarn": {name: "node-yarn", edit: "src/app.js", devDep: "jest", pm: "yarn"},
	"node-npm":  {name: "node-npm", edit: "src/orders.ts", devDep: "typescript", pm: "npm"},
}

// scenario names, in the order they run.
var scenarios = []string{"cold", "noop", "edit", "bump"}

var scenarioTitle = map[string]string{
	"cold": "cold build (after prune --all)",
	"noop": "no-op rebuild",
	"edit": "rebuild after a source edit",
	"bump": "rebuild after a dependency bump",
}

// bumpVersions: each run moves one dependency to a version no earlier
// build used, so no cache can answer.
var bumpVersions = []string{"4.17.21", "4.17.20", "4.17.19", "4.17.15", "4.17.11", "4.17.10", "4.17.5", "4.17.4", "4.17.2", "4.17.1"}

const setupVersion = "4.17.0"

func main() {
	runs := flag.Int("runs", 3, "measurements per scenario and variant")
	appList := flag.String("apps", "node-yarn,node-npm", "examples to measure")
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
			fail(fmt.Errorf("no reference Dockerfile for %q (have: node-yarn, node-npm)", name))
		}
		res, err := measure(env, a, *runs)
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

// result holds every timing and the final release of each variant.
type result struct {
	times    map[string]map[string][]time.Duration // variant → scenario → samples
	steps    map[string]map[string][]step          // variant → scenario → slowest steps of the last run
	releases map[string]*releaseInfo
}

// measure runs every scenario runs times for both variants, alternating
// which goes first.
func measure(env *environ, a app, runs int) (*result, error) {
	res := &result{times: map[string]map[string][]time.Duration{}, steps: map[string]map[string][]step{}, releases: map[string]*releaseInfo{}}
	variants := []*variant{
		{name: "Dockerfile", file: "Dockerfile"},
		{name: "Stagefile", file: "Stagefile"},
	}
	for _, v := range variants {
		res.times[v.name] = map[string][]time.Duration{}
		res.steps[v.name] = map[string][]step{}
		if err := v.prepare(env, a); err != nil {
			return nil, err
		}
		defer os.RemoveAll(v.dir)
	}
	for run := 0; run < runs; run++ {
		order := variants
		if run%2 == 1 {
			order = []*variant{variants[1], variants[0]}
		}
		for _, v := range order {
			for _, sc := range scenarios {
				switch sc {
				case "cold":
					if err := env.prune(); err != nil {
						return nil, err
					}
				case "edit":
					if err := v.editSource(a, run); err != nil {
						return nil, err
					}
				case "bump":
					if err := v.bump(a, bumpVersions[run%len(bumpVersions)]); err != nil {
						return nil, err
					}
				}
				d, slow, err := v.build(env, a)
				if err != nil {
					return nil, err
				}
				res.times[v.name][sc] = append(res.times[v.name][sc], d)
				res.steps[v.name][sc] = slow
				fmt.Fprintf(os.Stderr, "  %-10s %-10s run %d  %-5s %6.2fs\n", a.name, v.name, run+1, sc, d.Seconds())
			}
		}
	}
	for _, v := range variants {
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
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// table renders one app's figures as markdown.
func (r *result) table(a app, runs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s (median of %d)\n\n", a.name, runs)
	b.WriteString("| | Dockerfile | Stagefile | Stagefile / Dockerfile | target |\n| --- | ---: | ---: | ---: | --- |\n")
	targets := map[string]string{"cold": "≤ 0.8×", "noop": "≤ 0.5 s", "edit": "≤ 0.35×", "bump": "≤ 0.5×"}
	for _, sc := range scenarios {
		d, s := median(r.times["Dockerfile"][sc]), median(r.times["Stagefile"][sc])
		fmt.Fprintf(&b, "| %s | %.2f s | %.2f s | %.2f× | %s |\n", scenarioTitle[sc], d.Seconds(), s.Seconds(), s.Seconds()/d.Seconds(), targets[sc])
	}
	d, s := r.releases["Dockerfile"], r.releases["Stagefile"]
	mbRow := func(title string, dv, sv int64, target string) {
		fmt.Fprintf(&b, "| %s | %.1f MB | %.1f MB | %.3f× | %s |\n", title, mb(dv), mb(sv), float64(sv)/float64(dv), target)
	}
	mbRow("release, compressed", d.compressed, s.compressed, "")
	mbRow("release, uncompressed", d.uncompressed, s.uncompressed, "")
	mbRow("release beyond the runtime base, uncompressed", d.beyondBase, s.beyondBase, "≤ 0.12×")
	yes := func(v bool) string {
		if v {
			return "**yes**"
		}
		return "no"
	}
	fmt.Fprintf(&b, "| dev dependencies in the release (%s) | %s | %s | | no |\n", a.devDep, yes(d.devDeps), yes(s.devDeps))
	fmt.Fprintf(&b, "| package-manager cache in the release | %s | %s | | no |\n", yes(d.cache), yes(s.cache))
	fmt.Fprintf(&b, "| registry token (.npmrc) in the release | %s | %s | | no |\n", yes(d.secret), yes(s.secret))

	b.WriteString("\nSlowest steps of the last run (what dominates each figure):\n\n")
	for _, sc := range scenarios {
		for _, name := range []string{"Dockerfile", "Stagefile"} {
			var parts []string
			for _, st := range r.steps[name][sc] {
				parts = append(parts, fmt.Sprintf("%s %.1fs", st.name, st.took.Seconds()))
			}
			fmt.Fprintf(&b, "- %s, %s: %s\n", scenarioTitle[sc], name, strings.Join(parts, "; "))
		}
	}
	return b.String()
}

func mb(n int64) float64 { return float64(n) / 1e6 }
