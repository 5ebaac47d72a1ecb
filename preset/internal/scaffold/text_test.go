package scaffold

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// pip reads requirements files by their byte order mark; node's package
// managers read UTF-8 only and keep going over bytes that are not; go
// takes no byte order mark in go.mod.
var (
	pip  = Encoding{Tool: "pip", BOM: true, Wide: true, Coding: true}
	node = Encoding{Tool: "npm, yarn and pnpm", BOM: true, Lossy: true}
	gomd = Encoding{Tool: "go", Lossy: true}
)

func utf16Of(s string, big bool) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			out = binary.BigEndian.AppendUint16(out, u)
		} else {
			out = binary.LittleEndian.AppendUint16(out, u)
		}
	}
	return out
}

func utf32Of(s string, big bool) []byte {
	var out []byte
	for _, r := range s {
		if big {
			out = binary.BigEndian.AppendUint32(out, uint32(r))
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(r))
		}
	}
	return out
}

const reqs = "django==4.2.5\r\npytest==8.3.4 # tests 🧪\r\n"

func TestDecode(t *testing.T) {
	want := "django==4.2.5\npytest==8.3.4 # tests 🧪\n"
	for name, dt := range map[string][]byte{
		"UTF-8":           []byte(reqs),
		"UTF-8 with BOM":  append([]byte{0xEF, 0xBB, 0xBF}, reqs...),
		"UTF-16 LE":       append([]byte{0xFF, 0xFE}, utf16Of(reqs, false)...),
		"UTF-16 BE":       append([]byte{0xFE, 0xFF}, utf16Of(reqs, true)...),
		"UTF-32 LE":       append([]byte{0xFF, 0xFE, 0, 0}, utf32Of(reqs, false)...),
		"UTF-32 BE":       append([]byte{0, 0, 0xFE, 0xFF}, utf32Of(reqs, true)...),
		"coding: latin-1": []byte("# -*- coding: latin-1 -*-\ndjango==4.2.5 # caf\xe9\n"),
		"coding: utf-8":   []byte("#!/usr/bin/env python\n# coding=utf-8\nx = 'café'\n"),
	} {
		got, err := pip.Decode("requirements.txt", dt)
		assert.NilError(t, err, name)
		switch name {
		case "coding: latin-1":
			assert.Check(t, is.Equal(string(got), "# -*- coding: latin-1 -*-\ndjango==4.2.5 # café\n"))
		case "coding: utf-8":
			assert.Check(t, is.Equal(string(got), string(dt)))
		default:
			assert.Check(t, is.Equal(string(got), want), name)
		}
	}

	// a lone CR stays (pip splits lines on it itself), UTF-8 without
	// anything odd comes back as it is
	got, err := node.Decode("package.json", []byte("{}\r"))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(string(got), "{}\r"))

	// Node.js reads bytes that are not UTF-8 as U+FFFD, and so does npm
	got, err = node.Decode("package.json", []byte(`{"description": "caf`+"\xe9"+`"}`))
	assert.NilError(t, err)
	assert.Check(t, is.Equal(string(got), `{"description": "caf`+"\uFFFD"+`"}`))
}

