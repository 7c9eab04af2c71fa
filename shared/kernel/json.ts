export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Integer literals this long may exceed 2^53 (9007199254740992 has 16 digits). */
const LONG_INTEGER_DIGITS = 16;

/**
 * `JSON.parse` that keeps every long integer exact: an integer literal of 16 or more digits (a Meta ID sent
 * as a bare number, such as a 17-digit PSID) becomes a string of its digits instead of a rounded number.
 * One linear scan that skips string contents; everything else is left to `JSON.parse`.
 */
export const parseJsonExact = (text: string): unknown => {
  let out = '';
  let copied = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x22 /* " */) {
      index += 1;
      while (index < text.length && text.charCodeAt(index) !== 0x22)
        index += text.charCodeAt(index) === 0x5c ? 2 : 1;
      continue;
    }
    const isDigit = char >= 0x30 && char <= 0x39;
    const startsNumber = isDigit || char === 0x2d; /* - */
    if (!startsNumber) continue;
    let end = index + 1;
    while (end < text.length && /[0-9.eE+-]/.test(text.charAt(end))) end += 1;
    const literal = text.slice(index, end);
    if (/^-?[0-9]+$/.test(literal) && literal.replace('-', '').length >= LONG_INTEGER_DIGITS) {
      out += `${text.slice(copied, index)}"${literal}"`;
      copied = end;
    }
    index = end - 1;
  }
  return JSON.parse(copied === 0 ? text : out + text.slice(copied));
};

/** Parses text that must hold a JSON object (long integers kept exact): the object, or undefined. */
export const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const parsed = parseJsonExact(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
};
