import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a delivery's signature: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-codecrew-signature';
/** The header naming the event (`task.ended`, ...). */
export const EVENT_HEADER = 'x-codecrew-event';
/** The header with the delivery's id: the same on every attempt of one event. */
export const DELIVERY_HEADER = 'x-codecrew-delivery';
/** The header with the attempt's time, in seconds since 1970 (UTC). */
export const TIMESTAMP_HEADER = 'x-codecrew-timestamp';

/** `sha256=<hex>`: the HMAC-SHA256 of `body` (the exact bytes sent) under `secret`. */
export function signPayload(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when `signature` is the signature of `body` under `secret` (compared in constant time). */
export function verifySignature(secret: string, body: string | Buffer, signature: string | undefined): boolean {
  if (signature === undefined) return false;
  const expected = Buffer.from(signPayload(secret, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
