const { greet } = require("./greet");
console.log(greet(process.argv[2] || "world"));
