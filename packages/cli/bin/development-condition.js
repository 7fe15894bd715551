// A module resolution hook for running codecrew from this repository's sources: it adds the
// "development" export condition, so that `@codecrew/*` imports resolve to their `src/*.ts` entries
// (compiled on the fly by tsx) instead of the built `dist/*.js` that installed copies use.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('development')
    ? context.conditions
    : [...context.conditions, 'development'];
  return nextResolve(specifier, { ...context, conditions });
}