func TestUndecodable(t *testing.T) {
	le := append([]byte{0xFF, 0xFE}, utf16Of("flask==3.1\n", false)...)
	cases := []struct {
		name string
		enc  Encoding
		file string
		dt   []byte
		msg  string
	}{
		{"UTF-16 where only UTF-8 is read", node, "package.json", le,
			"package.json is UTF-16 LE (it starts with the byte order mark FF FE), which npm, yarn and pnpm cannot read (save it as UTF-8)"},
		{"UTF-16 BE where only UTF-8 is read", gomd, "go.mod", append([]byte{0xFE, 0xFF}, utf16Of("module x\n", true)...),
			"go.mod is UTF-16 BE (it starts with the byte order mark FE FF), which go cannot read (save it as UTF-8)"},
		{"a BOM go rejects", gomd, "go.mod", []byte("\xef\xbb\xbfmodule x\n"),
			"go.mod is UTF-8 with a byte order mark (EF BB BF), which go reads as a character and rejects (save it without the byte order mark)"},
		{"UTF-16 cut in the middle of a character", pip, "requirements.txt", le[:len(le)-1],
			"requirements.txt is UTF-16 LE (byte order mark FF FE) but not valid UTF-16: it ends in the middle of a character (line 1), so pip could not read it either (save it as UTF-8)"},
		{"an unpaired surrogate", pip, "requirements.txt", append(append([]byte{0xFF, 0xFE}, utf16Of("a\nb", false)...), 0x00, 0xD8, 'c', 0),
			"requirements.txt is UTF-16 LE (byte order mark FF FE) but not valid UTF-16: an unpaired surrogate on line 2, so pip could not read it either"},
		{"a low surrogate alone", pip, "requirements.txt", []byte{0xFE, 0xFF, 0xDC, 0x00},
			"not valid UTF-16: an unpaired surrogate on line 1"},
		{"UTF-32 past U+10FFFF", pip, "requirements.txt", []byte{0, 0, 0xFE, 0xFF, 0, 0x11, 0, 0},
			"requirements.txt is UTF-32 BE (byte order mark 00 00 FE FF) but not valid UTF-32: the code point 0x110000 on line 1 is past U+10FFFF"},
		{"UTF-16 without its BOM", pip, "requirements.txt", utf16Of("flask==3.1\n", false),
			"requirements.txt is not UTF-8 text: it has a NUL character on line 1 (a UTF-16 file without its byte order mark?), which pip could not read either (save it as UTF-8)"},
		{"a NUL in UTF-16", pip, "requirements.txt", append([]byte{0xFF, 0xFE}, utf16Of("flask\n\x00", false)...),
			"requirements.txt is not UTF-16 LE text: it has a NUL character on line 2, which pip could not read either"},
		{"Latin-1 without a declaration", pip, "requirements.txt", []byte("flask==3.1\n# caf\xe9\n"),
			"requirements.txt is not valid UTF-8: the byte 0xE9 on line 2 is no UTF-8 character, and the file has no byte order mark or coding declaration, so pip could not read it either (save it as UTF-8)"},
		{"a coding this preset does not decode", pip, "requirements.txt", []byte("# vim: set fileencoding=cp1252 :\nflask\n"),
			"requirements.txt declares coding cp1252 (line 1), an encoding this preset does not decode (save it as UTF-8)"},
		{"ASCII that is not", pip, "requirements.txt", []byte("# coding: ascii\nflask\n# caf\xe9\n"),
			"requirements.txt declares coding ascii (line 1) but has the byte 0xE9 on line 3, so pip could not read it either"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.enc.Decode(tc.file, tc.dt)
			assert.Check(t, is.ErrorContains(err, tc.msg))
		})
	}
}

// TestDecoded: a preset's Files keeps what it can read and leaves the
// rest for Fill to report.
func TestDecoded(t *testing.T) {
	files := Decoded(map[string][]byte{"a": []byte("x\r\n"), "b": {0xFF, 0xFE, 'x', 0}}, func(string) Encoding { return node })
	assert.Check(t, is.DeepEqual(files, map[string][]byte{"a": []byte("x\n")}))
}

// FuzzDecode: whatever the bytes, each encoding answers with UTF-8 text
// that holds no NUL, or an error naming the file.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(reqs))
	f.Add(append([]byte{0xFF, 0xFE}, utf16Of(reqs, false)...))
	f.Add([]byte{0, 0, 0xFE, 0xFF, 0, 0x10, 0xFF, 0xFF})
	f.Add([]byte("# coding: latin-1\r\ncaf\xe9\r"))
	f.Fuzz(func(t *testing.T, dt []byte) {
		for _, e := range []Encoding{pip, node, gomd, {Tool: "python", BOM: true, Coding: true}} {
			out, err := e.Decode("f.txt", dt)
			if err != nil {
				assert.Assert(t, is.Contains(err.Error(), "f.txt"))
				continue
			}
			assert.Assert(t, utf8.Valid(out), "%q", out)
			assert.Assert(t, !bytes.Contains(out, []byte{0}), "%q", out)
		}
	})
}
