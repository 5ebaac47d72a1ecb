// Package sbom writes the SPDX document of what a release ships: the
// production packages its lockfile pins, not the dev dependencies the
// tests and the build used. The frontend attaches it as the image's SBOM
// attestation itself, so `--sbom=true` needs no scanner image.
package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
	"github.com/pkg/errors"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// SPDX is the SPDX 2.3 JSON document of pkgs, describing the release
// named name. created is SOURCE_DATE_EPOCH when set, so the document of a
// reproducible build is reproducible too.
func SPDX(name, tool string, pkgs []plan.Package, created time.Time) ([]byte, error) {
	sorted := append([]plan.Package(nil), pkgs...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Name != sorted[j].Name {
			return sorted[i].Name < sorted[j].Name
		}
		return sorted[i].Version < sorted[j].Version
	})
	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   name,
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}},
			Created:  created.UTC().Format(time.RFC3339),
		},
	}
	ids := map[string]int{}
	for _, p := range sorted {
		id := spdxID(p, ids)
		pkg := &spdx.Package{
			PackageName:             p.Name,
			PackageSPDXIdentifier:   common.ElementID(id),
			PackageVersion:          p.Version,
			PackageDownloadLocation: noAssertion(spec.Redact(p.Download)),
			PackageLicenseConcluded: "NOASSERTION",
			PackageLicenseDeclared:  noAssertion(p.License),
			PackageCopyrightText:    "NOASSERTION",
			PrimaryPackagePurpose:   "LIBRARY",
		}
		if c, ok := checksum(p.Integrity); ok {
			pkg.PackageChecksums = []common.Checksum{c}
		}
		if purl := packageURL(p); purl != "" {
			pkg.PackageExternalReferences = []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: purl}}
		}
		doc.Packages = append(doc.Packages, pkg)
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA:         common.MakeDocElementID("", "DOCUMENT"),
			RefB:         common.MakeDocElementID("", id),
			Relationship: "DESCRIBES",
		})
	}
	// the namespace is unique to the content, and stable for equal content
	var body bytes.Buffer
	if err := spdxjson.Write(doc, &body); err != nil {
		return nil, errors.Wrap(err, "writing the SPDX document")
	}
	sum := sha256.Sum256(body.Bytes())
	doc.DocumentNamespace = "https://github.com/stagefile/stagefile/spdx/" + hex.EncodeToString(sum[:16])
	var out bytes.Buffer
	if err := spdxjson.Write(doc, &out); err != nil {
		return nil, errors.Wrap(err, "writing the SPDX document")
	}
	return out.Bytes(), nil
}

// spdxID is a unique element id for p: letters, digits, '.' and '-'.
func spdxID(p plan.Package, seen map[string]int) string {
	id := "Package-" + p.Ecosystem + "-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, p.Name+"-"+p.Version)
	seen[id]++
	if n := seen[id]; n > 1 {
		id += fmt.Sprintf("-%d", n)
	}
	return id
}

func noAssertion(s string) string {
	if s == "" {
		return "NOASSERTION"
	}
	return s
}

// checksum reads a subresource-integrity value (sha512-BASE64).
func checksum(integrity string) (common.Checksum, bool) {
	fields := strings.Fields(integrity) // several hashes: the first
	if len(fields) == 0 {
		return common.Checksum{}, false
	}
	algo, b64, ok := strings.Cut(fields[0], "-")
	if !ok {
		return common.Checksum{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return common.Checksum{}, false
	}
	names := map[string]common.ChecksumAlgorithm{"sha1": common.SHA1, "sha256": common.SHA256, "sha384": common.SHA384, "sha512": common.SHA512}
	a, ok := names[algo]
	if !ok {
		return common.Checksum{}, false
	}
	return common.Checksum{Algorithm: a, Value: hex.EncodeToString(raw)}, true
}

// packageURL is p's purl, e.g. pkg:TYPE/%40scope/name@1.0.0: the name's
// last segment is its name, what comes before it its namespace.
func packageURL(p plan.Package) string {
	if p.Ecosystem == "" || p.Name == "" {
		return ""
	}
	namespace, name := "", p.Name
	if i := strings.LastIndex(p.Name, "/"); i >= 0 {
		namespace, name = p.Name[:i], p.Name[i+1:]
	}
	return packageurl.NewPackageURL(p.Ecosystem, namespace, name, p.Version, nil, "").ToString()
}
