package spec

import (
	"fmt"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"
)

// Limits bound the work a Stagefile can cause. The Stagefile comes from
// the build context (in CI, from a pull request) and is read inside the
// build daemon, so no input may cost more than a few milliseconds or
// megabytes. Real Stagefiles are a few kilobytes and a few levels deep;
// every limit is far above that. docs/stagefile.md lists them.
type Limits struct {
	// Size is the largest Stagefile read, in bytes.
	Size int
	// Tokens bounds the YAML tokens: the parser's cost grows with the
	// square of a mapping's keys, so this is checked before parsing.
	Tokens int
	// Depth bounds nesting (block indentation levels plus flow brackets).
	Depth int
	// Aliases bounds the number of *alias uses.
	Aliases int
	// Values bounds the values decoded, counting each alias expansion.
	Values int
	// Bytes bounds the text decoded, counting each alias expansion.
	Bytes int
	// Errors is how many errors are reported before the rest are counted.
	Errors int
}

// DefaultLimits are the frontend's limits.
var DefaultLimits = Limits{
	Size:    256 << 10,
	Tokens:  10000,
	Depth:   32,
	Aliases: 100,
	Values:  10000,
	Bytes:   1 << 20,
	Errors:  50,
}

// prescan checks the size, token count, nesting depth and aliases of src
// with goccy's lexer alone, which is iterative and linear, before the
// parser (recursive, quadratic in a mapping's keys) sees it.
func prescan(file string, src []byte, l Limits) *Error {
	if len(src) > l.Size {
		return &Error{File: file, Range: lineRange(1, 1),
			Msg: fmt.Sprintf("the Stagefile is %d bytes, more than the %d a Stagefile may have (is this the right file?)", len(src), l.Size)}
	}
	tokens := lexer.Tokenize(string(src))
	var (
		block   []int // columns of the open block collections
		flow    int   // open [ and {
		aliases int
	)
	for i, t := range tokens {
		if i == l.Tokens {
			return &Error{File: file, Range: tokenRange(t),
				Msg: fmt.Sprintf("the Stagefile has more than %d YAML tokens (keys, values, punctuation); a Stagefile needs a few hundred (remove what was generated into it)", l.Tokens)}
		}
		switch t.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.AliasType:
			if aliases++; aliases > l.Aliases {
				return &Error{File: file, Range: tokenRange(t),
					Msg: fmt.Sprintf("the Stagefile uses more than %d aliases (*name); write the values out instead", l.Aliases)}
			}
		case token.SequenceEntryType:
			if flow == 0 {
				block = open(block, t.Position.Column)
			}
		default:
			if flow == 0 && isKey(tokens, i) {
				block = open(block, t.Position.Column)
			}
		}
		if d := len(block) + flow; d > l.Depth {
			return &Error{File: file, Range: tokenRange(t),
				Msg: fmt.Sprintf("the Stagefile nests values %d levels deep, more than the %d a Stagefile may (a Stagefile needs four or five)", d, l.Depth)}
		}
	}
	return nil
}

// open closes the block collections at or right of col (a sibling or a
// shallower key ends them) and opens one at col.
func open(block []int, col int) []int {
	for len(block) > 0 && block[len(block)-1] >= col {
		block = block[:len(block)-1]
	}
	return append(block, col)
}

// isKey: the next token that is not a comment is the ":" of a mapping.
func isKey(tokens token.Tokens, i int) bool {
	for j := i + 1; j < len(tokens); j++ {
		switch tokens[j].Type {
		case token.CommentType:
			continue
		case token.MappingValueType:
			return true
		}
		return false
	}
	return false
}

func tokenRange(t *token.Token) Range {
	if t == nil || t.Position == nil {
		return lineRange(1, 1)
	}
	return lineRange(t.Position.Line, max(t.Position.Column, 1))
}

func lineRange(line, col int) Range {
	return Range{Start: Pos{line, col}, EndLine: line}
}
