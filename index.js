// Zapier's runtime loads ./index.js from the app root and ignores package.json "main"; the app
// itself is compiled from index.ts into dist/ by `npm run build`.
module.exports = require('./dist/index.js');
