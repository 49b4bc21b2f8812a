/**
 * The bytes of request bodies the receiver holds at once, across every request. Each request
 * takes from it as its body arrives and gives everything back when it is done; a request that
 * cannot take more is refused, so a flood of large bodies costs a bounded amount of memory.
 */
export interface ByteBudget {
  readonly limitBytes: number;
  /** What requests hold now. */
  readonly usedBytes: number;
  /** One request's share: `take` returns false (and takes nothing) when the budget is spent. */
  open(): { take(bytes: number): boolean; release(): void };
}

export function createByteBudget(limitBytes: number): ByteBudget {
  let usedBytes = 0;
  return {
    limitBytes,
    get usedBytes() {
      return usedBytes;
    },
    open() {
      let held = 0;
      return {
        take(bytes) {
          if (usedBytes + bytes > limitBytes) return false;
          usedBytes += bytes;
          held += bytes;
          return true;
        },
        release() {
          usedBytes -= held;
          held = 0;
        },
      };
    },
  };
}
