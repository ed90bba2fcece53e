// fast-check generators for campaign documents: `validCampaign` follows docs/campaigns.md (the validator must
// accept it), `mutatedCampaign` applies one to three changes to a valid one (wrong types, unknown and missing keys,
// duplicate ids, deeper or wider trees, huge strings, NUL bytes, lone surrogates, odd numbers, deep nesting), and
// `anyCampaignText` adds arbitrary JSON and text that is not JSON at all.
import fc from 'fast-check';
import { MAX_ACTIONS, MAX_DEPTH } from '../../../src/campaigns/types';
import { MAX_BCC } from '../../../src/actions/sendEmail/definition';
import { ACTION_TYPES, type ActionType } from '../../../src/contract';
import { Deep, anyJsonValue, deep, hugeString, nastyString, oddNumber, safeString, toJsonText } from './text';
import { validTemplate } from './templates';

/** The categories that exist when these documents are validated. */
export const CATEGORIES = ['news', 'promo'];

type Json = unknown;
type Obj = Record<string, Json>;
type Path = (string | number)[];

interface Shape {
  type: ActionType;
  children: Shape[];
}

const shape: fc.Arbitrary<Shape[]> = fc.letrec<{ node: Shape; list: Shape[] }>((tie) => ({
  node: fc.record({ type: fc.constantFrom(...ACTION_TYPES), children: tie('list') }),
  list: fc.oneof({ depthSize: 'small' }, fc.constant<Shape[]>([]), fc.array(tie('node'), { maxLength: 3 })),
})).list;

const idBase = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/);
const senderName = safeString({ maxLength: 40 }).map((s) => s.replace(/[\r\n\u2028]/g, ''));
const sender = fc.record(
  { email: fc.constantFrom('news@shop.example.com', 'a.b-c+d@xn--80a1acny.xn--p1ai', 'X@Shop.Example.COM'), name: senderName },
  { requiredKeys: ['email'] },
);
const bccAddress = fc.constantFrom(
  'audit@shop.example.com',
  'AUDIT@shop.example.com',
  'ivan@почта.рф',
  'x@sub.example.org',
  'y@example.net',
);
const utmValue = safeString({ minLength: 1, maxLength: 20 });

const emailSettings = fc.record(
  {
    from: sender,
    replyTo: sender,
    subject: validTemplate,
    html: validTemplate,
    text: validTemplate,
    categoryCode: fc.constantFrom(...CATEGORIES),
    bcc: fc.array(bccAddress, { maxLength: MAX_BCC }),
    utm: fc.record({ source: utmValue, medium: utmValue, campaign: utmValue, term: utmValue, content: utmValue }, { requiredKeys: [] }),
  },
  { requiredKeys: ['from', 'subject', 'html'] },
);
const tagSettings = fc.record({ tag: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,20}$/) });
const ZONES = ['UTC', 'Europe/Moscow', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const duration = fc
  .record(
    { days: fc.nat(3), hours: fc.nat(23), minutes: fc.nat(59), seconds: fc.integer({ min: 1, max: 59 }) },
    { requiredKeys: ['seconds'] },
  )
  .map((d) => d as Obj);
const waitSettings = fc.record({ duration });
const twoDigits = (n: number) => String(n).padStart(2, '0');
const localDateTime = fc
  .tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.nat(23), fc.nat(59))
  .map(([y, mo, d, h, mi]) => `${y}-${twoDigits(mo)}-${twoDigits(d)}T${twoDigits(h)}:${twoDigits(mi)}`);
const waitUntilSettings = fc.record({ dateTime: localDateTime, timeZone: fc.constantFrom(...ZONES) });
// The e-mail and the branches depend on the action's place in the tree: filled in by validCampaign.
const checkSettings = fc.record({ waitUpTo: duration }, { requiredKeys: [] });
// A split's variants and a control group's groups share out the children: filled in by validCampaign.
const splitSettings = fc.record({
  count: fc.integer({ min: 2, max: 5 }),
  first: fc.integer({ min: 1, max: 60 }),
  names: fc.constantFrom('A', 'b', 'v_1', 'Long-Name-32-chars-long-12345678'),
});
const controlSettings = fc.record({ percent: fc.integer({ min: 0, max: 50 }) });
const timeOfDay = fc.tuple(fc.nat(23), fc.nat(59)).map(([h, m]) => `${twoDigits(h)}:${twoDigits(m)}`);
const sendWindow = fc
  .tuple(timeOfDay, timeOfDay, fc.constantFrom(...ZONES))
  .filter(([start, end]) => start !== end)
  .map(([start, end, timeZone]) => ({ start, end, timeZone }));
// Keyed by the contract's ActionType: a new action type does not compile until it has settings here.
const SETTINGS: Record<ActionType, fc.Arbitrary<Obj>> = {
  sendEmail: emailSettings,
  setTag: tagSettings,
  wait: waitSettings,
  waitUntil: waitUntilSettings,
  checkEmailStatus: checkSettings,
  split: splitSettings,
  controlGroup: controlSettings,
};
const STATUSES = ['undelivered', 'delivered_not_opened', 'opened_not_clicked', 'clicked'];

