import { DEFAULT_CALENDLY_API_URL } from '../src/calendly/calendly-api';
import { inviteeRefOf } from '../src/calendly/invitee-from-api';
import { lastSegment } from '../src/calendly/json';
import { invalid, requiredText, type InputData } from './input';

/**
 * The one field a booking action needs: everything else about the booking (times, host, invitee,
 * location, reschedule links, whether it is canceled) is read from Calendly inside the step.
 */
export const INVITEE_FIELD = {
  key: 'invitee_uri',
  label: 'Calendly Invitee URI',
  required: true,
  helpText:
    "Map **Invitee URI** from this app's Calendly trigger, or the invitee's **URI** from Calendly's own Zapier app (it looks like `https://api.calendly.com/scheduled_events/…/invitees/…`). The step reads the booking from Calendly: times, host, invitee, location and reschedule links need no mapping.",
};

/** The scheduled event and invitee an Invitee URI names. */
export function inviteeRefFromInput(input: InputData): { eventUuid: string; inviteeUuid: string } {
  const { key, label } = INVITEE_FIELD;
  const ref = inviteeRefOf(requiredText(input, key, label));
  if (ref === null) {
    throw invalid(
      key,
      label,
      'must be a Calendly invitee URI (https://api.calendly.com/scheduled_events/<event>/invitees/<invitee>); map Invitee URI from the Calendly trigger',
    );
  }
  return ref;
}

/** `https://api.calendly.com/scheduled_events/<uuid>` or the bare UUID; URIs are opaque otherwise. */
export function eventRefFromInput(
  input: InputData,
  field: { key: string; label: string },
): { eventUri: string; eventUuid: string } {
  const value = requiredText(input, field.key, field.label);
  if (/^https?:\/\//i.test(value)) {
    const eventUri = value.replace(/\/+$/, '');
    const eventUuid = lastSegment(eventUri);
    if (!eventUuid) throw invalid(field.key, field.label, 'has no id at its end');
    return { eventUri, eventUuid };
  }
  if (!/^[A-Za-z0-9_-]+$/.test(value)) {
    throw invalid(field.key, field.label, 'must be a Calendly scheduled event URI or its UUID');
  }
  return { eventUri: `${DEFAULT_CALENDLY_API_URL}/scheduled_events/${value}`, eventUuid: value };
}
