package plan

import (
	"fmt"
	"testing"
	"unicode"

	yaml "go.yaml.in/yaml/v3"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/spec"
)

// TestYAMLParsesBack: whatever a plan holds, its YAML view is YAML that
// reads back to the same strings, and no control character reaches the
// terminal that prints it.
func TestYAMLParsesBack(t *testing.T) {
	p := hostilePlan()
	out := p.YAML()
	for _, r := range string(out) {
		assert.Assert(t, r == '\n' || unicode.IsPrint(r), "%q in\n%s", r, out)
	}
	var v struct {
		Env     map[string]string
		Source  struct{ Exclude []string }
		Test    struct{ Run string }
		Build   struct{ Run string }
		Secrets []struct{ ID string }
		Release struct {
			Labels     map[string]string
			Cmd        []string
			Entrypoint []string
		}
	}
	assert.NilError(t, yaml.Unmarshal(out, &v), "%s", out)
	for i, s := range hostile {
		assert.Check(t, is.Equal(v.Env[fmt.Sprintf("V%d", i)], s))
		assert.Check(t, is.Equal(v.Release.Labels[s], s))
	}
	assert.Check(t, is.Equal(v.Secrets[0].ID, "x\ny"))
	assert.Check(t, is.DeepEqual(v.Source.Exclude, hostile))
	assert.Check(t, is.DeepEqual(v.Release.Cmd, hostile))
	assert.Check(t, is.DeepEqual(v.Release.Entrypoint, []string{}))
	assert.Check(t, is.Equal(v.Test.Run, p.Test.Run.Script()))
	assert.Check(t, is.Equal(v.Build.Run, p.Build.Run.Script()))
	// an origin's text stays on its line: the comment cannot add a key
	var keys map[string]any
	assert.NilError(t, yaml.Unmarshal(out, &keys))
	assert.Check(t, keys["injected"] == nil)
}

// TestYAMLBlockKeepsComments: a script line holding "  # " is the
// script's, not an origin to align.
func TestYAMLBlockKeepsComments(t *testing.T) {
	o := Origin{Kind: Stagefile, At: spec.Range{Start: spec.Pos{Line: 5, Column: 8}}}
	p := &Plan{Test: Test{Run: Shell("make test  # all\nmake lint\n", o)}}
	assert.Check(t, is.Contains(string(p.YAML()), "run: |                                    # line 5:8\n    make test  # all\n    make lint\n"))
}

// TestYAMLOfEverything: the YAML view of every field a plan has is YAML.
func TestYAMLOfEverything(t *testing.T) {
	out := fullPlan().YAML()
	assert.NilError(t, yaml.Unmarshal(out, &map[string]any{}), "%s", out)
}
