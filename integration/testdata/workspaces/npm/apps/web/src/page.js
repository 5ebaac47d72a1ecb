const escape = require("escape-html");

exports.page = (title) => `<!doctype html><title>${escape(title)}</title><h1>${escape(title)}</h1>\n`;
