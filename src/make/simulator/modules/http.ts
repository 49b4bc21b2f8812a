// HTTP app, "Make a request" v4 (apps.make.com/http): no auth or Basic auth from a keychain, a
// JSON body typed as text (checked to be JSON before sending), output `{statusCode, headers,
// data}`. "Evaluate all states as errors" (stopOnHttpError) turns a non-2xx/3xx answer into a
// module error; a request that gets no answer is always one. Error types follow Make's help:
// 429 → RateLimitError, 503/504 → ConnectionError ("Fixing connection errors"), no answer →
// ConnectionError or, after the timeout, ModuleTimeoutError.

import { HttpTransportError } from '../../../http';
import type { MakeModule } from '../../blueprint-types';
import { MakeModuleError, type MakeErrorType } from '../errors';
import { isCollection, toBoolean, toNumber, toText } from '../iml/values';
import type { ModuleCall, ModuleFamily, SimulatorServices } from '../registry';

const MAPPER_FIELDS = new Set([
  'url',
  'method',
  'headers',
  'queryParameters',
  'contentType',
  'inputMethod',
  'jsonStringBodyContent',
  'parseResponse',
  'stopOnHttpError',
  'allowRedirects',
  'shareCookies',
  'requestCompressedContent',
  'timeout',
]);

function check(module: MakeModule): string[] {
  const problems: string[] = [];
  const auth = module.parameters?.authenticationType;
  if (auth !== 'noAuth' && auth !== 'basicAuth') {
    problems.push(`http:MakeRequest authentication "${String(auth)}" (module ${module.id})`);
  }
  for (const field of Object.keys(module.mapper ?? {})) {
    if (!MAPPER_FIELDS.has(field))
      problems.push(`http:MakeRequest field "${field}" (module ${module.id})`);
  }
  const contentType = module.mapper?.contentType;
  if (contentType !== undefined && contentType !== 'json') {
    problems.push(`http:MakeRequest content type "${String(contentType)}" (module ${module.id})`);
  }
  const input = module.mapper?.inputMethod;
  if (input !== undefined && input !== 'jsonString') {
    problems.push(`http:MakeRequest input method "${String(input)}" (module ${module.id})`);
  }
  return problems;
}

export const httpModules: ModuleFamily = {
  'http:MakeRequest': {
    check,
    async execute(call) {
      const { module, evaluate, services } = call;
      const mapper = module.mapper ?? {};
      const method = toText(evaluate(mapper.method) ?? 'get').toUpperCase();
      const url = routed(
        withQuery(toText(evaluate(mapper.url)), pairs(evaluate(mapper.queryParameters))),
        services,
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of pairs(evaluate(mapper.headers)))
        headers[name.toLowerCase()] = value;
      let body: string | undefined;
      if (mapper.jsonStringBodyContent !== undefined) {
        body = toText(evaluate(mapper.jsonStringBodyContent));
        try {
          JSON.parse(body);
        } catch (error) {
          throw new MakeModuleError(
            'DataError',
            `The request body is not valid JSON: ${body.slice(0, 80)}`,
            {
              cause: error,
            },
          );
        }
        headers['content-type'] = 'application/json';
      }
      if (module.parameters?.authenticationType === 'basicAuth') {
        headers.authorization = basicAuth(call);
      }
      const timeoutSeconds = toNumber(evaluate(mapper.timeout));
      let response;
      try {
        response = await services.http({
          method,
          url,
          headers,
          body,
          timeoutMs: Number.isFinite(timeoutSeconds)
            ? timeoutSeconds * 1000
            : services.httpTimeoutMs,
        });
      } catch (error) {
        if (!(error instanceof HttpTransportError)) throw error;
        throw new MakeModuleError(
          error.timedOut ? 'ModuleTimeoutError' : 'ConnectionError',
          error.message,
          { cause: error },
        );
      }
      const data = toBoolean(evaluate(mapper.parseResponse))
        ? parsed(response.body, response.headers)
        : response.body;
      if (toBoolean(evaluate(mapper.stopOnHttpError)) && response.status >= 400) {
        throw new MakeModuleError(
          errorType(response.status),
          `[${response.status}] ${describe(data)}`,
        );
      }
      return [{ statusCode: response.status, headers: response.headers, data }];
    },
  },
};

function pairs(value: unknown): Array<[string, string]> {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const { name, value: v } = (isCollection(item) ? item : {}) as {
      name?: unknown;
      value?: unknown;
    };
    return [toText(name), toText(v)];
  });
}

function withQuery(url: string, query: Array<[string, string]>): string {
  if (query.length === 0) return url;
  const search = new URLSearchParams(query).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${search}`;
}

/**
 * Points a real service's URL at its stand-in (`baseUrls`). With stand-ins configured, a URL none
 * of them covers is a mistake in the test or blueprint, never a request to the real service.
 */
function routed(url: string, services: SimulatorServices): string {
  if (services.baseUrls === undefined) return url;
  for (const [prefix, target] of Object.entries(services.baseUrls)) {
    const base = prefix.replace(/\/+$/, '');
    if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) {
      return `${target.replace(/\/+$/, '')}${url.slice(base.length)}`;
    }
  }
  throw new Error(`The simulator has no stand-in for ${new URL(url).origin} (baseUrls).`);
}

function basicAuth({ module, services }: ModuleCall): string {
  const id = module.parameters?.basicAuthKeychain;
  const keychain =
    (id === undefined ? undefined : services.keychains[String(id)]) ?? services.keychains['*'];
  if (keychain === undefined) {
    throw new MakeModuleError('InvalidConfigurationError', 'No Basic auth keychain is selected.');
  }
  return `Basic ${Buffer.from(`${keychain.username}:${keychain.password}`).toString('base64')}`;
}

function parsed(body: string, headers: Record<string, string>): unknown {
  if (body === '' || !(headers['content-type'] ?? '').includes('json')) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new MakeModuleError('DataError', 'The response is not valid JSON.', { cause: error });
  }
}

function errorType(status: number): MakeErrorType {
  if (status === 429) return 'RateLimitError';
  if (status === 503 || status === 504) return 'ConnectionError';
  return 'RuntimeError';
}

function describe(data: unknown): string {
  if (isCollection(data)) {
    return toText(data.message ?? data.reason ?? data.error ?? JSON.stringify(data));
  }
  return toText(data).slice(0, 200);
}
