package java

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestPOMDeclaredEncoding: an older pom that declares ISO-8859-1 reads
// (its text is ASCII); one that declares an encoding the preset does not
// read says which.
func TestPOMDeclaredEncoding(t *testing.T) {
	pm, err := parsePOM("pom.xml", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>
<project><artifactId>shop</artifactId></project>`))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(pm.ArtifactID, "shop"))
	_, err = parsePOM("pom.xml", []byte(`<?xml version="1.0" encoding="Shift_JIS"?><project/>`))
	assert.Check(t, is.ErrorContains(err, `encoding "Shift_JIS" is not one the preset reads`))
}
