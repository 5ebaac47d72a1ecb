package spec

import (
	"fmt"
	"strings"
)

// Pos is a 1-based line and column in the Stagefile.
type Pos struct {
	Line, Column int
}

// Range is where a value was written: its start and its last line.
type Range struct {
	Start   Pos
	EndLine int
}

// Error is a problem at a place in the Stagefile. Msg says what is wrong and,
// in parentheses, how to fix it.
type Error struct {
	File  string
	Range Range
	Msg   string
	// Rule names the check a warning comes from (e.g. NoTests); empty for errors.
	Rule string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Range.Start.Line, e.Range.Start.Column, e.Msg)
}

// Errors is every problem found in one Stagefile, in file order.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// err returns nil for an empty list so callers can `return es.err()`.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Warning is a positioned remark that does not stop the build.
type Warning = Error
