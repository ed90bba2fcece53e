import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Typed search attributes on every campaign run. Ids and outcomes only: never an address or a name.
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const LaunchIdKey = defineSearchAttributeKey('LaunchId', SearchAttributeType.KEYWORD);
// A list, because a campaign may hold several e-mail actions: `EmailOutcome = "skipped"` matches a run if any of its
// e-mails was skipped.
export const EmailOutcomeKey = defineSearchAttributeKey('EmailOutcome', SearchAttributeType.KEYWORD_LIST);
export const SkipReasonsKey = defineSearchAttributeKey('SkipReasons', SearchAttributeType.KEYWORD_LIST);
// Set when a run starts waiting (a Wait, a Wait until, an e-mail waiting for its send window) to the instant it waits
// for. A launch's flow control counts only runs that are not waiting (WaitingUntil absent or past): runs that sleep for
// days hold no worker resources and must not stop the launch from starting the rest of its audience.
export const WaitingUntilKey = defineSearchAttributeKey('WaitingUntil', SearchAttributeType.DATETIME);

// Each Check e-mail status's decision (clicked, undelivered, ...; email_not_sent): `EmailStatus = "clicked"`.
export const EmailStatusKey = defineSearchAttributeKey('EmailStatus', SearchAttributeType.KEYWORD_LIST);

// The variant a Split assigned the customer to, or a Control group's group (control, target): `Variant = "B"`. A single
// Keyword, not a list: Temporal's SQL visibility (the dev server's SQLite, our PostgreSQL topology) allows at most three
// KeywordList attributes per namespace, and EmailOutcome, SkipReasons and EmailStatus hold them. In a run with several
// splits the last one decided sets it; the run's result and the flow log keep every one. Variant names are campaign
// text chosen by its author, never customer data.
export const VariantKey = defineSearchAttributeKey('Variant', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  CampaignIdKey,
  CustomerIdKey,
  LaunchIdKey,
  EmailOutcomeKey,
  SkipReasonsKey,
  WaitingUntilKey,
  EmailStatusKey,
  VariantKey,
];

/** `Name=Type` as the dev server's --search-attribute flag and `temporal operator search-attribute create` take them. */
export function searchAttributeFlags(): string[] {
  const names: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', DATETIME: 'Datetime' };
  return ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${names[k.type] ?? k.type}`);
}
