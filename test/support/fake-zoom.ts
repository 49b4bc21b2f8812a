import type { PageRequest, ZoomPage } from '../../src/zoom/client';
import { ZoomApiError, ZoomNetworkError, ZoomRateLimitError } from '../../src/zoom/errors';
import type {
  CreateMeetingParams,
  DeleteMeetingResult,
  MeetingPatch,
  ZoomMeeting,
  ZoomMeetings,
  ZoomUser,
} from '../../src/zoom/types';

export type ZoomOp = 'create' | 'get' | 'update' | 'delete' | 'getUser' | 'find';

/**
 * What a fault does. `after_create_timeout` makes the meeting, then fails as a timeout would:
 * the caller cannot know the meeting exists. `timeout_then_late_create` fails as a timeout and
 * makes the meeting only when the test calls landLateCreates() (Zoom carrying it out late).
 */
export type ZoomFault =
  | 'rate_limit'
  | 'daily_limit'
  | 'server_error'
  | 'timeout'
  | 'after_create_timeout'
  | 'timeout_then_late_create';

type ThrownFault = Exclude<ZoomFault, 'after_create_timeout' | 'timeout_then_late_create'>;

interface FakeMeeting extends ZoomMeeting {
  host: string;
}

/**
 * An in-process Zoom with the behaviour the lifecycle depends on: users, meetings, markers in the
 * agenda, 404 for unknown meetings and users, and faults injected per call.
 */
export class FakeZoom implements ZoomMeetings {
  readonly meetings = new Map<string, FakeMeeting>();
  readonly calls: { op: ZoomOp; target: string }[] = [];
  private readonly users: Set<string>;
  private nextId = 90_000_000_000; // above 2^32, like real meeting ids
  private faults: { op: ZoomOp; fault: ZoomFault }[] = [];
  private late: FakeMeeting[] = [];
  /** Called before every operation; may return a fault to inject (randomised tests). */
  faultPicker: ((op: ZoomOp) => ZoomFault | null) | null = null;

  constructor(users: string[] = ['host@example.com']) {
    this.users = new Set(users.map((u) => u.toLowerCase()));
  }

  /** The next call of `op` fails with `fault`. */
  failNext(op: ZoomOp, fault: ZoomFault): void {
    this.faults.push({ op, fault });
  }

  liveMeetings(): FakeMeeting[] {
    return [...this.meetings.values()];
  }

  /** Zoom finally carries out the creates that timed out with `timeout_then_late_create`. */
  landLateCreates(): void {
    for (const meeting of this.late.splice(0)) this.meetings.set(meeting.id, meeting);
  }

  async createMeeting(host: string, params: CreateMeetingParams): Promise<ZoomMeeting> {
    const fault = this.enter('create', host);
    this.requireUser(host);
    if (fault && fault !== 'after_create_timeout' && fault !== 'timeout_then_late_create') {
      throw faultError(fault);
    }
    const id = String(this.nextId++);
    const meeting: FakeMeeting = {
      id,
      joinUrl: `https://zoom.example/j/${id}`,
      startUrl: `https://zoom.example/s/${id}?zak=secret`,
      password: 'pw' + id.slice(-4),
      hostId: host,
      host: host.toLowerCase(),
      topic: params.topic,
      agenda: params.agenda ?? null,
      startTime: params.startTime,
      durationMinutes: params.durationMinutes,
    };
    if (fault === 'timeout_then_late_create') {
      this.late.push(meeting);
      throw faultError('timeout');
    }
    this.meetings.set(id, meeting);
    if (fault === 'after_create_timeout') throw faultError('timeout');
    return { ...meeting };
  }

  async getMeeting(id: string): Promise<ZoomMeeting> {
    this.throwIfFault(this.enter('get', id));
    const meeting = this.meetings.get(id);
    if (!meeting) throw notFound(id);
    return { ...meeting };
  }

  async updateMeeting(id: string, patch: MeetingPatch): Promise<void> {
    this.throwIfFault(this.enter('update', id));
    const meeting = this.meetings.get(id);
    if (!meeting) throw notFound(id);
    if (patch.topic !== undefined) meeting.topic = patch.topic;
    if (patch.startTime !== undefined) meeting.startTime = patch.startTime;
    if (patch.durationMinutes !== undefined) meeting.durationMinutes = patch.durationMinutes;
    if (patch.agenda !== undefined) meeting.agenda = patch.agenda;
  }

  async deleteMeeting(id: string): Promise<DeleteMeetingResult> {
    const fault = this.enter('delete', id);
    if (fault === 'after_create_timeout' || fault === 'timeout_then_late_create') {
      this.meetings.delete(id);
      throw faultError('timeout');
    }
    this.throwIfFault(fault);
    return { status: this.meetings.delete(id) ? 'deleted' : 'already_gone' };
  }

  async getUser(emailOrId: string): Promise<ZoomUser> {
    this.throwIfFault(this.enter('getUser', emailOrId));
    this.requireUser(emailOrId);
    return { id: `user-${emailOrId}`, email: emailOrId, status: 'active', accountId: 'acc' };
  }

  /** One page of a host's meetings; agendas are left out, as Zoom's list may leave them out. */
  async listUpcomingMeetingsPage(host: string, page: PageRequest): Promise<ZoomPage<ZoomMeeting>> {
    this.throwIfFault(this.enter('find', host));
    this.requireUser(host);
    const mine = [...this.meetings.values()].filter((m) => m.host === host.toLowerCase());
    const from = Number(page.pageToken ?? 0);
    const size = page.pageSize ?? 30;
    const items = mine.slice(from, from + size).map((m) => ({ ...m, agenda: null }));
    return { items, nextPageToken: from + size < mine.length ? String(from + size) : null };
  }

  async findMeetingByMarker(host: string, marker: string): Promise<ZoomMeeting | null> {
    this.throwIfFault(this.enter('find', host));
    this.requireUser(host);
    const found = [...this.meetings.values()].find(
      (m) => m.host === host.toLowerCase() && (m.agenda ?? '').includes(marker),
    );
    return found ? { ...found } : null;
  }

  private enter(op: ZoomOp, target: string): ZoomFault | null {
    this.calls.push({ op, target });
    const index = this.faults.findIndex((f) => f.op === op);
    if (index >= 0) return this.faults.splice(index, 1)[0]?.fault ?? null;
    return this.faultPicker?.(op) ?? null;
  }

  private throwIfFault(fault: ZoomFault | null): void {
    if (!fault) return;
    throw faultError(
      fault === 'after_create_timeout' || fault === 'timeout_then_late_create' ? 'timeout' : fault,
    );
  }

  private requireUser(host: string): void {
    if (!this.users.has(host.toLowerCase())) {
      throw new ZoomApiError(404, 1001, `User does not exist: ${host}.`);
    }
  }
}

function notFound(id: string): ZoomApiError {
  return new ZoomApiError(404, 3001, `Meeting does not exist: ${id}.`);
}

function faultError(fault: ThrownFault): Error {
  switch (fault) {
    case 'rate_limit':
      return new ZoomRateLimitError('Too many requests', {
        daily: false,
        retryAfterMs: 1000,
        retryAt: null,
      });
    case 'daily_limit':
      return new ZoomRateLimitError('Daily limit of meeting creates reached for this user', {
        daily: true,
        retryAfterMs: null,
        retryAt: null,
      });
    case 'server_error':
      return new ZoomApiError(503, null, 'Zoom is unavailable.');
    case 'timeout':
      return new ZoomNetworkError('The request to Zoom timed out.', true);
  }
}
