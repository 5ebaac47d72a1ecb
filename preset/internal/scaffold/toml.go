package scaffold

import (
	"bytes"
	"errors"
	"fmt"

	toml "github.com/pelletier/go-toml/v2"
)

// maxDepth bounds how deeply a TOML file nests arrays and inline tables:
// pyproject files and lockfiles need three or four levels, and the parser
// recurses once per level.
const maxDepth = 32

// ReadTOML decodes dt (decoded: no BOM, LF line ends) after checking,
// in one linear pass, that it nests no deeper than maxDepth.
func ReadTOML(dt []byte, v any) error {
	if err := CheckItems("it", dt); err != nil {
		return err
	}
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
			if depth++; depth > maxDepth {
				return fmt.Errorf("it nests more than %d levels deep", maxDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
