import { isRecord } from '../../kernel/json.js';
import {
  GraphFailure,
  ok,
  requireToken,
  type SandboxPart,
  type SandboxRequest,
} from '../../platform/sandbox/context.js';
import { MAX_THREAD_METADATA_LENGTH, TAKE_NOT_PERMITTED } from './input.js';

/**
 * Meta's example business number (the `whatsapp-routing` samples and `npm run trigger -- wa-*`): on it the sandbox
 * makes our app the escalation partner, so `take` works; on every other number our app is only the primary of
 * each entry point, and `take` is refused with 2494191 as Meta refuses it.
 */
export const SANDBOX_ESCALATION_NUMBERS: ReadonlySet<string> = new Set(['106540352242922']);

const US = 'us';

const notOwner = (action: string) =>
  // Meta publishes no code for this refusal; 100 is its generic "invalid parameter".
  new GraphFailure(
    400,
    100,
    `(#100) Only the thread owner can ${action} (sandbox: the code is not Meta's documented one)`,
  );

const recipientOf = (body: Record<string, unknown>): string => {
  const named = [body.to, body.recipient].filter((value) => typeof value === 'string' && value !== '');
  if (named.length !== 1)
    throw new GraphFailure(
      400,
      100,
      '(#100) Exactly one of to (phone number) or recipient (BSUID) is required',
    );
  return String(named[0]);
};

/**
 * Conversation Routing in the sandbox: `POST /{phone_number_id}/thread_control` with the system user token. Every
 * thread starts owned by our app (the sandbox makes it the primary of every entry point: the customer's next
 * message would reach it). As Meta: the answer is `{"messaging_product": "whatsapp"}`; a `pass` sends its
 * `control_passed` to the new owner and a `take` its `control_taken` to the previous one, both other apps here, so
 * the sandbox delivers no webhook for our own calls, and `release` has none at all. Local mode shows each call's
 * effect through what the action recorded; `npm run trigger -- wa-control-passed` (and the other `wa-*` fixtures)
 * play the webhooks another app's calls would send us.
 */
export const whatsappThreadsSandbox = (): SandboxPart => {
  const owners = new Map<string, string | null>();
  const answer = (request: SandboxRequest) => {
    if (request.method !== 'POST' || request.edge !== 'thread_control') return undefined;
    requireToken(request, 'system');
    const { body, node } = request;
    if (body.messaging_product !== 'whatsapp')
      throw new GraphFailure(400, 100, '(#100) messaging_product must be whatsapp');
    const key = `${node}:${recipientOf(body)}`;
    if (typeof body.metadata === 'string' && body.metadata.length > MAX_THREAD_METADATA_LENGTH)
      throw new GraphFailure(
        400,
        100,
        `(#100) metadata is longer than ${MAX_THREAD_METADATA_LENGTH} characters`,
      );
    const owner = owners.has(key) ? (owners.get(key) ?? null) : US;
    switch (body.action) {
      case 'pass': {
        if (owner !== US) throw notOwner('pass');
        const target = isRecord(body.control_pass) ? body.control_pass.target_role : undefined;
        owners.set(key, target === 'ai_agent' ? 'ai_agent' : 'escalation');
        break;
      }
      case 'take':
        if (!SANDBOX_ESCALATION_NUMBERS.has(node))
          throw new GraphFailure(400, 100, '(#100) Take thread control is not permitted', TAKE_NOT_PERMITTED);
        owners.set(key, US);
        break;
      case 'release':
        if (owner !== US) throw notOwner('release');
        owners.set(key, null);
        break;
      default:
        throw new GraphFailure(400, 100, '(#100) action must be pass, take or release');
    }
    return ok({ messaging_product: 'whatsapp' });
  };
  return { answer };
};
