/**
 * A generated part of a Markdown file: the lines between `<!-- NAME:start -->`
 * and `<!-- NAME:end -->`. Everything outside the markers stays as it is.
 */

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** Where the body starts (after the start marker's line) and ends (at the end marker). */
function locate(text: string, name: string, file: string): { bodyStart: number; bodyEnd: number } {
  const { start, end } = markers(name);
  const startAt = text.indexOf(start);
  const endAt = text.indexOf(end);
  if (startAt < 0 || endAt < 0) {
    throw new Error(`${file} has no "${start}" ... "${end}" pair: add both markers where the generated text belongs`);
  }
  if (text.indexOf(start, startAt + 1) >= 0 || text.indexOf(end, endAt + 1) >= 0) {
    throw new Error(`${file} has "${start}" or "${end}" more than once: keep one pair`);
  }
  if (endAt < startAt) {
    throw new Error(`${file} has "${end}" before "${start}": put the start marker first`);
  }
  const lineEnd = startAt + start.length;
  return { bodyStart: text[lineEnd] === '\n' ? lineEnd + 1 : lineEnd, bodyEnd: endAt };
}

/** The lines between the markers of block `name` in `text`. */
export function readBlock(text: string, name: string, file: string): string {
  const { bodyStart, bodyEnd } = locate(text, name, file);
  return text.slice(bodyStart, bodyEnd);
}

/** `text` with the lines between the markers of block `name` replaced by `body`, a string of whole lines. */
export function replaceBlock(text: string, name: string, body: string, file: string): string {
  const { bodyStart, bodyEnd } = locate(text, name, file);
  const head = text.slice(0, bodyStart);
  return `${head}${head.endsWith('\n') ? '' : '\n'}${body}${text.slice(bodyEnd)}`;
}
