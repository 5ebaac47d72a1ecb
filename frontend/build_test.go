package frontend

import (
	"context"
	"testing"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/pkg/errors"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestTelling: of two solves sharing a failed step, the error with the
// step's Stagefile location is reported, whichever came back first.
func TestTelling(t *testing.T) {
	step := errdefs.WithSource(errors.New("process did not complete successfully: exit code: 3"), &errdefs.Source{})
	released := errors.New("releasing already released reference")
	assert.Equal(t, telling([]error{released, step}), step)
	assert.Equal(t, telling([]error{step, context.Canceled}), step)
	assert.Equal(t, telling([]error{context.Canceled, released}), released)
	assert.Equal(t, telling([]error{released, nil}), released)
	assert.NilError(t, telling([]error{nil, nil}))
}

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
