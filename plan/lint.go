package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stagefile/stagefile/spec"
)

// Rule is a lint rule: a setting that builds, but makes a worse or
// riskier image. Rules are values, declared once (the plan's here, each
// preset's in its package) and listed in one registry, so that --call
// check, the progress stream, `# check=skip=...`, `stagefile check` and
// the docs all name the same thing, and nothing is matched by its name.
type Rule struct {
	Name        string
	Description string
	// URL is where docs/stagefile.md explains the rule.
	URL string
	// Aliases are former names, which `# check=skip=` still accepts.
	Aliases []string
	// FailsRelease, when set, makes a finding fail the release target,
	// with these words before its message: that image would not do its
	// job. Other targets build, with the finding as a warning, and
	// `# check=skip=` does not silence it: the Stagefile sets what it
	// lacks instead, as the message says.
	FailsRelease string
}

const rulesURL = "https://github.com/stagefile/stagefile/blob/main/docs/stagefile.md#"

// NewRule declares a rule; its URL is its anchor in docs/stagefile.md.
func NewRule(name, description string) *Rule {
	return &Rule{Name: name, Description: description, URL: rulesURL + strings.ToLower(name)}
}

// Alias adds former names of the rule.
func (r *Rule) Alias(names ...string) *Rule {
	r.Aliases = append(r.Aliases, names...)
	return r
}

// FailRelease makes the rule's findings fail the release target.
func (r *Rule) FailRelease(words string) *Rule {
	r.FailsRelease = words
	return r
}

// Is reports whether name (any case) is the rule's name or an alias.
func (r *Rule) Is(name string) bool {
	if strings.EqualFold(name, r.Name) {
		return true
	}
	for _, a := range r.Aliases {
		if strings.EqualFold(name, a) {
			return true
		}
	}
	return false
}

// Registry is every rule: the plan's and each provider's, sorted by name.
// Two rules of one name are an error.
func (ps Providers) Registry() ([]*Rule, error) {
	rules := append([]*Rule{}, Rules...)
	for _, p := range ps.Sorted() {
		rules = append(rules, p.Rules()...)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Name < rules[j].Name })
	seen := map[string]*Rule{}
	for _, r := range rules {
		for _, n := range append([]string{r.Name}, r.Aliases...) {
			if other, ok := seen[strings.ToLower(n)]; ok && other != r {
				return nil, fmt.Errorf("two lint rules are named %s", n)
			}
			seen[strings.ToLower(n)] = r
		}
	}
	return rules, nil
}

// Warning is a rule's finding at a place in the Stagefile.
type Warning struct {
	Rule  *Rule
	File  string
	Range spec.Range
	Msg   string
	// Whole: the finding is about no line in particular (a --build-arg
	// passed on the command line); Range is the whole file.
	Whole bool
}

// Warn is a warning about the value decided by o.
func Warn(p *Plan, rule *Rule, o Origin, format string, args ...any) *Warning {
	// its values may come from the context (manifests, folder
	// names): no control characters reach the user's terminal
	return &Warning{Rule: rule, File: p.File, Range: o.At, Msg: escapeControl(fmt.Sprintf(format, args...)), Whole: o.At == p.Span}
}

// Error is the compiler-style form: "Stagefile:9:15: msg [Rule]".
func (w *Warning) Error() string {
	if w.Whole {
		return fmt.Sprintf("%s: %s [%s]", w.File, w.Msg, w.Rule.Name)
	}
	return fmt.Sprintf("%s:%d:%d: %s [%s]", w.File, w.Range.Start.Line, w.Range.Start.Column, w.Msg, w.Rule.Name)
}

// LintConfig is what the Stagefile's `# check=` line (or the
// BUILDKIT_DOCKERFILE_CHECK build arg) says of the rules: which to skip,
// and whether the findings fail the build. The frontend and the CLI apply
// it with Report, nowhere else.
type LintConfig struct {
	SkipAll bool
	Skip    []string
	// Error: any finding shown fails the build.
	Error bool
}

// Skips reports whether the configuration silences rule.
func (c LintConfig) Skips(rule *Rule) bool {
	if c.SkipAll {
		return true
	}
	for _, name := range c.Skip {
		if rule.Is(name) {
			return true
		}
	}
	return false
}

// Report is what a build shows of the findings and whether it fails:
// the findings not skipped, in order, and an error when a finding fails
// the release (release: the release target is built) or, with Error, any
// finding is shown.
func (c LintConfig) Report(ws []*Warning, release bool) ([]*Warning, error) {
	var shown []*Warning
	var names []string
	var fatal spec.Errors
	seen := map[string]bool{}
	for _, w := range ws {
		if release && w.Rule.FailsRelease != "" {
			fatal = append(fatal, spec.Errorf(w.File, w.Range, "%s: %s. The test, build and dependencies targets build without it [%s]", w.Rule.FailsRelease, w.Msg, w.Rule.Name))
			continue
		}
		if c.Skips(w.Rule) {
			continue
		}
		shown = append(shown, w)
		if !seen[w.Rule.Name] {
			seen[w.Rule.Name] = true
			names = append(names, w.Rule.Name)
		}
	}
	if len(fatal) > 0 {
		return shown, fatal
	}
	if c.Error && len(names) > 0 {
		return shown, fmt.Errorf("lint violations found for rules: %s (the Stagefile's \"# check=\" line has error=true)", strings.Join(names, ", "))
	}
	return shown, nil
}
