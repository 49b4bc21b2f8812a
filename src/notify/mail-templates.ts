import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { escapeHtml } from '../escape-html';
import type { NoticeType } from '../store/outbox';
import { DEFAULT_MAIL_TEMPLATES } from './default-mail-templates';

/** Every notice but booking.needs_attention reaches the invitee by email. */
export type EmailNoticeType = Exclude<NoticeType, 'booking.needs_attention'>;
export type MailPart = 'subject' | 'text' | 'html';
export type MailTemplates = Record<EmailNoticeType, Record<MailPart, string>>;

export const EMAIL_NOTICE_TYPES: readonly EmailNoticeType[] = [
  'meeting.created',
  'meeting.moved',
  'meeting.deleted',
  'invitee.joined',
  'invitee.left',
];

/** What `{{name}}` may stand for in a template (docs/notifications.md says what each holds). */
export const PLACEHOLDERS = [
  'event',
  'invitee_name',
  'invitee_email',
  'host_email',
  'join_url',
  'passcode',
  'meeting_id',
  'start',
  'end',
  'time_zone',
  'previous_start',
  'reason',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** `meeting.created.subject.txt`, `meeting.created.text.txt`, `meeting.created.html`. */
const FILE_SUFFIX: Record<MailPart, string> = {
  subject: 'subject.txt',
  text: 'text.txt',
  html: 'html',
};
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * The built-in templates, with any file of `dir` (MAIL_TEMPLATE_DIR) in place of its built-in
 * counterpart. Read once at start-up; a file whose name or placeholder is unknown is a
 * ConfigError, so a typo shows at start-up instead of in an invitee's inbox.
 */
export function loadMailTemplates(dir: string | null): MailTemplates {
  const templates = structuredClone(DEFAULT_MAIL_TEMPLATES);
  if (dir === null) return templates;
  const known = new Map<string, [EmailNoticeType, MailPart]>();
  for (const type of EMAIL_NOTICE_TYPES) {
    for (const part of Object.keys(FILE_SUFFIX) as MailPart[]) {
      known.set(`${type}.${FILE_SUFFIX[part]}`, [type, part]);
    }
  }
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (cause) {
    throw new ConfigError(`MAIL_TEMPLATE_DIR: cannot read the directory ${dir}.`, { cause });
  }
  const problems: string[] = [];
  for (const file of files) {
    const slot = known.get(file);
    if (!slot) {
      problems.push(
        `MAIL_TEMPLATE_DIR: ${file} is not a template name (e.g. meeting.created.subject.txt, ` +
          'meeting.created.text.txt, meeting.created.html).',
      );
      continue;
    }
    const text = readFileSync(join(dir, file), 'utf8');
    for (const name of placeholdersIn(text)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
        problems.push(
          `MAIL_TEMPLATE_DIR: ${file} uses {{${name}}}, which is not one of ` +
            `${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
        );
      }
    }
    const [type, part] = slot;
    templates[type][part] = text;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return templates;
}

/**
 * Fills a template. In HTML every value is escaped (an invitee's name is text, never markup); in
 * a subject line breaks are removed (a subject is one header line).
 */
export function renderTemplate(template: string, values: TemplateValues, part: MailPart): string {
  const filled = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name as Placeholder] ?? '';
    return part === 'html' ? escapeHtml(value) : value;
  });
  return part === 'subject' ? filled.replace(/\s+/g, ' ').trim() : filled;
}

function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}
