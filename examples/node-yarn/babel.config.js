// Compiles the ES module source to CommonJS for the Node.js version the
// release runs on.
module.exports = {
  presets: [["@babel/preset-env", { targets: { node: "20" } }]],
};
