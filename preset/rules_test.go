package preset_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	"gotest.tools/v3/golden"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/preset"
)

const stagefileDoc = "../docs/stagefile.md"

// rulesTable is docs/stagefile.md's table of every rule in the registry,
// with who declares it.
func rulesTable(t *testing.T) string {
	owner := map[*plan.Rule]string{}
	for _, r := range plan.Rules {
		owner[r] = "every Stagefile"
	}
	for _, p := range preset.Providers.Sorted() {
		for _, r := range p.Rules() {
			owner[r] = "preset " + p.Name()
		}
	}
	rules, err := preset.Providers.Registry()
	assert.NilError(t, err)
	var b strings.Builder
	b.WriteString("| rule | finds | checked for | a finding |\n| --- | --- | --- | --- |\n")
	for _, r := range rules {
		effect := "warns (fails the build with `# check=error=true`)"
		if r.FailsRelease != "" {
			effect = "fails the release target; warns for the others"
		}
		name := fmt.Sprintf("[%s](#%s)", r.Name, strings.ToLower(r.Name))
		if len(r.Aliases) > 0 {
			name += " (formerly " + strings.Join(r.Aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, r.Description, owner[r], effect)
	}
	return b.String()
}

var generated = regexp.MustCompile(`(?s)(<!-- rules: [^\n]*-->\n).*?(<!-- /rules -->)`)

// TestRulesTable: the docs list every rule of the registry, generated
// from it, and explain each under a heading of its name (its URL's
// anchor).
func TestRulesTable(t *testing.T) {
	dt, err := os.ReadFile(stagefileDoc)
	assert.NilError(t, err)
	doc := string(dt)
	assert.Assert(t, generated.MatchString(doc), "no generated rules table in %s", stagefileDoc)
	want := generated.ReplaceAllString(doc, "${1}"+strings.ReplaceAll(rulesTable(t), "$", "$$")+"${2}")
	if golden.FlagUpdate() {
		assert.NilError(t, os.WriteFile(stagefileDoc, []byte(want), 0o644))
		return
	}
	assert.Assert(t, doc == want, "the rules table in %s is stale: run go test ./preset -run TestRulesTable -update", stagefileDoc)
	rules, err := preset.Providers.Registry()
	assert.NilError(t, err)
	for _, r := range rules {
		assert.Check(t, strings.Contains(doc, "\n### "+r.Name+"\n"), "%s has no section %q", stagefileDoc, "### "+r.Name)
		assert.Check(t, strings.HasSuffix(r.URL, "docs/stagefile.md#"+strings.ToLower(r.Name)), "%s: %s", r.Name, r.URL)
	}
}
