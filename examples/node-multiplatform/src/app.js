const http = require("node:http");
const { hash, verify } = require("@node-rs/bcrypt");

// POST /hash with a password in the body returns its bcrypt hash;
// POST /verify with {password, hash} says whether they match. /health
// says which CPU the app runs on.
async function body(req) {
  let s = "";
  for await (const chunk of req) s += chunk;
  return s;
}

exports.createApp = () =>
  http.createServer(async (req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", arch: process.arch }));
    if (req.method === "POST" && req.url === "/hash") {
      return res.end(JSON.stringify({ hash: await hash(await body(req), 8) }));
    }
    if (req.method === "POST" && req.url === "/verify") {
      const { password, hash: h } = JSON.parse(await body(req));
      return res.end(JSON.stringify({ match: await verify(password, h) }));
    }
    res.statusCode = 404;
    res.end("{}");
  });
