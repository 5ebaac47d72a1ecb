// Downloads locked packages into a mirror the installs read instead of the
// network (preset node's dependencies fetch). argv: the layout ("npm":
// npm's cache; "tarballs": yarn's offline mirror), the output folder, then
// URL, integrity and file of each package.
//
// Every download is checked against the lockfile's integrity: a mismatch
// fails the step. A package that cannot be downloaded is left out, and the
// install fetches it itself with its own proxy and registry settings; after
// a network error the rest are left out too (the registry is unreachable
// from here, and the install will say why).
"use strict";
const fs = require("fs"), path = require("path"), crypto = require("crypto"), https = require("https"), dns = require("dns");
const [layout, out, ...args] = process.argv.slice(1);
const jobs = [];
for (let i = 0; i + 2 < args.length; i += 3) jobs.push({ url: args[i], integrity: args[i + 1], file: args[i + 2] });

function write(file, data) {
  const dest = path.join(out, file);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, data);
}

// one DNS lookup per host, as npm and yarn cache theirs: parallel
// lookups for every new connection are slow, and some resolvers drop them
const lookups = new Map();
function lookup(host, opts, cb) {
  const key = host + "/" + (opts.family || 0) + "/" + !!opts.all;
  if (!lookups.has(key)) {
    lookups.set(key, new Promise((resolve, reject) => dns.lookup(host, opts, (err, ...res) => (err ? reject(err) : resolve(res)))));
  }
  lookups.get(key).then((res) => cb(null, ...res), (err) => { lookups.delete(key); cb(err); });
}
const agent = new https.Agent({ keepAlive: true, maxSockets: 4, lookup });

// maxSize bounds one tarball held in memory (the largest on npm are a
// few hundred MB).
const maxSize = 1 << 30;

// get downloads url, following redirects on the same https host: the
// frontend allowed that host, not whatever it points at.
function get(url, redirects = 5) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, timeout: 60000 }, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        const next = new URL(res.headers.location, url);
        if (next.protocol !== "https:" || next.host !== new URL(url).host) {
          reject(new Error("redirected to another host: " + next.host));
          return;
        }
        resolve(get(next.href, redirects - 1));
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        const e = new Error("HTTP " + res.statusCode);
        e.status = res.statusCode;
        reject(e);
        return;
      }
      const chunks = [];
      let size = 0;
      res.on("data", (c) => {
        size += c.length;
        if (size > maxSize) {
          req.destroy(new Error("larger than " + maxSize + " bytes"));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

async function download(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await get(url);
    } catch (e) {
      if (attempt === 3 || (e.status >= 400 && e.status < 500)) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

let fetched = 0, unreachable = "";
async function one(job) {
  let body;
  try {
    body = await download(job.url);
  } catch (e) {
    const why = e.cause?.message || e.message;
    if (!e.status) unreachable = why;
    console.log(`not fetched: ${job.url}: ${why} (the install will download it)`);
    return;
  }
  const dash = job.integrity.indexOf("-");
  const alg = job.integrity.slice(0, dash), want = job.integrity.slice(dash + 1);
  const got = crypto.createHash(alg).update(body).digest("base64");
  if (got !== want) {
    throw new Error(`${job.url}: the lockfile says ${job.integrity}, the registry sent ${alg}-${got}`);
  }
  write(job.file, body);
  if (layout === "npm") {
    // npm finds a tarball in its cache (cacache) by the request's URL: an
    // index entry, as npm writes one, points at the content by integrity
    const key = "make-fetch-happen:request-cache:" + job.url;
    const entry = JSON.stringify({ key, integrity: job.integrity, time: 0, size: body.length,
      metadata: { time: 0, url: job.url, reqHeaders: {}, resHeaders: { "content-type": "application/octet-stream" }, options: { compress: true } } });
    const bucket = crypto.createHash("sha256").update(key).digest("hex");
    write(`index-v5/${bucket.slice(0, 2)}/${bucket.slice(2, 4)}/${bucket.slice(4)}`,
      "\n" + crypto.createHash("sha1").update(entry).digest("hex") + "\t" + entry);
  }
  fetched++;
}

(async () => {
  fs.mkdirSync(out, { recursive: true });
  let next = 0, failed;
  const worker = async () => {
    while (next < jobs.length && !failed && !unreachable) {
      try {
        await one(jobs[next++]);
      } catch (e) {
        failed = e;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker)); // the agent keeps to 4 connections
  if (failed) {
    console.error("integrity mismatch: " + failed.message);
    process.exit(1);
  }
  if (unreachable) console.log(`the registry is unreachable (${unreachable}): the installs download what is missing`);
  console.log(`${fetched} of ${jobs.length} packages fetched`);
})();
