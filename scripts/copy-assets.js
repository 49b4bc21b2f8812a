// tsc copies no non-TS files: the store's Lua scripts are read at run time from beside the
// compiled adapter, so they are copied into dist/ after every build (into another output root
// given as the argument, e.g. the chaos harness's dist/chaos).
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'src', 'store', 'scripts');
const root = process.argv[2] ?? path.join(__dirname, '..', 'dist');
const to = path.join(root, 'src', 'store', 'scripts');
fs.mkdirSync(to, { recursive: true });
for (const name of fs.existsSync(from) ? fs.readdirSync(from) : []) {
  if (name.endsWith('.lua')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}
