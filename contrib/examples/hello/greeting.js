module.exports = (name) => `hello, ${name}, from inside the sandbox`;
