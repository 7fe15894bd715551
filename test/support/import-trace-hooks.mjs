// The resolve hook of import-trace.mjs: appends each resolved module URL to CODECREW_IMPORT_TRACE.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.CODECREW_IMPORT_TRACE) appendFileSync(process.env.CODECREW_IMPORT_TRACE, `${resolved.url}\n`);
  return resolved;
}
