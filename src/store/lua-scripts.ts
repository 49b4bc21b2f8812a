import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Upstash store's Lua scripts, read from beside this module (the build copies scripts/*.lua
 * into dist/). Each script is the shared prelude followed by one transition, so a transition is a
 * single EVALSHA: one HTTP round trip, atomic on the server.
 */
export interface StoreScript {
  name: StoreScriptName;
  source: string;
  /** What EVALSHA names the script by. */
  sha1: string;
}

export type StoreScriptName =
  | 'claimCreate'
  | 'commitCreate'
  | 'beginCancel'
  | 'finishCancel'
  | 'releaseLease'
  | 'forgetMeeting'
  | 'expirePendingMove'
  | 'findByInvitee'
  | 'outboxClaim'
  | 'outboxComplete'
  | 'outboxRetry'
  | 'outboxRead';

const FILES: Record<StoreScriptName, string> = {
  claimCreate: 'claim-create.lua',
  commitCreate: 'commit-create.lua',
  beginCancel: 'begin-cancel.lua',
  finishCancel: 'finish-cancel.lua',
  releaseLease: 'release-lease.lua',
  forgetMeeting: 'forget-meeting.lua',
  expirePendingMove: 'expire-pending-move.lua',
  findByInvitee: 'find-by-invitee.lua',
  outboxClaim: 'outbox-claim.lua',
  outboxComplete: 'outbox-complete.lua',
  outboxRetry: 'outbox-retry.lua',
  outboxRead: 'outbox-read.lua',
};

const SCRIPTS_DIR = path.join(__dirname, 'scripts');

let loaded: Readonly<Record<StoreScriptName, StoreScript>> | undefined;

/** Read once per process, on first use rather than at import, so importing the library is cheap. */
export function storeScripts(): Readonly<Record<StoreScriptName, StoreScript>> {
  loaded ??= load();
  return loaded;
}

function load(): Record<StoreScriptName, StoreScript> {
  const prelude = read('prelude.lua');
  const entries = (Object.keys(FILES) as StoreScriptName[]).map((name) => {
    const source = `${prelude}\n${read(FILES[name])}`;
    const sha1 = createHash('sha1').update(source).digest('hex');
    return [name, { name, source, sha1 }] as const;
  });
  return Object.fromEntries(entries) as Record<StoreScriptName, StoreScript>;
}

function read(file: string): string {
  return readFileSync(path.join(SCRIPTS_DIR, file), 'utf8');
}
