package plan

import (
	"hash/fnv"
	"sort"
)

// FetchGroups is how many steps a Fetch of many packages downloads in:
// few enough that a cold build does not pay a container start per
// package, many enough that a bump re-downloads a small share of them.
// Smaller lockfiles get fewer steps, about 16 packages each.
const FetchGroups = 16

// groups is how many steps n packages are fetched in: a power of two,
// so the count changes only when the lockfile doubles or halves.
func groups(n int) int {
	g := 1
	for g < FetchGroups && n > 16*g {
		g *= 2
	}
	return g
}

// Groups splits the downloads by package name, each group sorted by file:
// a package stays in its group whatever its version, so a bump changes
// only the groups of the packages it moves. Empty groups are left out.
func (f *Fetch) Groups() [][]Download {
	n := groups(len(f.Packages))
	all := make([][]Download, n)
	for _, d := range f.Packages {
		h := fnv.New32a()
		h.Write([]byte(d.Name))
		i := h.Sum32() % uint32(n)
		all[i] = append(all[i], d)
	}
	var out [][]Download
	for _, g := range all {
		if len(g) == 0 {
			continue
		}
		sort.Slice(g, func(i, j int) bool { return g[i].File < g[j].File })
		out = append(out, g)
	}
	return out
}
