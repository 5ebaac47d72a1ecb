package spec

import (
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://ci-bot:TOKEN@npm.corp.example/lib/-/lib-2.0.0.tgz?auth=SECRET": "https://REDACTED@npm.corp.example/lib/-/lib-2.0.0.tgz?auth=REDACTED",
		"resolved https://user@host/x.tgz#sha1":                                 "resolved https://REDACTED@host/x.tgz#sha1",
		"https://registry.npmjs.org/ms/-/ms-2.1.3.tgz":                          "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
		"https://s3.example/x.tgz?X-Amz-Signature=abc&X-Amz-Date=1&v=2":         "https://s3.example/x.tgz?X-Amz-Date=REDACTED&X-Amz-Signature=REDACTED&v=2",
		"git+ssh://git@github.com/a/b.git":                                      "git+ssh://REDACTED@github.com/a/b.git",
		"no url here":                                                           "no url here",
	} {
		assert.Check(t, is.Equal(Redact(in), want), in)
	}
	assert.Check(t, HasCredentials("https://a:b@x/y"))
	assert.Check(t, !HasCredentials("https://x/y?v=1"))
}
