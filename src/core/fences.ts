/*
 * Fenced code, tracked line by line: the prefix cut, the piece cut, the site
 * syntax pass and the definition scan all leave what is inside a fence alone.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The fence still open after `line`, given the one open before it ('' for none). */
export function fenceAfter(line: string, fence: string): string {
  const marker = FENCE.exec(line)?.[1];
  if (!marker) return fence;
  // A closing fence: the same character, at least as long, nothing after it.
  if (fence) return marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker ? '' : fence;
  // A backtick fence's info string has no backtick (```a`b is a code span).
  if (marker[0] === '`' && line.indexOf('`', line.indexOf(marker) + marker.length) !== -1) return fence;
  return marker;
}
