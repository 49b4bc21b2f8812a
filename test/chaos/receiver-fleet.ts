import { emptyLogStats, type ReceiverLogStats, type ReceiverProcess } from './receiver-process';

/**
 * Several receivers on one store, behind a round-robin sender, as a fleet behind a load balancer
 * would be: each call of webhookUrl() names the next live one. A kill takes one member down (the
 * others carry on); restart() moves every live member's clock past the dead leases, as real time
 * would, and starts the killed one again one step on, so all clocks agree.
 */
export function receiverFleet(members: ReceiverProcess[]): ReceiverProcess {
  let next = 0;
  let killed: ReceiverProcess | null = null;
  const live = (): ReceiverProcess[] => members.filter((m) => m !== killed);
  const stats = (): ReceiverLogStats => {
    const merged = emptyLogStats();
    for (const { stats: s } of members) {
      for (const [k, v] of Object.entries(s.requests))
        merged.requests[k] = (merged.requests[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.errors)) merged.errors[k] = (merged.errors[k] ?? 0) + v;
      merged.errorLines.push(...s.errorLines);
      merged.recoveredOrphans += s.recoveredOrphans;
      merged.finishedAfterTimeout += s.finishedAfterTimeout;
      merged.stderr.push(...s.stderr);
      merged.lines.push(...s.lines);
    }
    return merged;
  };
  const first = members[0];
  if (!first) throw new Error('a fleet needs at least one receiver');
  return {
    webhookUrl() {
      const up = live();
      const member = up[next++ % up.length] ?? first;
      return member.webhookUrl();
    },
    clockOffsetMs: () => first.clockOffsetMs(),
    async kill() {
      // The middle one: the first keeps the clock every other member follows.
      killed = members[Math.floor(members.length / 2)] ?? first;
      await killed.kill();
    },
    async restart() {
      for (const member of live()) await member.advanceClock();
      const down = killed;
      killed = null;
      await down?.restart();
    },
    async advanceClock() {
      for (const member of live()) await member.advanceClock();
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
    get stats() {
      return stats();
    },
    get starts() {
      return members.reduce((n, m) => n + m.starts, 0);
    },
  };
}
