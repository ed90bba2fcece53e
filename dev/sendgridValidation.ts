/**
 * Request-body validation for the SendGrid v3 fake (`POST /v3/mail/send`).
 *
 * Contract: /work/shared/notes/sendgrid-v3.md §1–§2. The point of the fake is to
 * make our code fail locally exactly where real SendGrid would fail in production,
 * so this module:
 *   - collects ALL violations instead of stopping at the first (SendGrid returns
 *     several errors in one 400, and seeing them all speeds up fixing a payload);
 *   - uses SendGrid's observed/documented message texts verbatim where known, and
 *     says so in a comment where a text is our own wording;
 *   - reports `field` as a dotted path (`personalizations.0.to.0.email`) and
 *     `help` as the errors.html anchor SendGrid uses for that field.
 *
 * Unknown keys: how real SendGrid treats keys outside its schema is undocumented.
 * We choose strictness and reject them, because the Node client silently passes
 * through camelCase keys it does not know (e.g. `contentId` inside attachments),
 * and such a payload "works" while dropping the setting on the floor.
 */
import { isValidEmail, isValidSenderEmail } from '../src/email/address';

export interface ApiError {
  message: string;
  field: string | null;
  help: string | null;
}

export interface ValidationOptions {
  /** Cap on merged global+personalization custom_args size (docs disagree: 10,000 vs 50,000). */
  customArgsMaxBytes: number;
  /** Current time in unix seconds; injectable so send_at checks are testable. */
  nowSeconds: number;
}

type Obj = { [k: string]: unknown };

const HELP_BASE = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.';
const MAX_PERSONALIZATIONS = 1000;
const MAX_RECIPIENTS = 1000;
const MAX_SEND_AT_AHEAD_S = 72 * 3600;
const RESERVED_HEADERS = new Set([
  'x-sg-id',
  'x-sg-eid',
  'received',
  'dkim-signature',
  'content-type',
  'content-transfer-encoding',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
]);

const TOP_LEVEL_KEYS = [
  'personalizations',
  'from',
  'reply_to',
  'reply_to_list',
  'subject',
  'content',
  'attachments',
  'template_id',
  'headers',
  'categories',
  'custom_args',
  'send_at',
  'batch_id',
  'asm',
  'ip_pool_name',
  'mail_settings',
  'tracking_settings',
  'sections',
] as const;
const PERSONALIZATION_KEYS = [
  'to',
  'cc',
  'bcc',
  'from',
  'subject',
  'headers',
  'substitutions',
  'dynamic_template_data',
  'custom_args',
  'send_at',
] as const;

/** Example suffix SendGrid appends to its "email object" errors (observed wording). */
const EMAIL_OBJECT_EXAMPLE = 'e.g. {"email" : "example@example.com"} or {"email" : "example@example.com", "name" : "Example Recipient"}.';

