const Koa = require("koa");
const Router = require("@koa/router");

// A tiny inventory service.
function createApp() {
  const stock = new Map([["tea", 12], ["coffee", 3]]);
  const router = new Router();
  router.get("/health", (ctx) => { ctx.body = { status: "ok" }; });
  router.get("/stock/:item", (ctx) => {
    const n = stock.get(ctx.params.item);
    if (n === undefined) ctx.throw(404, "unknown item");
    ctx.body = { item: ctx.params.item, count: n };
  });
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

module.exports = { createApp };
