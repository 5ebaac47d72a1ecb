import express from "express";

// createApp is the HTTP API, separate from listen() so tests can start it
// on a free port.
export function createApp() {
  const app = express();
  app.get("/health", (req, res) => res.json({ status: "ok" }));
  app.get("/greet", (req, res) => {
    const name = String(req.query.name || "world").slice(0, 64);
    res.json({ message: `Hello, ${name}!` });
  });
  return app;
}
