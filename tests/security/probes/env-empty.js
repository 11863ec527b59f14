// Nothing of the host environment reaches the guest under strict.
const keys = Object.keys(process.env);
let leaked = keys.length > 0 || process.env.SECRET_TOKEN !== undefined || process.env.PATH !== undefined;
console.log(leaked ? `ESCAPED ${keys.join(',')}` : 'HELD');
