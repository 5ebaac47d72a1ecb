const ms = require("ms");

// uptime formats how long the process has run, for every app's health page.
exports.uptime = () => ms(Math.round(process.uptime() * 1000), { long: true });
