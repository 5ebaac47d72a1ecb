// Package scaffold is the scaffolding every preset's Fill shares: the plan it
// fills, what it may read, where its values come from, its errors at the
// preset line and its warnings.
package scaffold

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
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

// Port is a port a source file names, and the text that names it.
type Port struct{ Number, Text string }

// Ports finds the ports that patterns match in src (each pattern's first
// group), from 1 to 65535, each once, in the order they appear in src.
func Ports(src []byte, patterns ...*regexp.Regexp) []Port {
	type at struct {
		i int
		p Port
	}
	var found []at
	seen := map[string]bool{}
	for _, re := range patterns {
		for _, m := range re.FindAllSubmatchIndex(src, 20) {
			n := string(src[m[2]:m[3]])
			v, err := strconv.Atoi(n)
			if err != nil || v < 1 || v > 65535 || strings.HasPrefix(n, "0") || seen[n] {
				continue
			}
			seen[n] = true
			found = append(found, at{m[0], Port{Number: n, Text: spec.Printable(lines(src, m[0], m[3]), 72)}})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].i < found[j].i })
	out := make([]Port, len(found))
	for i, f := range found {
		out[i] = f.p
	}
	return out
}

// lines is the source line of src[from:to], or its first and last line
// when it spans several, each trimmed.
func lines(src []byte, from, to int) string {
	start := bytes.LastIndexByte(src[:from], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[to:], '\n'); i >= 0 {
		end = to + i
	}
	ls := strings.Split(string(src[start:end]), "\n")
	first, last := strings.TrimSpace(ls[0]), strings.TrimSpace(ls[len(ls)-1])
	if len(ls) == 1 {
		return first
	}
	return first + " … " + last
}

// Expose is release.expose from the ports file names: one is the app's
// port; several are a TODO that lists them.
func Expose(file string, ports []Port) []plan.Suggestion {
	switch len(ports) {
	case 0:
		return nil
	case 1:
		return []plan.Suggestion{{Field: "release.expose", Values: []string{ports[0].Number}, From: spec.Printable(file, spec.ValueLimit) + ": " + ports[0].Text}}
	}
	var nums, texts []string
	for _, p := range ports {
		nums = append(nums, p.Number)
		texts = append(texts, p.Text)
	}
	return []plan.Suggestion{{Field: "release.expose", Values: nums, Unsure: true,
		From: spec.Printable(file, spec.ValueLimit) + " names several ports (" + strings.Join(texts, "; ") + "): keep the one the app listens on"}}
}
