import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RequestAbortedError } from './errors';

/** Calendly's invitee payloads are a few kilobytes; a megabyte leaves room and bounds memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the raw body (the signature covers these exact bytes) up to `maxBytes`. An oversized body
 * is refused as soon as it is known: from Content-Length before reading anything, or from the
 * running count, after which reading stops (the caller answers with `Connection: close`).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new PayloadTooLargeError(maxBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        // No more bytes are buffered; the connection is closed after the 413 is written.
        req.pause();
        reject(new PayloadTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      stop();
      reject(
        new RequestAbortedError(`The request body could not be read: ${error.message}`, {
          cause: error,
        }),
      );
    };
    const onClose = (): void => {
      // 'close' also follows a complete body; only a close before the end is a failure.
      if (req.complete) return;
      stop();
      reject(new RequestAbortedError('The client closed the connection before the body ended.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
