import type { MailTemplates } from './mail-templates';

const invitation = {
  subject: 'Your Zoom link: {{event}}, {{start}}',
  text: `Hello {{invitee_name}},

your booking "{{event}}" is on {{start}} ({{time_zone}}).

Join the Zoom meeting: {{join_url}}

The attached invitation puts it in your calendar.
`,
  html: page(`<p>Hello {{invitee_name}},</p>
<p>your booking <strong>{{event}}</strong> is on {{start}} ({{time_zone}}).</p>
<p><a href="{{join_url}}">Join the Zoom meeting</a><br>{{join_url}}</p>
<p>The attached invitation puts it in your calendar.</p>`),
};

const cancellation = {
  subject: 'Cancelled: {{event}}, {{start}}',
  text: `Hello {{invitee_name}},

your booking "{{event}}" on {{start}} ({{time_zone}}) is cancelled. {{reason}}

The attached cancellation removes it from your calendar.
`,
  html: page(`<p>Hello {{invitee_name}},</p>
<p>your booking <strong>{{event}}</strong> on {{start}} ({{time_zone}}) is cancelled. {{reason}}</p>
<p>The attached cancellation removes it from your calendar.</p>`),
};

/** The emails an invitee gets when no MAIL_TEMPLATE_DIR file replaces them. */
export const DEFAULT_MAIL_TEMPLATES: MailTemplates = {
  'meeting.created': invitation,
  'invitee.joined': invitation,
  'meeting.moved': {
    subject: 'Moved: {{event}} is now {{start}}',
    text: `Hello {{invitee_name}},

your booking "{{event}}" has moved from {{previous_start}} to {{start}} ({{time_zone}}).

The Zoom link stays the same: {{join_url}}

The attached update moves it in your calendar.
`,
    html: page(`<p>Hello {{invitee_name}},</p>
<p>your booking <strong>{{event}}</strong> has moved from {{previous_start}} to <strong>{{start}}</strong> ({{time_zone}}).</p>
<p>The Zoom link stays the same: <a href="{{join_url}}">{{join_url}}</a></p>
<p>The attached update moves it in your calendar.</p>`),
  },
  'meeting.deleted': cancellation,
  'invitee.left': cancellation,
};

function page(body: string): string {
  return `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
${body}
</body></html>
`;
}
