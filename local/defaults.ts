/** Values used when the environment supplies none; printed at start so a new user can sign requests. */
export const DEV_DEFAULTS = {
  META_APP_SECRET: 'switchboard-dev-app-secret',
  META_VERIFY_TOKEN: 'switchboard-dev-verify-token',
  META_SYSTEM_USER_TOKEN: 'switchboard-dev-system-user-token',
  META_APP_ID: '21202248997039',
  META_BUSINESS_ID: '506914307656634',
  META_PAGE_ACCESS_TOKEN: 'switchboard-dev-page-token',
} as const;
