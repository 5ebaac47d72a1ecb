package scaffold

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/stagefile/stagefile/plan"
)

// Encoding is how a tool decodes the text files it reads. A preset reads
// every file through the encoding of the tool that reads it in the build,
// so a file means the same to both: a byte order mark or CRLF line ends
// change nothing, and a file the tool could not read either is an error
// that names the file and its encoding, never an empty result.
type Encoding struct {
	// Tool reads the file, for messages: "pip", "go", "npm, yarn and pnpm".
	Tool string
	// BOM: a UTF-8 byte order mark is dropped, as Node.js, Python and
	// pip drop it; else it is an error (go reads it as a character).
	BOM bool
	// Wide: UTF-16 and UTF-32 with a byte order mark are decoded, as pip
	// decodes requirements files; else such a file is an error.
	Wide bool
	// Coding: a PEP 263 declaration ("# -*- coding: latin-1 -*-") in the
	// first two lines names the encoding (pip, Python source).
	Coding bool
	// Lossy: bytes that are not UTF-8 read as U+FFFD, as Node.js reads
	// them; else they are an error.
	Lossy bool
	// Raw: the preset reads only that the file exists (an image in a
	// folder of static files): it is left as it is.
	Raw bool
}

// byte order marks, longest first: UTF-16 LE's is a prefix of UTF-32 LE's.
var boms = []struct {
	mark      []byte
	name      string
	width     int
	bigEndian bool
}{
	{[]byte{0xEF, 0xBB, 0xBF}, "UTF-8", 1, false},
	{[]byte{0x00, 0x00, 0xFE, 0xFF}, "UTF-32 BE", 4, true},
	{[]byte{0xFF, 0xFE, 0x00, 0x00}, "UTF-32 LE", 4, false},
	{[]byte{0xFE, 0xFF}, "UTF-16 BE", 2, true},
	{[]byte{0xFF, 0xFE}, "UTF-16 LE", 2, false},
}

// codingDecl is PEP 263's declaration, which pip also honours.
var codingDecl = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)

// Decode reads file name as e's tool does: the text as UTF-8, without a
// byte order mark, with CRLF line ends as LF. A file the tool could not
// read is an error naming the file and its encoding.
func (e Encoding) Decode(name string, dt []byte) ([]byte, error) {
	if e.Raw {
		return dt, nil
	}
	save := "save it as UTF-8"
	for _, b := range boms {
		if !bytes.HasPrefix(dt, b.mark) {
			continue
		}
		hex := fmt.Sprintf("% X", b.mark)
		if b.width == 1 {
			if !e.BOM {
				return nil, fmt.Errorf("%s is UTF-8 with a byte order mark (EF BB BF), which %s reads as a character and rejects (save it without the byte order mark)", name, e.Tool)
			}
			return e.utf8(name, dt[len(b.mark):], "UTF-8 (with a byte order mark)")
		}
		if !e.Wide {
			return nil, fmt.Errorf("%s is %s (it starts with the byte order mark %s), which %s cannot read (%s)", name, b.name, hex, e.Tool, save)
		}
		text, err := wide(dt[len(b.mark):], b.width, b.bigEndian)
		if err != nil {
			return nil, fmt.Errorf("%s is %s (byte order mark %s) but not valid %s: %v, so %s could not read it either (%s)", name, b.name, hex, b.name[:6], err, e.Tool, save)
		}
		return e.text(name, text, b.name)
	}
	if e.Coding {
		lines := bytes.SplitN(dt, []byte("\n"), 3)
		for i, line := range lines[:min(2, len(lines))] {
			m := codingDecl.FindSubmatch(line)
			if m == nil {
				continue
			}
			coding := strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(string(m[1])))
			switch coding {
			case "utf-8", "utf8", "u8", "utf", "utf-8-sig", "cp65001":
				return e.utf8(name, dt, "UTF-8")
			case "ascii", "us-ascii", "646":
				for j, c := range dt {
					if c >= 0x80 {
						return nil, fmt.Errorf("%s declares coding %s (line %d) but has the byte 0x%02X on line %d, so %s could not read it either (%s)", name, m[1], i+1, c, lineOf(dt, j), e.Tool, save)
					}
				}
				return e.text(name, dt, "ASCII")
			case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "8859", "cp819", "l1", "iso-ir-100":
				out := make([]byte, 0, len(dt))
				for _, c := range dt {
					out = utf8.AppendRune(out, rune(c))
				}
				return e.text(name, out, "Latin-1")
			}
			return nil, fmt.Errorf("%s declares coding %s (line %d), an encoding this preset does not decode (%s)", name, m[1], i+1, save)
		}
	}
	return e.utf8(name, dt, "UTF-8")
}

