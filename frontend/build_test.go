package frontend

import (
	"context"
	"testing"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/pkg/errors"
	"gotest.tools/v3/assert"
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
