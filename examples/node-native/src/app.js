const http = require("node:http");
const bcrypt = require("bcrypt");

// POST /hash with a password in the body returns its bcrypt hash;
// POST /verify with {password, hash} says whether they match.
async function body(req) {
  let s = "";
  for await (const chunk of req) s += chunk;
  return s;
}

exports.createApp = () =>
  http.createServer(async (req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", native: process.versions.modules }));
    if (req.method === "POST" && req.url === "/hash") {
      return res.end(JSON.stringify({ hash: await bcrypt.hash(await body(req), 8) }));
    }
    if (req.method === "POST" && req.url === "/verify") {
      const { password, hash } = JSON.parse(await body(req));
      return res.end(JSON.stringify({ match: await bcrypt.compare(password, hash) }));
    }
    res.statusCode = 404;
    res.end("{}");
  });
