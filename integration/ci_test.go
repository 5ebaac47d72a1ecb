package integration

import (
	"encoding/json"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/image"
)

// TestSBOM: docker buildx build --sbom=true attaches the frontend's own
// SPDX document, with no scanner image to pull (none is reachable here):
// the release's production packages, not the dev dependencies; and
// --provenance=mode=max works alongside.
func TestSBOM(t *testing.T) {
	dir := example(t, "node-yarn")
	builder := remoteBuilder(t, "stagefile-test-sbom")
	ref := uniqueRef(t, "sbom")
	out, err := run(t, dir, nil, "docker", "buildx", "build", "--builder", builder, "--progress=plain",
		"-f", "Stagefile", "--sbom=true", "--provenance=mode=max", "--output", pushOutput(ref), ".")
	assert.NilError(t, err, tail(out, 30))
	atts, err := image.Attestations(ref)
	assert.NilError(t, err)
	statement, ok := atts["https://spdx.dev/Document"]
	assert.Assert(t, ok, "no SPDX attestation; have %v", keys(atts))
	var doc struct {
		Predicate struct {
			Packages []struct {
				Name    string `json:"name"`
				Version string `json:"versionInfo"`
			} `json:"packages"`
		} `json:"predicate"`
	}
	assert.NilError(t, json.Unmarshal(statement, &doc))
	names := map[string]string{}
	for _, p := range doc.Predicate.Packages {
		names[p.Name] = p.Version
	}
	assert.Check(t, names["express"] != "", "express is not in the SBOM: %v", names)
	for _, dev := range []string{"jest", "@babel/core", "babel-jest"} {
		assert.Check(t, is.Equal(names[dev], ""), "%s (a dev dependency) is in the SBOM", dev)
	}
	t.Logf("SBOM: %d packages", len(names))
	_, ok = atts["https://slsa.dev/provenance/v0.2"]
	if !ok {
		_, ok = atts["https://slsa.dev/provenance/v1"]
	}
	assert.Check(t, ok, "no provenance attestation; have %v", keys(atts))
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
