package spec

import (
	"strings"
	"testing"

	"gotest.tools/v3/assert"
)

// TestScalarReadsBack: whatever a string from the build context holds, a
// Stagefile that writes it with Scalar reads back that string, and no
// control character is written raw.
func TestScalarReadsBack(t *testing.T) {
	for _, s := range []string{
		"dist", "node:20-bookworm-slim", "apps/api", "", " lead", "trail ", "a: b", "a #b", "#x", "- x", "-x", "[x]", "{x}",
		"*alias", "&anchor", "!tag", "|", ">", "@scope/pkg", "%x", "`x`", "'q'", "\"dq\"", "yes", "No", "on", "null", "~",
		"1", "0x1F", "1e3", "1_000", "12:30", "2026-01-02", ".inf", "a\nb", "a\tb", "\x1b[31mred", "\u2028", "\u0085", "\ufeff",
		"ü", "日本", "a\\b", "a:", "?x", "<<", "=", "x\x00y", "\x7f",
	} {
		doc := "version: 1\napp: " + Scalar(s) + "\n"
		for _, r := range Scalar(s) {
			assert.Assert(t, r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) && r != 0x2028 && r != 0x2029, "%q written raw in %q", r, Scalar(s))
		}
		sp, err := Parse("Stagefile", []byte(doc))
		if s == "" || strings.ContainsRune(s, 0) {
			continue // refused by the format, not misread
		}
		assert.NilError(t, err, "%q as %s", s, Scalar(s))
		assert.Equal(t, sp.App.Value, s, "written as %s", Scalar(s))
	}
}

func TestCommentTextOneLine(t *testing.T) {
	for _, s := range []string{"a\nb", "a\rb", "\x1b]0;x\x07", "a\u2028b", "a\u0085b"} {
		c := CommentText(s)
		assert.Assert(t, !strings.ContainsAny(c, "\n\r\x1b\x07\u2028\u0085"), "%q → %q", s, c)
	}
}

// TestFlowListReadsBack: a list written with FlowList reads back item
// for item, whatever the items hold.
func TestFlowListReadsBack(t *testing.T) {
	items := []string{"dist", "apps/web/dist", "1234", "0x10", "1e3", "true", "null", "NULL", "~", "a,b", "a]b", "{x}", "a b", "#x", "-x",
		"x-y", "@scope/x", "a: b", "\x1b[2J", "\u2028", "ü", "'", "\"", "a\\b", "*", "&a", "!t", "%x", "`x`", "=x", "+x", ".next"}
	doc := "version: 1\nbuild:\n  outputs: " + FlowList(items) + "\n"
	sp, err := Parse("Stagefile", []byte(doc))
	assert.NilError(t, err, doc)
	var got []string
	for _, v := range sp.Build.Outputs.Items {
		got = append(got, v.Value)
	}
	assert.DeepEqual(t, got, items)
}
