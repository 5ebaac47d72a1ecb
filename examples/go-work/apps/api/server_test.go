package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	rec := httptest.NewRecorder()
	routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Fatalf("GET /health = %d %q", rec.Code, rec.Body.String())
	}
}

func TestHello(t *testing.T) {
	rec := httptest.NewRecorder()
	routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hello?name=Ada", nil))
	if got := strings.TrimSpace(rec.Body.String()); got != `{"message":"Hello, Ada!"}` {
		t.Fatalf("GET /hello = %q", got)
	}
}
