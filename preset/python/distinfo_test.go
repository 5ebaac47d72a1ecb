package python

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

func TestDistInfo(t *testing.T) {
	pkg, ok := DistInfo([]byte("Metadata-Version: 2.4\nName: Flask_SQLAlchemy\nVersion: 3.1.1\nLicense-Expression: BSD-3-Clause\nClassifier: x\n\nLong description: License: GPL\n"))
	assert.Check(t, ok)
	assert.Check(t, is.DeepEqual(pkg, plan.Package{Ecosystem: "pypi", Name: "flask-sqlalchemy", Version: "3.1.1", License: "BSD-3-Clause"}))
	pkg, ok = DistInfo([]byte("Metadata-Version: 2.1\r\nName: six\r\nVersion: 1.16.0\r\nLicense: MIT\r\n\r\n"))
	assert.Check(t, ok)
	assert.Check(t, is.Equal(pkg.License, "MIT"))
	pkg, _ = DistInfo([]byte("Name: x\nVersion: 1\nLicense: Copyright (c) 2020 Someone. All rights reserved.\n"))
	assert.Check(t, is.Equal(pkg.License, ""), "free text is no SPDX license")
	for _, bad := range []string{"", "Name: x\n", "\x00\x01", "Version: 1\n"} {
		_, ok := DistInfo([]byte(bad))
		assert.Check(t, !ok, "%q", bad)
	}
}
