const assert = require("node:assert/strict");
const { createApp } = require("../src/app");

describe("inventory", () => {
  let server;
  let base;
  before((done) => {
    server = createApp().listen(0, () => {
      base = `http://127.0.0.1:${server.address().port}`;
      done();
    });
  });
  after((done) => server.close(done));

  it("answers health", async () => {
    assert.equal((await fetch(`${base}/health`)).status, 200);
  });

  it("counts known items", async () => {
    assert.deepEqual(await (await fetch(`${base}/stock/tea`)).json(), { item: "tea", count: 12 });
  });

  it("refuses unknown items", async () => {
    assert.equal((await fetch(`${base}/stock/gold`)).status, 404);
  });
});
