/** What Meta (or reconciliation, or our token job) tells the WABAs domain: its events, before any register. */

export type DiscoveredBy = 'webhook' | 'reconciliation';

export interface WabaInfo {
  ownerBusinessId: string | null;
  solutionId: string | null;
  partnerBusinessIds: string[];
  /** `partner_app_id` of PARTNER_APP_INSTALLED / PARTNER_APP_UNINSTALLED. */
  partnerAppId?: string | null;
}

/** Why Meta says a WABA was disconnected (`disconnection_info` of PARTNER_REMOVED). */
export interface Disconnection {
  reason: string | null;
  initiatedBy: string | null;
}

/** An `account_update` webhook change. */
export interface WabaChangeEvent {
  type: 'change';
  wabaId: string;
  event: string;
  timeMs: number;
  eventId: string;
  /** The business portfolio that received the webhook (`entry.id`). */
  receivedBy: string | null;
  wabaInfo: WabaInfo | null;
  /**
   * For app install events: whether the app is ours (decided by the consumer, which knows our app ID; an
   * install event that names no app is about the app receiving it).
   */
  ours?: boolean;
  disconnection?: Disconnection | null;
  /** The change value without `event`: everything Meta said beside the event name. */
  details: Record<string, unknown>;
}

/** What reconciliation reads of a WABA: written into its register and compared against it, as is. */
export interface ReconciledFields {
  name: string | null;
  timezoneId: string | null;
  businessType: string | null;
  messageTemplateNamespace: string | null;
  /** The partner filter the WABA was listed under, when one was used. */
  partnerBusinessId: string | null;
  solutionIds: string[];
}

/** One WABA as reconciliation read it from `client_whatsapp_business_accounts`. */
export interface WabaObservation extends ReconciledFields {
  type: 'observation';
  wabaId: string;
  timeMs: number;
  eventId: string;
}

/** Where the customer's business token is kept; never the token itself. */
export interface WabaTokenRecord {
  type: 'token';
  wabaId: string;
  timeMs: number;
  eventId: string;
  secretName: string;
  businessId: string;
}

export type WabaEvent = WabaChangeEvent | WabaObservation | WabaTokenRecord;
