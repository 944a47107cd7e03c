/**
 * Making user-provided text (database names, diagnostic text that quotes
 * them) inert in GitHub-flavoured Markdown: no formatting, no HTML, no
 * @-mentions, and code spans and fences that a backtick cannot close.
 */

/** Inline text: Markdown punctuation backslash-escaped; `&`, `<`, `>` and `@` as entities. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/** Text inside an HTML element such as `<summary>`. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/@/g, '&#64;');
}

const longestRun = (s: string, re: RegExp): number => Math.max(0, ...[...s.matchAll(re)].map((m) => m[0].length));

/** A code span no backtick in `s` can end early (CommonMark: a longer backtick string, padded when needed). */
export function codeSpan(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ');
  const ticks = '`'.repeat(longestRun(flat, /`+/g) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fenced code block whose fence is longer than any backtick run in `body`. */
export function fenced(lang: string, body: string): string {
  const fence = '`'.repeat(Math.max(3, longestRun(body, /`+/g) + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}
