/** A Zoom meeting as the engine keeps it. `id` is a string: meeting ids exceed 32 bits. */
export interface ZoomMeeting {
  id: string;
  joinUrl: string;
  /** Host secret: never logged, never put in an error message. */
  startUrl: string | null;
  password: string | null;
  hostId: string | null;
  /** Zoom's `host_email`; absent from list items and from some fakes. */
  hostEmail?: string | null;
  topic: string;
  agenda: string | null;
  /** ISO 8601 UTC. */
  startTime: string | null;
  durationMinutes: number | null;
  /** The time zone Zoom shows the meeting in (IANA name). */
  timezone?: string | null;
}

export interface ZoomMeetingSettings {
  host_video?: boolean;
  participant_video?: boolean;
  join_before_host?: boolean;
  waiting_room?: boolean;
  mute_upon_entry?: boolean;
  auto_recording?: 'none' | 'local' | 'cloud';
  /** Comma-separated emails, as Zoom takes them. */
  alternative_hosts?: string;
  [other: string]: unknown;
}

export interface CreateMeetingParams {
  topic: string;
  /** ISO 8601 UTC (`…Z`). */
  startTime: string;
  durationMinutes: number;
  /** Carries the Calendly event URI as a marker for crash recovery (see findMeetingByMarker). */
  agenda?: string;
  timezone?: string;
  password?: string;
  settings?: ZoomMeetingSettings;
}

export interface MeetingPatch {
  topic?: string;
  startTime?: string;
  durationMinutes?: number;
  agenda?: string;
  timezone?: string;
  settings?: ZoomMeetingSettings;
}

export interface ZoomUser {
  id: string;
  email: string;
  status: string | null;
  accountId: string | null;
  /** `display_name`, else first and last name: what a person recognises in a list. */
  displayName?: string | null;
}

export interface DeleteMeetingResult {
  status: 'deleted' | 'already_gone';
}

/** What the lifecycle needs from Zoom. The real client implements it; tests use fakes. */
export interface CreateMeetingOptions {
  /**
   * Absolute time (ms since epoch, on the client's clock) after which no request for this create
   * may be sent or still be running: the end of the caller's hold on the booking.
   */
  deadlineAt?: number;
}

export interface ZoomMeetings {
  /** `host` is a Zoom user id or email. Never retried blindly: a timeout may have created it. */
  createMeeting(
    host: string,
    params: CreateMeetingParams,
    options?: CreateMeetingOptions,
  ): Promise<ZoomMeeting>;
  getMeeting(id: string): Promise<ZoomMeeting>;
  updateMeeting(id: string, patch: MeetingPatch): Promise<void>;
  /** 404 / code 3001 is `already_gone`, a success. */
  deleteMeeting(id: string): Promise<DeleteMeetingResult>;
  /** Throws ZoomApiError (status 404, code 1001) when no such user exists. */
  getUser(emailOrId: string): Promise<ZoomUser>;
  /** The host's upcoming meeting whose agenda contains `marker`, or null. For crash recovery. */
  findMeetingByMarker(host: string, marker: string): Promise<ZoomMeeting | null>;
}