const MSG = {
  noPersonalizations: 'You must have at least one personalization.',
  tooManyPersonalizations: (n: number) =>
    `The personalization block is limited to 1000 personalizations per API request. You have provided ${n} personalizations. Please consider splitting this into multiple requests and resending your request.`,
  tooManyRecipients: 'There is a limit of 1000 total recipients (to + cc + bcc) per request.',
  toRequired:
    'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
  emptyCcBcc: (kind: 'cc' | 'bcc') =>
    `The ${kind} array, when used, must at least have an email parameter with a valid email address and it may also contain a name parameter. ${EMAIL_OBJECT_EXAMPLE}`,
  duplicate: (addr: string, field: string) =>
    `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${addr}] in the ${field} field.`,
  invalidAddress: 'Does not contain a valid address.',
  invalidFrom: 'The from email does not contain a valid address.',
  fromRequired: `The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter. ${EMAIL_OBJECT_EXAMPLE}`,
  tooLong: (label: string) => `The ${label} email exceeds the maximum total length of 320 characters`,
  subjectRequired:
    'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
  subjectEmpty: 'The subject of your email must be a string at least one character in length.',
  contentRequired: 'The content param is required unless you are using a transactional template and have defined a template_id.',
  contentEmptyArray:
    'There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
  contentValue: 'The content value must be a string at least one character in length.',
  contentType: 'Your content type must be a string with length of at least one character.',
  contentTypeChars: "Cannot contain ';', or CRLF characters.",
  contentOrder:
    'Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.',
  replyToExclusive: 'reply_to is mutually exclusive with reply_to_list.',
  tooManyCategories: (n: number) => `There is a limit of 10 categories for each email that is sent. You provided ${n} categories.`,
  categoryNotString: 'Categories must be an array of strings.',
  categoryTooLong: (c: string) => `Each category must not be longer than 255 characters. ${c} exceeds this limit`,
  categoryDuplicate: (c: string) => `The categories must be a unique list, and you have included ${c} more than once.`,
  categoryAscii: 'Categories can not contain non-ASCII characters.',
  customArgsNotString: 'All values of custom arguments object must be strings',
  customArgsEmpty: 'custom_args cannot be empty.',
  customArgsTooBig: (max: number) =>
    `The combined size of both global and personalization custom arguments may not exceed ${max.toLocaleString('en-US')} bytes per personalization.`,
  headerValue: 'The header values must be strings.',
  headerKey: 'Header keys cannot contain non-ASCII characters and empty spaces.',
  headerReserved: 'Header can not be one of the reserved keys.',
  headerDuplicate: 'The headers cannot contain duplicate keys.',
  sendAtInteger:
    'The send_at parameter is expecting a Unix timestamp as an integer. We will send immediately if you include a send_at timestamp that is in the past.',
  sendAtTooFar: 'Scheduling more than 72 hours in advance is forbidden.',
  attachmentContentEmpty: 'The attachment content must be a string at least one character in length.',
  attachmentBase64: 'The attachment content must be base64 encoded.',
  attachmentFilenameRequired: 'filename is required.',
  attachmentFilenameString: 'The filename of your attachment must be a string.',
  attachmentFilenameChars: 'The filename of your attachment cannot contain CRLF characters.',
  attachmentType: 'The attachment type must be a string and at least one character in length.',
  attachmentTypeChars: "The type cannot contain ';', or CRLF characters.",
  attachmentDisposition: (d: string) => `The disposition of your attachment can be either "inline" or "attachment". You provided ${d}.`,
  attachmentContentId: (c: string) => `The content ID of your attachment must be a string. You provided ${c}.`,
  attachmentContentIdChars: 'The content ID of your attachment cannot contain CRLF characters.',
  templateId: (t: string) => `The template ID must be a string, you provided ${t}.`,
  batchId: 'The batch_id must be a string.',
  ipPool: 'The name of your IP pool must be a string.',
  asmGroupId: 'The ASM group ID must be an integer.',
  asmGroupsToDisplay: 'The ASM Group IDs to display must be an array of integers.',
  asmTooManyGroups: 'There is a limit of 25 unsubscribe groups that can be displayed to a user at a time.',
  sections: 'The section values must be strings.',
  substitutions: 'The substitution values must be an object of key/value pairs, where the values are all strings.',
  // Our own wording below: SendGrid documents these rules but not their texts.
  nameChars: (kind: string) => `The ${kind} name may not contain the characters ';' or ','.`,
  invalidReplyTo: 'The reply_to email does not contain a valid address.',
  replyToListDuplicate: (addr: string) => `reply_to_list must be unique; [${addr}] appears more than once.`,
  replyToListTooLong: 'reply_to_list is limited to 1000 items.',
  ipPoolLength: 'The name of your IP pool must be between 2 and 64 characters long.',
  unknownField: (key: string, suggestion: string | null) =>
    `Unknown field "${key}" is not part of the v3 Mail Send schema${suggestion ? ` (did you mean "${suggestion}"?)` : ''}. This fake rejects unknown keys; the API expects snake_case.`,
};

// ---------------------------------------------------------------------------
// small helpers

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON-schema type names, as SendGrid's "Invalid type" messages use them. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string | boolean | object
}

/** `personalizations.0.to.0.email` → `...#message.personalizations.to` (observed pattern). */
function helpFor(field: string): string {
  const parts = field.split('.').filter((p) => !/^\d+$/.test(p));
  if (parts.length > 1 && parts[parts.length - 1] === 'email') parts.pop();
  return HELP_BASE + parts.join('.');
}

