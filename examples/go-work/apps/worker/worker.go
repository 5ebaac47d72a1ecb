package main

import (
	"strings"
	"unicode"
)

// slug turns a job's title into the name of its output: lower case
// letters and digits joined by dashes.
func slug(title string) string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "-")
}
