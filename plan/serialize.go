package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stagefile/stagefile/spec"
)

// FormatVersion is the version of the stored plan's JSON. A change that
// an older reader would misread (a key renamed, a meaning changed) takes
// a new version; Read refuses any other.
const FormatVersion = 1

// MaxStoredSize bounds the stored plan Read accepts: a plan holds at most
// what a preset read from the context's files, each under MaxFileSize.
const MaxStoredSize = MaxFileSize

// versioned is the stored plan: a version, then the Plan's own fields.
type versioned struct {
	Version int `json:"version"`
	*fields
}

// fields is a Plan without its JSON methods, so they do not call themselves.
type fields Plan

// MarshalJSON writes the plan as it is stored: {"version": 1, ...}, each
// setting as {"value": ..., "origin": {...}}.
func (p *Plan) MarshalJSON() ([]byte, error) {
	return marshal(versioned{Version: FormatVersion, fields: (*fields)(p)})
}

// UnmarshalJSON reads a stored plan of FormatVersion. Unknown keys are
// errors: a misspelt key in a fixture must not quietly unset a value.
func (p *Plan) UnmarshalJSON(data []byte) error {
	var v struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch {
	case v.Version == nil:
		return errors.New(`no "version": not a stored plan (stagefile plan --format json writes one)`)
	case *v.Version != FormatVersion:
		return fmt.Errorf("version %d, and this stagefile reads version %d (write the plan again with this stagefile)", *v.Version, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(&versioned{fields: (*fields)(p)})
}

// originJSON is an Origin as stored: flat, and only what is set.
type originJSON struct {
	Kind    Kind   `json:"kind,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	EndLine int    `json:"endLine,omitempty"`
	Preset  string `json:"preset,omitempty"`
	From    string `json:"from,omitempty"`
}

// MarshalJSON writes {"kind", "line", "column", "endLine", "preset", "from"}.
func (o Origin) MarshalJSON() ([]byte, error) {
	return marshal(originJSON{o.Kind, o.At.Start.Line, o.At.Start.Column, o.At.EndLine, o.Preset, o.From})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Origin) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j originJSON
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*o = Origin{Kind: j.Kind, At: spec.Range{Start: spec.Pos{Line: j.Line, Column: j.Column}, EndLine: j.EndLine}, Preset: j.Preset, From: j.From}
	return nil
}

// marshal is json.Marshal without HTML escaping: scripts keep their "&&".
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// JSON is the stored plan, indented, as `stagefile plan --format json`
// prints it and Read reads it.
func (p *Plan) JSON() []byte {
	dt, err := marshal(p)
	if err != nil {
		// every field is a string, number, bool, or a slice, map or
		// struct of them
		panic(fmt.Sprintf("plan: %v", err))
	}
	var b bytes.Buffer
	_ = json.Indent(&b, dt, "", "  ") // valid: json wrote it
	b.WriteString("\n")
	return b.Bytes()
}

// Read is the plan that JSON wrote, checked as Resolve checks a plan
// (with the ecosystems eco), so a stored plan edited by hand converts
// only if a Stagefile could have given it.
func Read(data []byte, eco Ecosystems) (*Plan, error) {
	if len(data) > MaxStoredSize {
		return nil, fmt.Errorf("stored plan: %d bytes, more than the %d a plan may have", len(data), MaxStoredSize)
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("stored plan: %w", err)
	}
	if err := Check(&p, true, eco); err != nil {
		return nil, fmt.Errorf("stored plan: %w", err)
	}
	return &p, nil
}
