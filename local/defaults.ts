/** Values used when the environment supplies none; printed at start so a new user can sign requests. */
export const DEV_DEFAULTS = {
  META_APP_SECRET: 'switchboard-dev-app-secret',
  META_VERIFY_TOKEN: 'switchboard-dev-verify-token',
  META_SYSTEM_USER_TOKEN: 'switchboard-dev-system-user-token',
  META_APP_ID: '21202248997039',
  META_BUSINESS_ID: '506914307656634',
  META_PAGE_ACCESS_TOKEN: 'switchboard-dev-page-token',
  /** The sandbox's Instagram account (Meta's example) and the Page it is linked to. */
  META_INSTAGRAM_PAGES: '17841405822304914=104508901353867',
} as const;
