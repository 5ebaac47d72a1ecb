// Package scaffold is the scaffolding every preset's Fill shares: the plan it
// fills, what it may read, where its values come from, its errors at the
// preset line and its warnings.
package scaffold

import (
	"fmt"
	"strings"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// Filler carries one preset's Fill.
type Filler struct {
	// Preset is the preset's name, for origins.
	Preset   string
	P        *plan.Plan
	Facts    *plan.Facts
	Warnings []*plan.Warning
}

// New starts a Fill of p by preset.
func New(preset string, p *plan.Plan, facts *plan.Facts) *Filler {
	return &Filler{Preset: preset, P: p, Facts: facts}
}

// Origin is the origin of a value the preset fills from what it read:
// messages about it point at the preset line.
func (f *Filler) Origin(from string) plan.Origin {
	return plan.Origin{Kind: plan.Preset, At: f.P.Preset.Origin.At, Preset: f.Preset, From: from}
}

// Fail is an error at the preset line.
func (f *Filler) Fail(format string, args ...any) error {
	return f.FailAt(f.P.Preset.Origin.At, format, args...)
}

// FailAt is an error at a line of the Stagefile.
func (f *Filler) FailAt(at spec.Range, format string, args ...any) error {
	return spec.Errors{spec.Errorf(f.P.File, at, format, args...)}
}

// Warn records a finding of rule about the value decided by o.
func (f *Filler) Warn(rule *plan.Rule, o plan.Origin, format string, args ...any) {
	f.Warnings = append(f.Warnings, plan.Warn(f.P, rule, o, format, args...))
}

// Few lists the first three of items and counts the rest: "a, b, c and
// 4 more", for a message about many missing things.
func Few(items []string) string {
	more := ""
	if len(items) > 3 {
		more = fmt.Sprintf(" and %d more", len(items)-3)
		items = items[:3]
	}
	return strings.Join(items, ", ") + more
}
