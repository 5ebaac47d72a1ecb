package main

import (
	"encoding/json"
	"net/http"

	"example.com/go-work/greet"
)

// routes serves a health endpoint and a greeting.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, req *http.Request) {
		writeJSON(w, map[string]string{"message": greet.Hello(req.URL.Query().Get("name"))})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
