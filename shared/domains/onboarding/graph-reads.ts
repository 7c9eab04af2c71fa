import { metaIdOrNull } from '../../kernel/ids.js';
import { isRecord } from '../../kernel/json.js';

/**
 * Meta's answers to onboarding's calls, read defensively: each takes every shape Meta documents (and the ones
 * its pages print by mistake) and answers null or [] for what it cannot read, never a guess.
 */
type Json = unknown;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const listOf = (body: Json): unknown[] => (isRecord(body) && Array.isArray(body.data) ? body.data : []);

/** One app subscribed to a WABA (`GET /<WABA_ID>/subscribed_apps`), with its override callback if any. */
export interface SubscribedApp {
  appId: string;
  overrideCallbackUri: string | null;
}

/** `{"data": [{"whatsapp_business_api_data": {"id", ...}, "override_callback_uri"?}]}`; POST may answer it too. */
export const subscribedApps = (body: Json): SubscribedApp[] =>
  listOf(body).flatMap((entry) => {
    if (!isRecord(entry) || !isRecord(entry.whatsapp_business_api_data)) return [];
    const appId = metaIdOrNull(entry.whatsapp_business_api_data.id);
    return appId === null ? [] : [{ appId, overrideCallbackUri: text(entry.override_callback_uri) }];
  });

/** `whatsapp_credit_sharing_and_attach` answers `{allocation_config_id, waba_id}` (no `success`); the alternate method adds `success`. */
export const allocationConfigIdOf = (body: Json): string | null =>
  isRecord(body) ? metaIdOrNull(body.allocation_config_id) : null;

/** `GET /<WABA_ID>?fields=primary_funding_id`: the credential that pays for the WABA's conversations. */
export const primaryFundingOf = (body: Json): string | null =>
  isRecord(body) ? metaIdOrNull(body.primary_funding_id) : null;

/** `GET /<WABA_ID>?fields=owner_business_info`: the customer's business portfolio. */
export const ownerBusinessOf = (body: Json): string | null =>
  isRecord(body) && isRecord(body.owner_business_info) ? metaIdOrNull(body.owner_business_info.id) : null;

/** `GET /<ALLOCATION_CONFIG_ID>?fields=receiving_credential`: `{"receiving_credential": {"id"}}`. */
export const receivingCredentialOf = (body: Json): string | null =>
  isRecord(body) && isRecord(body.receiving_credential) ? metaIdOrNull(body.receiving_credential.id) : null;

/** `?fields=receiving_business,request_status`: `DELETED` once revoked. */
export const requestStatusOf = (body: Json): string | null =>
  isRecord(body) ? text(body.request_status) : null;

export interface Allocation {
  id: string;
  receivingBusinessId: string | null;
  receivingCredentialId: string | null;
}

/**
 * `GET /<CREDIT_LINE_ID>/owning_credit_allocation_configs`: a `data` list as every Graph edge answers (the
 * Marketing API reference); Meta's credit-line page prints one object instead, which is read as a list of one.
 */
export const allocationsOf = (body: Json): Allocation[] => {
  const entries =
    isRecord(body) && !Array.isArray(body.data) && body.id !== undefined ? [body] : listOf(body);
  return entries.flatMap((entry) => {
    if (!isRecord(entry)) return [];
    const id = metaIdOrNull(entry.id);
    if (id === null) return [];
    return [
      {
        id,
        receivingBusinessId: isRecord(entry.receiving_business)
          ? metaIdOrNull(entry.receiving_business.id)
          : null,
        receivingCredentialId: receivingCredentialOf(entry),
      },
    ];
  });
};

export interface PhoneNumber {
  id: string;
  /** `CLOUD_API` once registered on the Cloud API; `NOT_APPLICABLE`, `ON_PREMISE` otherwise. */
  platformType: string | null;
  displayPhoneNumber: string | null;
}

/** `GET /<WABA_ID>/phone_numbers?fields=id,display_phone_number,platform_type` (one page). */
export const phoneNumbersOf = (body: Json): PhoneNumber[] =>
  listOf(body).flatMap((entry) => {
    if (!isRecord(entry)) return [];
    const id = metaIdOrNull(entry.id);
    return id === null
      ? []
      : [
          {
            id,
            platformType: text(entry.platform_type),
            displayPhoneNumber: text(entry.display_phone_number),
          },
        ];
  });

/** `GET /<PHONE_NUMBER_ID>?fields=platform_type`. */
export const platformTypeOf = (body: Json): string | null =>
  isRecord(body) ? text(body.platform_type) : null;

/**
 * `GET /<PHONE_NUMBER_ID>?fields=webhook_configuration`: the callback Meta uses for the number is its own
 * override, else the WABA's, else the app's.
 */
export const webhookConfigurationOf = (body: Json) => {
  const config = isRecord(body) && isRecord(body.webhook_configuration) ? body.webhook_configuration : {};
  const phoneNumber = text(config.phone_number);
  const whatsappBusinessAccount = text(config.whatsapp_business_account);
  const application = text(config.application);
  return {
    effective: phoneNumber ?? whatsappBusinessAccount ?? application,
    phoneNumber,
    whatsappBusinessAccount,
    application,
  };
};
