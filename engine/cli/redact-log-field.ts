/** Field names whose values are never written to a log, whatever their content. */
const SECRET_KEY = /passw(or)?d|^pwd$|passphrase|secret|token|credential|api[-_]?key/i;
/** `scheme://user:password@host`: the password part of a connection URL. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi;

/**
 * What a log line may show of a field. Secrets reach the runtime only as
 * resolved profiles, which are never logged; this is the last line of
 * defence should one end up in a field or an error message anyway.
 */
export function redactLogField(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key)) return '(sensitive)';
  if (typeof value === 'string') return redactLogText(value);
  return value;
}

/** Connection URLs lose their password. */
export function redactLogText(text: string): string {
  return text.replace(URL_PASSWORD, '$1:(sensitive)@');
}
