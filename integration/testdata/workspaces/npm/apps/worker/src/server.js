const http = require("node:http");
const { every } = require("./jobs");

const port = Number(process.env.PORT || 8080);
const timer = setInterval(() => {}, every("1m"));
const server = http
  .createServer((req, res) => {
    if (req.url === "/health") {
      res.setHeader("content-type", "application/json");
      return res.end(JSON.stringify({ status: "ok" }));
    }
    res.statusCode = 404;
    res.end();
  })
  .listen(port, () => console.log(`listening on :${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
  });
}
