import type { BookingRecord } from '../src/store/booking-record';
import { ZoomApiError } from '../src/zoom/errors';
import type { ZoomMeeting } from '../src/zoom/types';
import type { ZapierEngine } from './engine';
import { itemFromMeeting, type MeetingItem } from './meeting-item';

/** The meeting as Zoom has it now, or null when Zoom no longer has it (404: deleted or ended). */
export function currentMeeting(
  engine: ZapierEngine,
  meetingId: string,
): Promise<ZoomMeeting | null> {
  return unlessGone(engine.zoom.getMeeting(meetingId));
}

/** A Zoom user's name as Zoom shows it, or null when the account has no such user (any more). */
export async function zoomUserName(
  engine: ZapierEngine,
  emailOrId: string,
): Promise<string | null> {
  return (await unlessGone(engine.zoom.getUser(emailOrId)))?.displayName ?? null;
}

/** Zoom's 404 (no such meeting or user) as null; every other failure stays a failure. */
export async function unlessGone<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof ZoomApiError && error.status === 404) return null;
    throw error;
  }
}

/** A meeting read from Zoom as a step's output, with its host's name and its booking if known. */
export async function meetingItemFromZoom(
  engine: ZapierEngine,
  meeting: ZoomMeeting,
  record: BookingRecord | null,
  outcome: string,
  message: string,
): Promise<MeetingItem> {
  const host = meeting.hostId ?? meeting.hostEmail ?? null;
  const hostName = host === null ? null : await zoomUserName(engine, host);
  return itemFromMeeting(meeting, outcome, message, { record, hostName });
}
