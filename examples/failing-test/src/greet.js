// greet has a bug the test catches: it forgets the punctuation.
exports.greet = (name) => `Hello, ${name}`;