/** Settings for every action of `shapes`, in document order. */
function settingsFor(shapes: Shape[]): fc.Arbitrary<Obj[]> {
  const types: Shape['type'][] = [];
  const walk = (list: Shape[]) => list.forEach((s) => (types.push(s.type), walk(s.children)));
  walk(shapes);
  return fc.tuple(...types.map((t) => SETTINGS[t])) as fc.Arbitrary<Obj[]>;
}

/** A document the validator must accept. */
export const validCampaign: fc.Arbitrary<Obj> = fc
  .tuple(
    shape,
    idBase,
    safeString({ minLength: 1, maxLength: 60 }),
    fc.option(fc.constantFrom('hold', 'resend')),
    fc.option(sendWindow),
    fc.option(fc.integer({ min: 1, max: 60_000 })),
  )
  .chain(([shapes, id, name, unknownDelivery, window, perMinute]) =>
    fc.tuple(settingsFor(shapes), fc.array(idBase, { minLength: 100, maxLength: 100 })).map(([settings, ids]) => {
      let n = 0;
      // `email`: the id of the nearest Send e-mail above (a check needs one; without it the action becomes a tag).
      const build = (list: Shape[], email: string | undefined): Obj[] =>
        list.map((s) => {
          const i = n++;
          const actionId = `${ids[i % ids.length]}-${i}`;
          const type = s.type === 'checkEmailStatus' && !email ? 'setTag' : s.type;
          const action: Obj = { id: actionId, type, settings: type === 'setTag' && s.type !== 'setTag' ? { tag: 't' } : settings[i] };
          const children = build(s.children, type === 'sendEmail' ? actionId : email);
          if (type === 'checkEmailStatus') {
            // Each child gets one to four statuses, rotated by its place.
            const branches = Object.fromEntries(
              children.map((c, k) => [c.id as string, STATUSES.slice(0, 1 + ((i + k) % 4)).map((_, j) => STATUSES[(i + k + j) % 4])]),
            );
            action.settings = { ...settings[i], emailActionId: email, branches };
          }
          if (type === 'split') {
            // `count` variants: the first weighs `first`, the others share the rest; child k goes to variant k mod count.
            const { count, first, names } = settings[i] as { count: number; first: number; names: string };
            const rest = 100 - first;
            const variants = Array.from({ length: count }, (_, v) => ({
              name: v === 0 ? names : `${names.slice(0, 28)}-${v}`,
              weight: v === 0 ? first : Math.floor(rest / (count - 1)) + (v === count - 1 ? rest % (count - 1) : 0),
              children: children.filter((_, k) => k % count === v).map((c) => c.id as string),
            }));
            action.settings = { variants };
          }
          if (type === 'controlGroup') {
            const ids = children.map((c) => c.id as string);
            action.settings = { ...settings[i], control: ids.filter((_, k) => k % 2 === 1), target: ids.filter((_, k) => k % 2 === 0) };
          }
          // children may be left out when empty
          if (children.length > 0 || i % 2 === 0) action.children = children;
          return action;
        });
      const doc: Obj = { id, name: name.trim() === '' ? `${name}x` : name, actions: build(shapes, undefined) };
      if (unknownDelivery !== null) doc.unknownDelivery = unknownDelivery;
      if (window !== null) doc.sendWindow = window;
      if (perMinute !== null) doc.messagesPerMinute = perMinute;
      return doc;
    }),
  );

/** Every place in a document: the path of each object, array and value (the root is []; a Deep marker is a value). */
export function pathsOf(doc: Json): Path[] {
  const out: Path[] = [];
  const visit = (v: Json, p: Path) => {
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...p, i]));
    else if (v !== null && typeof v === 'object' && !(v instanceof Deep)) for (const [k, x] of Object.entries(v)) visit(x, [...p, k]);
  };
  visit(doc, []);
  return out;
}

function at(doc: Json, p: Path): Json {
  return p.reduce<Json>((v, k) => (v as Obj)[k as string], doc);
}