class Collector {
  readonly errors: ApiError[] = [];
  add(field: string, message: string, helpAnchorField: string = field): void {
    this.errors.push({ message, field, help: helpFor(helpAnchorField) });
  }
  /** Adds `Invalid type. Expected: X, given: Y.` unless v matches; returns whether it matched. */
  expect(field: string, v: unknown, expected: 'object' | 'array' | 'string' | 'integer' | 'boolean'): boolean {
    const given = jsonType(v);
    const ok = expected === 'integer' ? given === 'integer' : given === expected;
    if (!ok) this.add(field, `Invalid type. Expected: ${expected}, given: ${given}.`);
    return ok;
  }
}

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function snakeCase(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function checkUnknownKeys(e: Collector, path: string, o: Obj, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const snake = snakeCase(key);
    e.add(join(path, key), MSG.unknownField(key, allowed.includes(snake) ? snake : null));
  }
}

const hasCrLfSemicolon = (s: string, alsoComma: boolean): boolean => /[;\r\n]/.test(s) || (alsoComma && s.includes(','));
const isAscii = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) <= 0x7f);

/**
 * Strict base64: standard alphabet, correct padding. CRLF line breaks (MIME
 * wrapping) are tolerated since some encoders emit them; other whitespace is not.
 */
function isBase64(s: string): boolean {
  const compact = s.replace(/\r?\n/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

// ---------------------------------------------------------------------------
// field validators

type AddressKind = 'to' | 'cc' | 'bcc' | 'from' | 'reply_to' | 'reply_to_list';
const LENGTH_LABEL: Record<AddressKind, string> = {
  to: 'To',
  cc: 'CC',
  bcc: 'BCC',
  from: 'From',
  reply_to: 'Reply-To',
  reply_to_list: 'Reply-To',
};

/** Validates an `{email, name?}` object; returns the address when it is a string. */
function validateEmailObject(e: Collector, path: string, v: unknown, kind: AddressKind): string | null {
  if (!e.expect(path, v, 'object')) return null;
  const o = v as Obj;
  checkUnknownKeys(e, path, o, ['email', 'name']);
  const emailPath = join(path, 'email');
  const email = o.email;
  let result: string | null = null;
  if (typeof email !== 'string') {
    if (email !== undefined) e.expect(emailPath, email, 'string');
    else e.add(emailPath, kind === 'from' ? MSG.invalidFrom : kind === 'reply_to' ? MSG.invalidReplyTo : MSG.invalidAddress);
  } else {
    result = email;
    if (email.length > 320) e.add(emailPath, MSG.tooLong(LENGTH_LABEL[kind]));
    // No Unicode in `from` (notes §1, SendGrid's Limitations page); elsewhere the domain may be internationalised.
    else if (!(kind === 'from' ? isValidSenderEmail(email) : isValidEmail(email))) {
      e.add(emailPath, kind === 'from' ? MSG.invalidFrom : kind === 'reply_to' ? MSG.invalidReplyTo : MSG.invalidAddress);
    }
  }
  if (o.name !== undefined) {
    const namePath = join(path, 'name');
    if (e.expect(namePath, o.name, 'string') && (kind === 'to' || kind === 'cc' || kind === 'bcc')) {
      if (/[;,]/.test(o.name as string)) e.add(namePath, MSG.nameChars(kind));
    }
  }
  return result;
}

function validateStringMap(e: Collector, path: string, v: unknown, message: string): Obj | null {
  if (!e.expect(path, v, 'object')) return null;
  const o = v as Obj;
  if (Object.values(o).some((x) => typeof x !== 'string')) e.add(path, message);
  return o;
}

function validateHeaders(e: Collector, path: string, v: unknown): void {
  if (!e.expect(path, v, 'object')) return;
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(v as Obj)) {
    // JSON.parse already collapses byte-identical duplicate keys; header names are
    // case-insensitive, so "X-A" and "x-a" are duplicates too.
    const lower = key.toLowerCase();
    if (seen.has(lower)) e.add(path, MSG.headerDuplicate);
    seen.add(lower);
    if (typeof value !== 'string') e.add(path, MSG.headerValue);
    if (!isAscii(key) || /\s/.test(key) || key === '') e.add(path, MSG.headerKey);
    if (RESERVED_HEADERS.has(lower)) e.add(path, MSG.headerReserved);
  }
}

function validateCustomArgs(e: Collector, path: string, v: unknown): Obj | null {
  if (!e.expect(path, v, 'object')) return null;
  const o = v as Obj;
  if (Object.keys(o).length === 0) e.add(path, MSG.customArgsEmpty);
  if (Object.values(o).some((x) => typeof x !== 'string')) e.add(path, MSG.customArgsNotString);
  return o;
}

/** Size of merged custom args: the UTF-8 bytes of its JSON form (SendGrid does not define the measure). */
const customArgsBytes = (o: Obj): number => Buffer.byteLength(JSON.stringify(o), 'utf8');

function validateSendAt(e: Collector, path: string, v: unknown, nowSeconds: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) e.add(path, MSG.sendAtInteger);
  else if (v > nowSeconds + MAX_SEND_AT_AHEAD_S) e.add(path, MSG.sendAtTooFar);
  // A send_at in the past is valid: SendGrid sends immediately.
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

interface PersonalizationResult {
  recipients: number;
  hasSubject: boolean;
}

function validatePersonalization(
  e: Collector,
  i: number,
  v: unknown,
  globalArgs: Obj | null,
  opts: ValidationOptions,
): PersonalizationResult {
  const path = `personalizations.${i}`;
  const result: PersonalizationResult = { recipients: 0, hasSubject: false };
  if (!e.expect(path, v, 'object')) return result;
  const p = v as Obj;
  checkUnknownKeys(e, path, p, PERSONALIZATION_KEYS);

  // Recipients: `to` mandatory and non-empty; cc/bcc optional but never empty.
  // Duplicate check walks to, cc, bcc in order and reports where the first repeat sits.
  const seen = new Set<string>();
  let duplicateReported = false;
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    const listPath = `${path}.${kind}`;
    const list = p[kind];
    if (list === undefined) {
      if (kind === 'to') e.add(listPath, MSG.toRequired);
      continue;
    }
    if (!e.expect(listPath, list, 'array')) continue;
    const items = list as unknown[];
    if (items.length === 0) {
      e.add(listPath, kind === 'to' ? MSG.toRequired : MSG.emptyCcBcc(kind));
      continue;
    }
    result.recipients += items.length;
    items.forEach((item, j) => {
      const addr = validateEmailObject(e, `${listPath}.${j}`, item, kind);
      if (addr === null) return;
      const key = addr.toLowerCase();
      if (seen.has(key) && !duplicateReported) {
        duplicateReported = true; // SendGrid names only the first duplicate
        e.errors.push(duplicateRecipientError(addr, i, kind));
      }
      seen.add(key);
    });
  }

  if (p.from !== undefined) validateEmailObject(e, `${path}.from`, p.from, 'from');
  if (p.subject !== undefined) {
    if (nonEmptyString(p.subject)) result.hasSubject = true;
    else e.add(`${path}.subject`, MSG.subjectEmpty);
  }
  if (p.headers !== undefined) validateHeaders(e, `${path}.headers`, p.headers);
  if (p.substitutions !== undefined) validateStringMap(e, `${path}.substitutions`, p.substitutions, MSG.substitutions);
  if (p.dynamic_template_data !== undefined) e.expect(`${path}.dynamic_template_data`, p.dynamic_template_data, 'object');
  if (p.send_at !== undefined) validateSendAt(e, `${path}.send_at`, p.send_at, opts.nowSeconds);

  let ownArgs: Obj | null = null;
  if (p.custom_args !== undefined) ownArgs = validateCustomArgs(e, `${path}.custom_args`, p.custom_args);
  // The cap applies to the merged map, personalization keys winning. A global map
  // that is already too big is reported once at top level instead of per personalization.
  if (ownArgs && !(globalArgs && customArgsBytes(globalArgs) > opts.customArgsMaxBytes)) {
    if (customArgsBytes({ ...(globalArgs ?? {}), ...ownArgs }) > opts.customArgsMaxBytes) {
      e.add(`${path}.custom_args`, MSG.customArgsTooBig(opts.customArgsMaxBytes));
    }
  }
  return result;
}

