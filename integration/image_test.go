package integration

import (
	"testing"

	"gotest.tools/v3/assert"

	"github.com/stagefile/stagefile/internal/image"
)

// pullImage reads ref from the local registry.
func pullImage(t testing.TB, ref string) *image.Image {
	t.Helper()
	img, err := image.FromRegistry(ref)
	assert.NilError(t, err)
	return img
}

// ociImage reads an OCI layout tarball (--output type=oci).
func ociImage(t testing.TB, tarPath string) *image.Image {
	t.Helper()
	img, err := image.FromOCILayout(tarPath)
	assert.NilError(t, err)
	return img
}

// filesOf is an image's merged filesystem.
func filesOf(t testing.TB, img *image.Image) map[string]*image.File {
	t.Helper()
	files, err := img.Files()
	assert.NilError(t, err)
	return files
}

// inRegistry reports whether the local registry has ref.
func inRegistry(t testing.TB, ref string) bool {
	t.Helper()
	ok, err := image.Exists(ref)
	assert.NilError(t, err)
	return ok
}
