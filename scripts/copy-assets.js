// tsc copies no non-TS files: the store's Lua scripts are read at run time from beside the
// compiled adapter, so they are copied into dist/ after every build.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'src', 'store', 'scripts');
const to = path.join(__dirname, '..', 'dist', 'src', 'store', 'scripts');
fs.mkdirSync(to, { recursive: true });
for (const name of fs.existsSync(from) ? fs.readdirSync(from) : []) {
  if (name.endsWith('.lua')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}
