package frontend

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestLintConfig: the "# check=" line, and the build arg that overrides it.
func TestLintConfig(t *testing.T) {
	cfg, err := LintConfig([]byte("# syntax=x\n# check=skip=NoTests,RunsAsRoot;error=true\nversion: 1\n"), nil)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(cfg.Skip, []string{"NoTests", "RunsAsRoot"}))
	assert.Check(t, cfg.Error)
	cfg, err = LintConfig([]byte("version: 1\n"), nil)
	assert.NilError(t, err)
	assert.Check(t, !cfg.Error && !cfg.SkipAll && len(cfg.Skip) == 0)
	_, err = LintConfig([]byte("# check=error=maybe\n"), nil)
	assert.Check(t, is.ErrorContains(err, "check="))
}