// utf8 checks text that should be UTF-8; enc names it for messages.
func (e Encoding) utf8(name string, dt []byte, enc string) ([]byte, error) {
	if !utf8.Valid(dt) {
		if !e.Lossy {
			i := invalid(dt)
			how := ""
			if enc == "UTF-8" && (e.Wide || e.Coding) {
				how = ", and the file has no byte order mark or coding declaration"
			}
			return nil, fmt.Errorf("%s is not valid %s: the byte 0x%02X on line %d is no UTF-8 character%s, so %s could not read it either (save it as UTF-8)", name, enc, dt[i], lineOf(dt, i), how, e.Tool)
		}
		dt = bytes.ToValidUTF8(dt, []byte("\uFFFD"))
	}
	return e.text(name, dt, enc)
}

// text refuses a NUL, which no text file the tools read holds, and reads
// CRLF line ends as LF.
func (e Encoding) text(name string, dt []byte, enc string) ([]byte, error) {
	if i := bytes.IndexByte(dt, 0); i >= 0 {
		hint := ""
		if enc == "UTF-8" {
			hint = " (a UTF-16 file without its byte order mark?)"
		}
		return nil, fmt.Errorf("%s is not %s text: it has a NUL character on line %d%s, which %s could not read either (save it as UTF-8)", name, enc, lineOf(dt, i), hint, e.Tool)
	}
	if bytes.IndexByte(dt, '\r') >= 0 {
		dt = bytes.ReplaceAll(dt, []byte("\r\n"), []byte("\n"))
	}
	return dt, nil
}

// invalid is the offset of the first byte that starts no UTF-8 character.
func invalid(dt []byte) int {
	for i := 0; i < len(dt); {
		r, n := utf8.DecodeRune(dt[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

func lineOf(dt []byte, i int) int { return bytes.Count(dt[:i], []byte("\n")) + 1 }

// wide decodes UTF-16 (width 2) or UTF-32 (width 4) strictly, as
// Python's codecs do: a truncated character, an unpaired surrogate or a
// code point past U+10FFFF is an error.
func wide(dt []byte, width int, big bool) ([]byte, error) {
	unit := func(i int) rune {
		var r rune
		for k := range width {
			b := dt[i+k]
			if big {
				r = r<<8 | rune(b)
			} else {
				r |= rune(b) << (8 * k)
			}
		}
		return r
	}
	out := make([]byte, 0, len(dt)/width+len(dt)/8)
	line := 1
	for i := 0; i < len(dt); i += width {
		if i+width > len(dt) {
			return nil, fmt.Errorf("it ends in the middle of a character (line %d)", line)
		}
		r := unit(i)
		switch {
		case width == 2 && r >= 0xD800 && r < 0xDC00:
			if i+2*width > len(dt) {
				return nil, fmt.Errorf("it ends in the middle of a character (line %d)", line)
			}
			lo := unit(i + width)
			if lo < 0xDC00 || lo > 0xDFFF {
				return nil, fmt.Errorf("an unpaired surrogate on line %d", line)
			}
			r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			i += width
		case r >= 0xD800 && r <= 0xDFFF:
			return nil, fmt.Errorf("an unpaired surrogate on line %d", line)
		case r > utf8.MaxRune || r < 0:
			return nil, fmt.Errorf("the code point 0x%X on line %d is past U+10FFFF", uint32(r), line)
		}
		if r == '\n' {
			line++
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// Decode reads every file Fill was given through enc (how each file's
// tool reads it, by name): what Fill reads is text as its tool sees it.
// The first file, by name, that its tool could not read either is an
// error at the preset line.
func (f *Filler) Decode(enc func(name string) Encoding) error {
	files, err := decodeAll(f.Facts.Files, enc, true)
	if err != nil {
		return f.Fail("%v", err)
	}
	f.Facts = &plan.Facts{Files: files, Image: f.Facts.Image}
	return nil
}

// Decoded is files read through enc, without those that cannot be read:
// for a preset's Files, whose Fill reports them.
func Decoded(files map[string][]byte, enc func(name string) Encoding) map[string][]byte {
	out, _ := decodeAll(files, enc, false)
	return out
}

func decodeAll(files map[string][]byte, enc func(name string) Encoding, strict bool) (map[string][]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string][]byte, len(files))
	for _, n := range names {
		err := checkSize(n, files[n])
		var dt []byte
		if err == nil {
			dt, err = enc(n).Decode(n, files[n])
		}
		if err == nil && !enc(n).Raw {
			// every parser of the presets builds a value per item
			err = CheckItems(n, dt)
		}
		if err != nil {
			if strict {
				return nil, err
			}
			continue
		}
		out[n] = dt
	}
	return out, nil
}
