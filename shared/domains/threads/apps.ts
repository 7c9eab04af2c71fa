/** App IDs Meta documents for passing control to a human inbox. */
export const PAGE_INBOX_APP_ID = '263902037430900';
export const INSTAGRAM_INBOX_APP_ID = '1217981644879628';

export const KNOWN_APPS: Readonly<Record<string, string>> = {
  [PAGE_INBOX_APP_ID]: 'Page Inbox',
  [INSTAGRAM_INBOX_APP_ID]: 'Instagram Inbox',
};

export const appName = (appId: string | null): string | null =>
  appId === null ? null : (KNOWN_APPS[appId] ?? null);
