package spec

// Parse reads a Stagefile within DefaultLimits. file is the name messages
// use (e.g. "Stagefile"). On bad input it returns Errors, every one with a
// line and column; it never panics, and no input costs more than the
// limits allow.
func Parse(file string, data []byte) (*Spec, error) {
	return ParseWithLimits(file, data, DefaultLimits)
}

// ParseWithLimits is Parse with other limits (tests use small ones).
func ParseWithLimits(file string, data []byte, limits Limits) (*Spec, error) {
	s := &Spec{}
	if errs := decodeYAML(file, data, s, limits); len(errs) > 0 {
		return nil, errs
	}
	switch {
	case !s.Version.Written():
		return nil, Errors{Errorf(file, lineRange(1, 1), "missing \"version\" (add \"version: %d\" at the top)", Version)}
	case s.Version.Value != Version:
		return nil, Errors{Errorf(file, s.Version.At, "unsupported version %d (this frontend reads version %d; write \"version: %d\" or use a frontend image that reads version %d)",
			s.Version.Value, Version, Version, s.Version.Value)}
	}
	return s, nil
}
