import http from "node:http";
import { greet } from "./greet.js";

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ status: "ok" }));
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(greet(new URL(req.url, "http://x").searchParams.get("name")) + "\n");
});
server.listen(port, () => console.log(`listening on :${port}`));
// node is PID 1: stop on SIGTERM instead of waiting for docker's SIGKILL
process.on("SIGTERM", () => server.close(() => process.exit(0)));
