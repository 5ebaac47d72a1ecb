import { Hono } from "hono";

// The HTTP app, apart from the server, so that the tests call it directly.
export const app = new Hono();

app.get("/health", (c) => c.json({ status: "ok" }));

app.get("/", (c) => c.text(`hello from bun ${Bun.version}\n`));
