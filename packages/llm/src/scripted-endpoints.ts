/** Base URLs of scripted servers running in this process. */
const running = new Set<string>();

function normalise(url: string): string {
  return url.replace(/\/+$/, '');
}

export function registerScriptedEndpoint(url: string): void {
  running.add(normalise(url));
}

export function unregisterScriptedEndpoint(url: string): void {
  running.delete(normalise(url));
}

/** True when `baseURL` is a scripted model server started in this process. */
export function isScriptedEndpoint(baseURL: string | undefined): boolean {
  return baseURL !== undefined && running.has(normalise(baseURL));
}

export { isScriptedModel } from '@codecrew/core';
