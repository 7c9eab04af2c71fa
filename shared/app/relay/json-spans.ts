/**
 * Where the values of a JSON text lie, without parsing them: the relay rebuilds Meta's envelope from the exact
 * text of each change it keeps (long integer IDs, `\u` escapes and key order as Meta wrote them), never from a
 * re-serialised parse. The text has already been parsed once, so a malformed one is a programming error.
 */

/** `[start, end)` of a value in the text. */
export interface Span {
  start: number;
  end: number;
}

/** A member of an object: its decoded key, the member's whole text (`"key": value`) and its value. */
export interface Member {
  key: string;
  whole: Span;
  value: Span;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

const malformed = (at: number): Error => new Error(`malformed JSON at offset ${at}`);

export const skipWhitespace = (text: string, index: number): number => {
  let at = index;
  while (at < text.length && WHITESPACE.has(text.charAt(at))) at += 1;
  return at;
};

/** The index after the string that opens at `start`. */
const stringEnd = (text: string, start: number): number => {
  for (let at = start + 1; at < text.length; at++) {
    const char = text.charAt(at);
    if (char === '\\') at += 1;
    else if (char === '"') return at + 1;
  }
  throw malformed(start);
};

/** The index after the value that starts at `start` (iterative: nesting depth costs no stack). */
export const valueEnd = (text: string, start: number): number => {
  let depth = 0;
  for (let at = start; at < text.length; at++) {
    const char = text.charAt(at);
    if (char === '"') {
      at = stringEnd(text, at) - 1;
      if (depth === 0) return at + 1;
    } else if (char === '{' || char === '[') {
      depth += 1;
    } else if (depth === 0 && (char === ',' || char === '}' || char === ']' || WHITESPACE.has(char))) {
      if (at === start) throw malformed(at);
      return at;
    } else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return at + 1;
    }
  }
  if (depth !== 0 || start >= text.length) throw malformed(start);
  return text.length;
};

/** Walks the comma-separated parts of an object or array whose opening bracket is at `start`. */
const parts = (text: string, start: number, close: string, each: (at: number) => number): number => {
  let at = skipWhitespace(text, start + 1);
  if (text.charAt(at) === close) return at + 1;
  for (;;) {
    at = skipWhitespace(text, each(at));
    const char = text.charAt(at);
    if (char === close) return at + 1;
    if (char !== ',') throw malformed(at);
    at = skipWhitespace(text, at + 1);
  }
};

/** The members of the object that opens at `start`, in their order. */
export const objectMembers = (text: string, start: number): Member[] => {
  if (text.charAt(start) !== '{') throw malformed(start);
  const members: Member[] = [];
  parts(text, start, '}', (at) => {
    if (text.charAt(at) !== '"') throw malformed(at);
    const keyEnd = stringEnd(text, at);
    const colon = skipWhitespace(text, keyEnd);
    if (text.charAt(colon) !== ':') throw malformed(colon);
    const valueStart = skipWhitespace(text, colon + 1);
    const end = valueEnd(text, valueStart);
    members.push({
      key: JSON.parse(text.slice(at, keyEnd)) as string,
      whole: { start: at, end },
      value: { start: valueStart, end },
    });
    return end;
  });
  return members;
};

/** The items of the array that opens at `start`, in their order. */
export const arrayItems = (text: string, start: number): Span[] => {
  if (text.charAt(start) !== '[') throw malformed(start);
  const items: Span[] = [];
  parts(text, start, ']', (at) => {
    const end = valueEnd(text, at);
    items.push({ start: at, end });
    return end;
  });
  return items;
};

export const textOf = (text: string, span: Span): string => text.slice(span.start, span.end);
