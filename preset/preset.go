// Package preset lists the presets a Stagefile can name. Each is a
// plan.Provider in its own package; the format (package spec) and the
// plan know none of them.
package preset

import (
	"sort"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/golang"
	"github.com/stagefile/stagefile/preset/node"
	"github.com/stagefile/stagefile/preset/python"
)

// Providers by the name `preset:` gives.
var Providers = map[string]plan.Provider{}

func init() {
	for _, p := range []plan.Provider{node.Provider{}, python.Provider{}, golang.Provider{}} {
		Providers[p.Name()] = p
	}
}

// Names are the presets' names, sorted.
func Names() []string {
	var names []string
	for n := range Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Rules are every lint rule: the plan's and each preset's.
func Rules() []*plan.Rule {
	rules := append([]*plan.Rule{}, plan.Rules...)
	for _, n := range Names() {
		rules = append(rules, Providers[n].Rules()...)
	}
	return rules
}