/** Sets a property without invoking setters (a key "__proto__" becomes an own property, as JSON.parse makes it). */
function put(o: Obj | Json[], k: string | number, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function actionsOf(doc: Obj): Obj[] {
  const out: Obj[] = [];
  const walk = (list: Json) =>
    Array.isArray(list) && list.forEach((a) => a && typeof a === 'object' && (out.push(a as Obj), walk((a as Obj).children)));
  walk(doc.actions);
  return out;
}

const chainOf = (n: number, prefix: string): Obj => {
  let node: Obj = { id: `${prefix}-${n}`, type: 'setTag', settings: { tag: 't' }, children: [] };
  for (let i = n - 1; i >= 1; i--) node = { id: `${prefix}-${i}`, type: 'setTag', settings: { tag: 't' }, children: [node] };
  return node;
};

/** A change to a document, at a place chosen by index among pathsOf(doc). */
export type Mutation = { kind: string; apply(doc: Obj): void };

const strangeValue = fc.oneof(anyJsonValue, nastyString(), hugeString, oddNumber, deep);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), strangeValue).map(([i, v]) => ({
    kind: 'replace a value',
    apply(doc: Obj) {
      const paths = pathsOf(doc).filter((p) => p.length > 0);
      const p = paths[i % paths.length];
      if (p) put(at(doc, p.slice(0, -1)) as Obj, p[p.length - 1], v);
    },
  })),
  fc.nat().map((i) => ({
    kind: 'delete a key or element',
    apply(doc: Obj) {
      const paths = pathsOf(doc).filter((p) => p.length > 0);
      const p = paths[i % paths.length];
      if (!p) return;
      const parent = at(doc, p.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
      else delete (parent as Obj)[p[p.length - 1]];
    },
  })),
  fc
    .tuple(
      fc.nat(),
      fc.oneof(nastyString(12), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'ID', 'children ')),
      strangeValue,
    )
    .map(([i, key, v]) => ({
      kind: 'add a key',
      apply(doc: Obj) {
        const objects = pathsOf(doc).filter((p) => {
          const v = at(doc, p);
          return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Deep);
        });
        put(at(doc, objects[i % objects.length]) as Obj, key, v);
      },
    })),
  fc
    .tuple(fc.nat(), fc.constantFrom('\0', '\ud800', '\udfff', '\u2028', '\r\n', '\u202e', '😀'.slice(0, 1), '\ufeff'), fc.nat())
    .map(([i, bad, pos]) => ({
      kind: 'insert a character into a string',
      apply(doc: Obj) {
        const strings = pathsOf(doc).filter((p) => p.length > 0 && typeof at(doc, p) === 'string');
        const p = strings[i % strings.length];
        if (!p) return;
        const s = at(doc, p) as string;
        const k = pos % (s.length + 1);
        put(at(doc, p.slice(0, -1)) as Obj, p[p.length - 1], s.slice(0, k) + bad + s.slice(k));
      },
    })),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => ({
    kind: 'duplicate an action id',
    apply(doc: Obj) {
      const as = actionsOf(doc);
      if (as.length > 1) as[i % as.length].id = as[j % as.length].id;
    },
  })),
  fc.tuple(fc.nat(), fc.constantFrom(MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 5)).map(([i, n]) => ({
    kind: 'hang a chain of actions',
    apply(doc: Obj) {
      const as = actionsOf(doc);
      const parent = as.length ? as[i % as.length] : undefined;
      const chain = chainOf(n, `chain${i}`);
      if (parent) parent.children = [...(Array.isArray(parent.children) ? parent.children : []), chain];
      else doc.actions = [chain];
    },
  })),
  fc.constantFrom(MAX_ACTIONS - 1, MAX_ACTIONS, MAX_ACTIONS + 1, 5_000).map((n) => ({
    kind: 'add many actions',
    apply(doc: Obj) {
      const extra = Array.from({ length: n }, (_, k) => ({ id: `many-${k}`, type: 'setTag', settings: { tag: 't' } }));
      doc.actions = [...(Array.isArray(doc.actions) ? doc.actions : []), ...extra];
    },
  })),
  fc.tuple(fc.nat(), fc.constantFrom('sendEmail', 'setTag', 'sendSms', '', 'SENDEMAIL', 'constructor', '__proto__')).map(([i, type]) => ({
    kind: 'change an action type',
    apply(doc: Obj) {
      const as = actionsOf(doc);
      if (as.length) as[i % as.length].type = type;
    },
  })),
);

/** A valid document with one to three mutations, and their kinds (for the failure report). */
export const mutatedCampaign: fc.Arbitrary<{ doc: Obj; kinds: string[] }> = fc
  .tuple(validCampaign, fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([doc, ms]) => {
    const copy = JSON.parse(JSON.stringify(doc)) as Obj;
    for (const m of ms) m.apply(copy);
    return { doc: copy, kinds: ms.map((m) => m.kind) };
  });

/** Campaign file text of every kind: valid, mutated, arbitrary JSON, and text that is not JSON. */
export const anyCampaignText: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: validCampaign.map((d) => toJsonText(d, 2)) },
  { weight: 6, arbitrary: mutatedCampaign.map(({ doc }) => toJsonText(doc)) },
  { weight: 2, arbitrary: anyJsonValue.map((v) => toJsonText(v)) },
  { weight: 1, arbitrary: nastyString(80) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')) },
  {
    weight: 1,
    arbitrary: fc.tuple(validCampaign, fc.nat()).map(([d, n]) => {
      const t = toJsonText(d);
      return t.slice(0, n % t.length); // a file cut short
    }),
  },
);
