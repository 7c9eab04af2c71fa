/** A path segment Graph can name: an ID or an edge (`123`, `take_thread_control`); never `.`, `..`, `?`, `#`, `%`. */
export const SAFE_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,64}$/;
/** A paging link's path: a Graph version, then plain segments. */
export const VERSIONED = /^\/v\d{1,3}\.\d(\/(?!\.{1,2}(\/|$))[A-Za-z0-9_.-]{1,64})+\/?$/;

/**
 * The path of a Graph call from validated IDs and fixed edge names: each segment checked and encoded, so
 * no caller ever pastes a string into a path (a `me/feed?x#` or `..` can never become another call).
 */
export const graphPath = (...segments: string[]): string => {
  for (const segment of segments) {
    if (!SAFE_SEGMENT.test(segment)) throw new Error(`not a Graph path segment: ${JSON.stringify(segment)}`);
  }
  return `/${segments.map(encodeURIComponent).join('/')}`;
};
