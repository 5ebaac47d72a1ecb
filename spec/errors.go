package spec

import (
	"fmt"
	"strings"
)

// Pos is a 1-based line and column in the Stagefile.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Range is where a value was written: its start and its last line.
type Range struct {
	Start   Pos `json:"start"`
	EndLine int `json:"endLine"`
}

// Error is a problem at a place in the Stagefile. Msg says what is wrong and,
// in parentheses, how to fix it. An Error may wrap the cause it reports
// (a registry's answer, a YAML parser's error), which errors.Is and
// errors.As then see.
type Error struct {
	File  string
	Range Range
	Msg   string
	cause error
}

// Errorf is a positioned error.
func Errorf(file string, r Range, format string, args ...any) *Error {
	return &Error{File: file, Range: r, Msg: fmt.Sprintf(format, args...)}
}

// Wrap positions err at r, keeping it as the cause.
func Wrap(err error, file string, r Range, msg string) *Error {
	if msg != "" {
		msg += ": "
	}
	return &Error{File: file, Range: r, Msg: msg + err.Error(), cause: err}
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Range.Start.Line, e.Range.Start.Column, e.Msg)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Errors is every problem found in one Stagefile, in file order.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap exposes each error to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list so callers can `return es.Err()`.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
