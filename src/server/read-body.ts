import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ReceiverBusyError, RequestAbortedError } from './errors';
import type { StartTimer } from '../timer';

/** Calendly's invitee payloads are a few kilobytes; a megabyte leaves room and bounds memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ReadBodyOptions {
  maxBytes: number;
  /** This request's share of the receiver-wide byte budget; refused with ReceiverBusyError. */
  share?: { take(bytes: number): boolean };
}

/**
 * Reads the raw body (the signature covers these exact bytes) up to `maxBytes`. An oversized body
 * is refused as soon as it is known: from Content-Length before reading anything, or from the
 * running count. Either way reading stops and nothing more is kept: the caller answers, then
 * discards what is left (discardBody) and closes the connection.
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const { maxBytes, share } = options;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new PayloadTooLargeError(maxBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    // Once an answer was written with `Connection: close` Node detaches the request from its
    // connection, and closing the connection no longer closes the request: watch both.
    const { socket } = req;
    const stop = (error?: Error): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      socket.off('close', onClose);
      if (!error) return;
      req.pause();
      chunks = [];
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) return stop(new PayloadTooLargeError(maxBytes));
      if (share && !share.take(chunk.length)) return stop(new ReceiverBusyError());
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void =>
      stop(
        new RequestAbortedError(`The request body could not be read: ${error.message}`, {
          cause: error,
        }),
      );
    const onClose = (): void => {
      // 'close' also follows a complete body; only a close before the end is a failure.
      if (req.complete) return;
      stop(new RequestAbortedError('The client closed the connection before the body ended.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    socket.on('close', onClose);
  });
}

export interface DiscardLimits {
  maxBytes: number;
  maxMs: number;
  startTimer: StartTimer;
}

/**
 * After an early answer (413) the client may still be sending. Reading and dropping the rest, up
 * to a bound, lets the connection close cleanly so the client reads the answer; closing with
 * bytes unread would reset it. Resolves when the body ended, the client left, or a bound was hit.
 */
export function discardBody(req: IncomingMessage, limits: DiscardLimits): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let dropped = 0;
    const { socket } = req;
    const done = (): void => {
      cancel();
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      socket.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      dropped += chunk.length;
      if (dropped > limits.maxBytes) done();
    };
    const cancel = limits.startTimer(limits.maxMs, done);
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    socket.on('close', done);
    req.resume();
  });
}
