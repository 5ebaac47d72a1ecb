// Package preset lists the presets a Stagefile can name. Each is a
// plan.Provider in its own package, and everything the core needs to
// know of an ecosystem comes from its provider (plan.Ecosystem and the
// optional hooks): the format (package spec), the plan, the converter and
// the frontend name none of them.
package preset

import (
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset/golang"
	"github.com/stagefile/stagefile/preset/java"
	"github.com/stagefile/stagefile/preset/node"
	"github.com/stagefile/stagefile/preset/python"
	"github.com/stagefile/stagefile/preset/rust"
)

// Providers by the name `preset:` gives.
var Providers = plan.Providers{}

func init() {
	for _, p := range []plan.Provider{node.Provider{}, python.Provider{}, golang.Provider{}, rust.Provider{}, java.Provider{}} {
		Providers[p.Name()] = p
	}
}

// Names are the presets' names, sorted.
func Names() []string { return Providers.Names() }

// Rules are every lint rule: the plan's and each preset's.
func Rules() []*plan.Rule {
	rules := append([]*plan.Rule{}, plan.Rules...)
	for _, p := range Providers.Sorted() {
		rules = append(rules, p.Rules()...)
	}
	return rules
}
