package scaffold

import (
	"bytes"
	"errors"
	"fmt"

	toml "github.com/pelletier/go-toml/v2"
)

// MaxTOMLDepth bounds how deeply a TOML file a preset reads nests arrays
// and inline tables: manifests and lockfiles need three or four levels,
// and the parser recurses once per level.
const MaxTOMLDepth = 32

// ReadTOML decodes dt (BOM and CRLF already normalized) after checking,
// in one linear pass, that it nests no deeper than MaxTOMLDepth. A
// decoding error says where: "line 3 column 7: ...".
func ReadTOML(dt []byte, v any) error {
	if err := checkDepth(dt); err != nil {
		return err
	}
	if err := toml.Unmarshal(dt, v); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return fmt.Errorf("line %d column %d: %s", row, col, de.Error())
		}
		return err
	}
	return nil
}

// checkDepth counts the brackets and braces open at once outside strings
// and comments.
func checkDepth(dt []byte) error {
	depth := 0
	for i := 0; i < len(dt); i++ {
		switch c := dt[i]; c {
		case '#':
			for i < len(dt) && dt[i] != '\n' {
				i++
			}
		case '"', '\'':
			quote := dt[i : i+1]
			if bytes.HasPrefix(dt[i:], []byte{c, c, c}) {
				quote = dt[i : i+3]
			}
			i += len(quote)
			for i < len(dt) && !bytes.HasPrefix(dt[i:], quote) {
				if c == '"' && dt[i] == '\\' {
					i++
				}
				i++
			}
			i += len(quote) - 1
		case '[', '{':
			if depth++; depth > MaxTOMLDepth {
				return fmt.Errorf("it nests more than %d levels deep", MaxTOMLDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