function validateContent(e: Collector, v: unknown, hasTemplate: boolean): void {
  if (v === undefined) {
    if (!hasTemplate) e.add('content', MSG.contentRequired);
    return;
  }
  if (!e.expect('content', v, 'array')) return;
  const items = v as unknown[];
  if (items.length === 0 && !hasTemplate) e.add('content', MSG.contentEmptyArray);
  const ranks: number[] = [];
  items.forEach((item, i) => {
    const path = `content.${i}`;
    if (!e.expect(path, item, 'object')) return;
    const c = item as Obj;
    checkUnknownKeys(e, path, c, ['type', 'value']);
    if (!nonEmptyString(c.type)) e.add(`${path}.type`, MSG.contentType);
    else {
      if (/[;\r\n]/.test(c.type)) e.add(`${path}.type`, MSG.contentTypeChars);
      const t = c.type.trim().toLowerCase();
      ranks.push(t === 'text/plain' ? 0 : t === 'text/html' ? 1 : 2);
    }
    if (!nonEmptyString(c.value)) e.add(`${path}.value`, MSG.contentValue);
  });
  // text/plain, then text/html, then anything else (RFC 1341 §7.2 as SendGrid reads it).
  if (ranks.some((r, i) => i > 0 && r < ranks[i - 1])) e.add('content', MSG.contentOrder, 'content.value');
}

