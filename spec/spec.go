package spec

import (
	"path"
	"strings"
)

// Parse reads a Stagefile. file is the name messages use (e.g. "Stagefile").
// On bad input it returns Errors, every one with a line and column; it
// never panics. Warnings are problems worth telling the user that don't stop
// the build.
func Parse(file string, data []byte) (*Spec, []*Warning, error) {
	s := &Spec{}
	if errs := decodeYAML(file, data, s); len(errs) > 0 {
		return nil, nil, errs
	}
	c := &checker{s: s}
	c.validate()
	if err := c.errs.err(); err != nil {
		return nil, c.warnings, err
	}
	s.applyDefaults()
	return s, c.warnings, nil
}

// File is the name the spec was parsed from.
func (s *Spec) File() string { return s.file }

// Where returns where the value at p (e.g. "test.run") was written. For a
// value that was not written (a default or a preset's), it returns its
// nearest written parent, and finally the preset key or the file's start.
func (s *Spec) Where(p string) Range {
	for q := p; ; {
		if r, ok := s.pos[q]; ok {
			return r
		}
		if q == "" {
			break
		}
		q = parent(q)
	}
	if r, ok := s.pos["preset"]; ok {
		return r
	}
	return Range{Start: Pos{1, 1}, EndLine: 1}
}

// Span is the range of a key and its value (e.g. the whole "test:" block),
// for source maps that point at a step.
func (s *Spec) Span(p string) Range {
	r := s.Where(p)
	if k, ok := s.pos["key:"+p]; ok {
		r.Start = k.Start
	}
	return r
}

// Written reports whether the user wrote the value at p.
func (s *Spec) Written(p string) bool {
	_, ok := s.pos[p]
	return ok
}

func parent(p string) string {
	if i := strings.LastIndexAny(p, ".["); i >= 0 {
		return p[:i]
	}
	return ""
}

// applyDefaults fills what the format defines a default for.
func (s *Spec) applyDefaults() {
	if s.Workdir == "" {
		s.Workdir = DefaultWorkdir
	}
	s.Workdir = path.Clean(s.Workdir)
	if s.App == "" {
		s.App = "."
	}
	s.App = path.Clean(s.App)
	if s.Release.Image == "" {
		s.Release.Image = s.Image
	}
	for i := range s.Secrets {
		sec := &s.Secrets[i]
		if sec.Target == "" && sec.Env == "" {
			sec.Target = sec.ID
		}
	}
}

// SecretTarget is where a secret file is mounted: relative targets are in workdir.
func (s *Spec) SecretTarget(sec Secret) string {
	if sec.Target == "" || path.IsAbs(sec.Target) {
		return sec.Target
	}
	return path.Join(s.Workdir, sec.Target)
}
