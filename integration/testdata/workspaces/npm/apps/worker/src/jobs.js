const ms = require("ms");

// every is the interval of a job, from its schedule ("30s", "5m").
exports.every = (schedule) => ms(schedule);
