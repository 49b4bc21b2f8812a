// Runs the built Zapier app the way Zapier's runtime does (Node 22, the zip's own zapierwrapper.js)
// and checks that it validates and declares the contract's keys. A build whose tracing missed a
// file (dist/, the Lua scripts, an .mjs of a dependency) fails here rather than on Zapier.
// Usage: node scripts/check-zapier-build.js <unzipped build.zip dir>
const path = require('node:path');

const dir = path.resolve(process.argv[2] ?? 'build/check');
const { handler } = require(path.join(dir, 'zapierwrapper.js'));

const EXPECTED = {
  triggers: ['invitee_created', 'invitee_canceled', 'invitee_event'],
  creates: ['create_meeting', 'cancel_meeting', 'sync_booking', 'update_meeting', 'delete_meeting'],
  searches: ['find_meeting', 'find_user'],
};

function invoke(event) {
  return new Promise((resolve, reject) => {
    handler(event, { callbackWaitsForEmptyEventLoop: false }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

(async () => {
  const validation = await invoke({ command: 'validate' });
  if (validation.results.length > 0) {
    throw new Error(`the built app does not validate: ${JSON.stringify(validation.results)}`);
  }
  const { results: definition } = await invoke({ command: 'definition' });
  for (const [kind, keys] of Object.entries(EXPECTED)) {
    for (const key of keys) {
      if (!definition[kind]?.[key]) throw new Error(`the built app has no ${kind}.${key}`);
    }
  }
  const lua = require('node:fs').readdirSync(path.join(dir, 'dist/src/store/scripts'));
  if (!lua.includes('claim-create.lua')) throw new Error('the build lacks the store Lua scripts');
  console.log(
    `zapier build: validates on ${process.version}, declares every contract key, ${lua.length} Lua scripts`,
  );
})().catch((error) => {
  console.error(`zapier build check failed: ${error.message}`);
  process.exit(1);
});
