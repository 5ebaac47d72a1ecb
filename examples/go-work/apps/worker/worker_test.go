package main

import "testing"

func TestSlug(t *testing.T) {
	for title, want := range map[string]string{"Monthly Report (2026)": "monthly-report-2026", "  --  ": ""} {
		if got := slug(title); got != want {
			t.Errorf("slug(%q) = %q, want %q", title, got, want)
		}
	}
}
