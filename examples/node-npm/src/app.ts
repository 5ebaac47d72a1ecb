import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { Order, total } from "./orders";

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJSON(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || "null");
}

export function createApp() {
  return createServer(async (req, res) => {
    if (req.method === "GET" && req.url === "/health") return send(res, 200, { status: "ok" });
    if (req.method === "POST" && req.url === "/orders") {
      const parsed = Order.safeParse(await readJSON(req).catch(() => null));
      if (!parsed.success) return send(res, 400, { error: parsed.error.issues[0].message });
      return send(res, 201, { ...parsed.data, total: total(parsed.data, 2.5) });
    }
    send(res, 404, { error: "not found" });
  });
}
