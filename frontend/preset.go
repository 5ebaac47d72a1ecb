package frontend

import (
	"context"

	"github.com/pkg/errors"
)

// applyPreset fills the fields a preset derives from the build context.
func (b *builder) applyPreset(ctx context.Context) error {
	if b.spec.Preset == "" {
		return nil
	}
	return errors.Errorf("preset %q is not implemented yet", b.spec.Preset)
}
