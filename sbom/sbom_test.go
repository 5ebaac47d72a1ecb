package sbom

import (
	"encoding/json"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

func TestSPDX(t *testing.T) {
	pkgs := []plan.Package{
		{Ecosystem: "npm", Name: "express", Version: "4.21.2", License: "MIT", Download: "https://registry.npmjs.org/express/-/express-4.21.2.tgz",
			Integrity: "sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA=="},
		{Ecosystem: "npm", Name: "@koa/router", Version: "13.1.1"},
	}
	created := time.Unix(1700000000, 0)
	dt, err := SPDX("my-app", "stagefile-dev", pkgs, created)
	assert.NilError(t, err)
	again, err := SPDX("my-app", "stagefile-dev", []plan.Package{pkgs[1], pkgs[0]}, created)
	assert.NilError(t, err)
	assert.Check(t, is.Equal(string(dt), string(again)), "the document depends on its content only")

	var doc struct {
		SPDXVersion       string `json:"spdxVersion"`
		DocumentNamespace string `json:"documentNamespace"`
		CreationInfo      struct{ Created string }
		Packages          []struct {
			Name         string `json:"name"`
			Version      string `json:"versionInfo"`
			License      string `json:"licenseDeclared"`
			Checksums    []struct{ Algorithm, ChecksumValue string }
			ExternalRefs []struct{ ReferenceLocator string }
		}
	}
	assert.NilError(t, json.Unmarshal(dt, &doc))
	assert.Check(t, is.Equal(doc.SPDXVersion, "SPDX-2.3"))
	assert.Check(t, is.Equal(doc.CreationInfo.Created, "2023-11-14T22:13:20Z"))
	assert.Assert(t, is.Len(doc.Packages, 2))
	assert.Check(t, is.Equal(doc.Packages[0].Name, "@koa/router"))
	assert.Check(t, is.Equal(doc.Packages[0].ExternalRefs[0].ReferenceLocator, "pkg:npm/%40koa/router@13.1.1"))
	assert.Check(t, is.Equal(doc.Packages[1].License, "MIT"))
	assert.Check(t, is.Equal(doc.Packages[1].Checksums[0].Algorithm, "SHA512"))
	assert.Check(t, is.Len(doc.Packages[1].Checksums[0].ChecksumValue, 128))
}
