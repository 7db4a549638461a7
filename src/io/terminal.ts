/**
 * Text from content files (paths, titles, values, diffs) on its way to a
 * terminal: a control sequence in it would be run by the terminal (an OSC that
 * retitles the window, a CSI that clears the screen or moves the cursor), so
 * every control character is shown as an escape instead. Colour (SGR, `ESC[…m`)
 * passes: batchmatter's own colours are made of it, and it can only colour text.
 * A CR before LF (a CRLF file's diff) passes too; a lone CR, which could hide
 * the start of a line, does not.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b\[[0-9;]*m|\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;

export function printable(text: string): string {
  // Written as JSON writes them (\u001b), so --json read on a terminal stays valid JSON.
  return text.replace(CONTROL, (match) => (match.length > 1 ? match : `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** `printable` for a stream that is a terminal; text for a pipe or a file is left exactly as it is (a patch must apply). */
export const forStream = (stream: { isTTY?: boolean }, text: string): string => (stream.isTTY ? printable(text) : text);
