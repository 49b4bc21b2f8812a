// Webhooks app (apps.make.com/gateway): the custom webhook trigger and "Webhook response".

import { MakeModuleError } from '../errors';
import { toText } from '../iml/values';
import type { ModuleFamily } from '../registry';

export const gatewayModules: ModuleFamily = {
  /**
   * With "JSON pass-through" the body arrives untouched as `value`; with "Get request headers"
   * the headers arrive as `__IMTHEADERS__`, `[{name, value}]` (names lower-cased here: how Make
   * cases them is not documented, so the blueprint matches both spellings).
   */
  'gateway:CustomWebHook': {
    trigger: true,
    async execute({ run, services }) {
      const request = run.request;
      if (request === undefined) return [];
      const bundle: Record<string, unknown> = services.webhook.jsonPassThrough
        ? { value: request.body }
        : parsedFields(request.body);
      if (services.webhook.headers) {
        bundle.__IMTHEADERS__ = request.headers.map(([name, value]) => ({
          name: name.toLowerCase(),
          value,
        }));
      }
      return [bundle];
    },
  },

  'gateway:WebhookRespond': {
    async execute({ module, evaluate, run }) {
      const status = Number(toText(evaluate(module.mapper?.status)));
      if (!Number.isInteger(status) || status < 100 || status > 599) {
        throw new MakeModuleError('DataError', `Invalid response status "${String(status)}".`);
      }
      const headers: Record<string, string> = {};
      const given = evaluate(module.mapper?.headers ?? []);
      for (const header of Array.isArray(given) ? given : []) {
        const { key, value } = header as { key?: unknown; value?: unknown };
        headers[toText(key).toLowerCase()] = toText(value);
      }
      run.respond({ status, body: toText(evaluate(module.mapper?.body)), headers });
      return [{}];
    },
  },
};

function parsedFields(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