function validateAttachments(e: Collector, v: unknown): void {
  if (!e.expect('attachments', v, 'array')) return;
  (v as unknown[]).forEach((item, i) => {
    const path = `attachments.${i}`;
    if (!e.expect(path, item, 'object')) return;
    const a = item as Obj;
    checkUnknownKeys(e, path, a, ['content', 'filename', 'type', 'disposition', 'content_id']);
    if (!nonEmptyString(a.content)) e.add(`${path}.content`, MSG.attachmentContentEmpty);
    else if (!isBase64(a.content)) e.add(`${path}.content`, MSG.attachmentBase64);
    if (a.filename === undefined) e.add(`${path}.filename`, MSG.attachmentFilenameRequired);
    else if (typeof a.filename !== 'string') e.add(`${path}.filename`, MSG.attachmentFilenameString);
    else if (a.filename === '') e.add(`${path}.filename`, MSG.attachmentFilenameRequired);
    else if (hasCrLfSemicolon(a.filename, true)) e.add(`${path}.filename`, MSG.attachmentFilenameChars);
    if (a.type !== undefined) {
      if (!nonEmptyString(a.type)) e.add(`${path}.type`, MSG.attachmentType);
      else if (hasCrLfSemicolon(a.type, true)) e.add(`${path}.type`, MSG.attachmentTypeChars);
    }
    if (a.disposition !== undefined && a.disposition !== 'inline' && a.disposition !== 'attachment') {
      e.add(`${path}.disposition`, MSG.attachmentDisposition(String(a.disposition)));
    }
    if (a.content_id !== undefined) {
      if (typeof a.content_id !== 'string') e.add(`${path}.content_id`, MSG.attachmentContentId(JSON.stringify(a.content_id)));
      else if (hasCrLfSemicolon(a.content_id, true)) e.add(`${path}.content_id`, MSG.attachmentContentIdChars);
    }
  });
}

function validateCategories(e: Collector, v: unknown): void {
  if (!e.expect('categories', v, 'array')) return;
  const items = v as unknown[];
  if (items.length > 10) e.add('categories', MSG.tooManyCategories(items.length));
  const seen = new Set<string>();
  for (const c of items) {
    if (typeof c !== 'string') {
      e.add('categories', MSG.categoryNotString);
      continue;
    }
    if (c.length > 255) e.add('categories', MSG.categoryTooLong(c));
    if (!isAscii(c)) e.add('categories', MSG.categoryAscii);
    if (seen.has(c)) e.add('categories', MSG.categoryDuplicate(c));
    seen.add(c);
  }
}

function validateAsm(e: Collector, v: unknown): void {
  if (!e.expect('asm', v, 'object')) return;
  const a = v as Obj;
  checkUnknownKeys(e, 'asm', a, ['group_id', 'groups_to_display']);
  if (jsonType(a.group_id) !== 'integer') e.add('asm.group_id', MSG.asmGroupId);
  if (a.groups_to_display !== undefined) {
    const g = a.groups_to_display;
    if (!Array.isArray(g) || g.some((x) => jsonType(x) !== 'integer')) {
      e.add('asm.groups_to_display', MSG.asmGroupsToDisplay);
    } else if (g.length > 25) e.add('asm.groups_to_display', MSG.asmTooManyGroups);
  }
}

/**
 * Settings blocks are table-driven: each entry lists its keys and types. `enable`
 * errors use SendGrid's per-setting wording ("The footer enable param should be a
 * boolean value."); other type errors use the generic "Invalid type" text.
 */
type FieldType = 'boolean' | 'string' | 'integer' | 'object';
interface SettingSpec {
  label: string;
  verb?: 'should' | 'must';
  fields: Record<string, FieldType>;
}

