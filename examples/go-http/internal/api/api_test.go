package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	rec := httptest.NewRecorder()
	Router().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Fatalf("GET /health = %d %q", rec.Code, rec.Body.String())
	}
}

func TestCount(t *testing.T) {
	rec := httptest.NewRecorder()
	Router().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/count", strings.NewReader(`{"text": "one two  three"}`)))
	if got := strings.TrimSpace(rec.Body.String()); got != `{"words":3}` {
		t.Fatalf("POST /count = %q", got)
	}
}
