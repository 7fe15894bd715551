/** Why a model request is made: a step of the tool loop, or a summary of the conversation so far. */
export type ModelPurpose = 'step' | 'compact';

/** The header that carries a request's purpose, for proxies, logs and the scripted server's `purpose` match. */
export const PURPOSE_HEADER = 'x-codecrew-purpose';

/**
 * Call options for `ChatOpenAI.invoke` that mark one request with its purpose.
 *
 * @example
 * await model.invoke(messages, { signal, ...purposeOptions('step') });
 */
export function purposeOptions(purpose: ModelPurpose): { options: { headers: Record<string, string> } } {
  return { options: { headers: { [PURPOSE_HEADER]: purpose } } };
}