const MAIL_SETTINGS: Record<string, SettingSpec> = {
  bcc: { label: 'bcc', fields: { enable: 'boolean', email: 'string' } },
  bypass_list_management: { label: 'bypass list management', fields: { enable: 'boolean' } },
  bypass_spam_management: { label: 'bypass spam management', fields: { enable: 'boolean' } },
  bypass_bounce_management: { label: 'bypass bounce management', fields: { enable: 'boolean' } },
  bypass_unsubscribe_management: { label: 'bypass unsubscribe management', fields: { enable: 'boolean' } },
  footer: { label: 'footer', fields: { enable: 'boolean', text: 'string', html: 'string' } },
  sandbox_mode: { label: 'sandbox mode', fields: { enable: 'boolean' } },
  spam_check: { label: 'spam check', fields: { enable: 'boolean', threshold: 'integer', post_to_url: 'string' } },
};
const TRACKING_SETTINGS: Record<string, SettingSpec> = {
  click_tracking: { label: 'click tracking', fields: { enable: 'boolean', enable_text: 'boolean' } },
  open_tracking: { label: 'open tracking', fields: { enable: 'boolean', substitution_tag: 'string' } },
  subscription_tracking: {
    label: 'subscription tracking',
    fields: { enable: 'boolean', text: 'string', html: 'string', substitution_tag: 'string' },
  },
  ganalytics: {
    label: 'Google Analytics',
    verb: 'must',
    fields: {
      enable: 'boolean',
      utm_source: 'string',
      utm_medium: 'string',
      utm_term: 'string',
      utm_content: 'string',
      utm_campaign: 'string',
    },
  },
};

function validateSettings(e: Collector, root: string, v: unknown, specs: Record<string, SettingSpec>): void {
  if (!e.expect(root, v, 'object')) return;
  const o = v as Obj;
  checkUnknownKeys(e, root, o, Object.keys(specs));
  for (const [name, spec] of Object.entries(specs)) {
    const block = o[name];
    if (block === undefined) continue;
    const path = `${root}.${name}`;
    if (!e.expect(path, block, 'object')) continue;
    const b = block as Obj;
    checkUnknownKeys(e, path, b, Object.keys(spec.fields));
    for (const [field, type] of Object.entries(spec.fields)) {
      const value = b[field];
      if (value === undefined) continue;
      if (field === 'enable' && typeof value !== 'boolean') {
        e.add(`${path}.enable`, `The ${spec.label} enable param ${spec.verb ?? 'should'} be a boolean value.`);
      } else if (field !== 'enable') {
        e.expect(`${path}.${field}`, value, type);
      }
    }
  }
}

// ---------------------------------------------------------------------------

/**
 * Validates a parsed mail-send body. Returns every violation found (empty array
 * when the body would be accepted). Sender verification (403) is not a body rule
 * and is checked by the fake after this passes.
 */
