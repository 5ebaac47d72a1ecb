package spec

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Printable is s as a message, a terminal, a vertex name or a document
// may show it: control characters (C0, DEL and C1, which drive terminals)
// escaped as \xNN or \u00NN, and at most limit bytes (any length when
// limit < 0), cut with "…". Every string from the build context goes
// through it before it reaches a person; it is the only sanitiser.
func Printable(s string, limit int) string {
	var b strings.Builder
	for _, r := range s {
		if limit >= 0 && b.Len() >= limit {
			b.WriteString("…")
			break
		}
		switch {
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValueLimit is how much of a value a message shows.
const ValueLimit = 80

// HasControl reports whether s holds a C0 control character other than
// tab, or DEL: what no setting may hold.
func HasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}

// credentialParam is a URL query parameter that carries a credential.
var credentialParam = regexp.MustCompile(`(?i)^(.*token.*|.*auth.*|.*secret.*|.*passw.*|.*key|sig|signature|x-amz-.*|x-goog-.*|se|sp|sv|credential.*)$`)

// urlLike finds URLs in text.
var urlLike = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// Redact removes credentials from the URLs in s: the user and password of
// https://user:token@host/..., and the value of query parameters named
// like a credential (?auth=..., ?token=..., a signed URL's signature).
// Lockfiles record such URLs; no SBOM, warning or plan repeats them.
func Redact(s string) string {
	return urlLike.ReplaceAllStringFunc(s, func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			// unparseable: drop everything between the scheme and an @
			if i, j := strings.Index(raw, "://"), strings.LastIndex(raw, "@"); i >= 0 && j > i {
				return raw[:i+3] + "REDACTED@" + raw[j+1:]
			}
			return raw
		}
		changed := false
		if u.User != nil {
			u.User = url.User("REDACTED")
			changed = true
		}
		if u.RawQuery != "" {
			q := u.Query()
			for k := range q {
				if credentialParam.MatchString(k) {
					q.Set(k, "REDACTED")
					changed = true
				}
			}
			if changed {
				u.RawQuery = q.Encode()
			}
		}
		if !changed {
			return raw
		}
		return u.String()
	})
}

// HasCredentials reports whether s holds a URL with a credential in it.
func HasCredentials(s string) bool { return Redact(s) != s }