export function validateMailSend(body: unknown, opts: ValidationOptions): ApiError[] {
  const e = new Collector();
  if (!isObj(body)) {
    e.add('', `Invalid type. Expected: object, given: ${jsonType(body)}.`);
    return e.errors.map((x) => ({ ...x, field: null, help: null }));
  }
  checkUnknownKeys(e, '', body, TOP_LEVEL_KEYS);

  const hasTemplate = body.template_id !== undefined;
  if (hasTemplate && !nonEmptyString(body.template_id)) e.add('template_id', MSG.templateId(JSON.stringify(body.template_id)));

  // Global custom_args first: personalizations need it for the merged-size check.
  let globalArgs: Obj | null = null;
  if (body.custom_args !== undefined) {
    globalArgs = validateCustomArgs(e, 'custom_args', body.custom_args);
    if (globalArgs && customArgsBytes(globalArgs) > opts.customArgsMaxBytes) {
      e.add('custom_args', MSG.customArgsTooBig(opts.customArgsMaxBytes));
    }
  }

  let everyPersonalizationHasSubject = false;
  const ps = body.personalizations;
  if (ps === undefined) e.add('personalizations', MSG.noPersonalizations);
  else if (e.expect('personalizations', ps, 'array')) {
    const list = ps as unknown[];
    if (list.length === 0) e.add('personalizations', MSG.noPersonalizations);
    if (list.length > MAX_PERSONALIZATIONS) e.add('personalizations', MSG.tooManyPersonalizations(list.length));
    let recipients = 0;
    let withSubject = 0;
    list.forEach((p, i) => {
      const r = validatePersonalization(e, i, p, globalArgs, opts);
      recipients += r.recipients;
      if (r.hasSubject) withSubject++;
    });
    if (recipients > MAX_RECIPIENTS) e.add('personalizations', MSG.tooManyRecipients);
    everyPersonalizationHasSubject = list.length > 0 && withSubject === list.length;
  }

  if (body.from === undefined) e.add('from.email', MSG.fromRequired);
  else validateEmailObject(e, 'from', body.from, 'from');

  if (body.subject !== undefined) {
    if (!nonEmptyString(body.subject)) e.add('subject', MSG.subjectEmpty);
  } else if (!hasTemplate && !everyPersonalizationHasSubject) {
    e.add('subject', MSG.subjectRequired);
  }

  validateContent(e, body.content, hasTemplate);

  if (body.reply_to !== undefined && body.reply_to_list !== undefined) e.add('reply_to', MSG.replyToExclusive);
  if (body.reply_to !== undefined) validateEmailObject(e, 'reply_to', body.reply_to, 'reply_to');
  if (body.reply_to_list !== undefined && e.expect('reply_to_list', body.reply_to_list, 'array')) {
    const list = body.reply_to_list as unknown[];
    if (list.length > 1000) e.add('reply_to_list', MSG.replyToListTooLong);
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const addr = validateEmailObject(e, `reply_to_list.${i}`, item, 'reply_to_list');
      if (addr === null) return;
      if (seen.has(addr.toLowerCase())) e.add('reply_to_list', MSG.replyToListDuplicate(addr));
      seen.add(addr.toLowerCase());
    });
  }

  if (body.attachments !== undefined) validateAttachments(e, body.attachments);
  if (body.headers !== undefined) validateHeaders(e, 'headers', body.headers);
  if (body.categories !== undefined) validateCategories(e, body.categories);
  if (body.send_at !== undefined) validateSendAt(e, 'send_at', body.send_at, opts.nowSeconds);
  if (body.batch_id !== undefined && typeof body.batch_id !== 'string') e.add('batch_id', MSG.batchId);
  if (body.ip_pool_name !== undefined) {
    if (typeof body.ip_pool_name !== 'string') e.add('ip_pool_name', MSG.ipPool);
    else if (body.ip_pool_name.length < 2 || body.ip_pool_name.length > 64) e.add('ip_pool_name', MSG.ipPoolLength);
  }
  if (body.sections !== undefined) validateStringMap(e, 'sections', body.sections, MSG.sections);
  if (body.asm !== undefined) validateAsm(e, body.asm);
  if (body.mail_settings !== undefined) validateSettings(e, 'mail_settings', body.mail_settings, MAIL_SETTINGS);
  if (body.tracking_settings !== undefined) {
    validateSettings(e, 'tracking_settings', body.tracking_settings, TRACKING_SETTINGS);
  }
  return e.errors;
}

/** True when the body asks for sandbox mode (only meaningful once it validated). */
export function isSandbox(body: unknown): boolean {
  if (!isObj(body) || !isObj(body.mail_settings)) return false;
  const sandbox = body.mail_settings.sandbox_mode;
  return isObj(sandbox) && sandbox.enable === true;
}

/**
 * SendGrid's 400 for an address repeated within one personalization (the text quotes the address), as
 * `validateMailSend` reports it; also what the fake's `400-duplicate` fault answers.
 */
export function duplicateRecipientError(addr: string, personalization: number, listField: 'to' | 'cc' | 'bcc'): ApiError {
  const path = `personalizations.${personalization}`;
  return { message: MSG.duplicate(addr, `${path}.${listField}`), field: path, help: helpFor('recipient-errors') };
}

/** The address faults filter on: personalizations[0].to[0].email, lower-cased. */
export function firstRecipient(body: unknown): string | null {
  return firstRecipientAsSent(body)?.toLowerCase() ?? null;
}

/** personalizations[0].to[0].email as the request spelled it. */
export function firstRecipientAsSent(body: unknown): string | null {
  if (!isObj(body) || !Array.isArray(body.personalizations)) return null;
  const p = body.personalizations[0];
  if (!isObj(p) || !Array.isArray(p.to) || !isObj(p.to[0])) return null;
  const email = p.to[0].email;
  return typeof email === 'string' ? email : null;
}

/** The `from.email` of a body, if it is a string (for the Sender Identity check). */
export function fromEmail(body: unknown): string | null {
  if (!isObj(body) || !isObj(body.from)) return null;
  return typeof body.from.email === 'string' ? body.from.email : null;
}
