import assert from 'node:assert/strict';
import { MAX_ACTIONS, MAX_DEPTH } from '../../src/campaigns/types';
import { MAX_BCC } from '../../src/actions/sendEmail/definition';
import { CampaignValidationError, parseCampaign, validateCampaign, walkActions, type ValidationError } from '../../src/campaigns/validate';

const ctx = { categoryCodes: new Set(['news', 'promo']) };

// A fresh copy of the example document each time, so tests can mutate it.
function welcome(): any {
  return {
    id: 'welcome',
    name: 'Welcome',
    actions: [
      {
        id: 'welcome-email',
        type: 'sendEmail',
        settings: {
          from: { email: 'news@shop.example.com', name: 'Shop' },
          replyTo: { email: 'care@shop.example.com' },
          subject: "Hello {{ customer.firstName | default: 'friend' }}",
          html: '<p>Hi {{ customer.firstName }}</p><a href="https://shop.example.com/x">x</a>',
          text: 'Hi',
          categoryCode: 'news',
          bcc: ['audit@shop.example.com'],
          utm: { source: 'campaign-runner', medium: 'email', campaign: 'welcome' },
        },
        children: [{ id: 'tag-welcomed', type: 'setTag', settings: { tag: 'welcomed' }, children: [] }],
      },
    ],
  };
}

const tag = (id: string, children: unknown[] = []) => ({ id, type: 'setTag', settings: { tag: 't' }, children });

function errorsOf(doc: unknown): ValidationError[] {
  const r = validateCampaign(doc, ctx);
  assert.equal(r.ok, false, 'expected the campaign to be invalid');
  return r.ok ? [] : r.errors;
}

/** Asserts the exact error paths, in order, and that each message matches. */
function expectErrors(doc: unknown, expected: Array<[string, RegExp]>): void {
  const errors = errorsOf(doc);
  assert.deepEqual(
    errors.map((e) => e.path),
    expected.map(([p]) => p),
    JSON.stringify(errors, null, 2),
  );
  expected.forEach(([, re], i) => assert.match(errors[i].message, re));
}

const S = '$.actions[0].settings';

describe('validateCampaign', () => {
  it('accepts the example campaign and round-trips it', () => {
    const doc = welcome();
    const r = validateCampaign(doc, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.campaign, doc);
    assert.deepEqual(validateCampaign(JSON.parse(JSON.stringify(r.campaign)), ctx), r);
  });

  it('defaults absent children to []', () => {
    const doc = { id: 'c', name: 'C', actions: [{ id: 'a', type: 'setTag', settings: { tag: 't' } }] };
    const r = validateCampaign(doc, ctx);
    assert.ok(r.ok);
    assert.deepEqual(r.campaign.actions[0].children, []);
  });

  it('rejects a document that is not an object', () => {
    for (const doc of [null, 'x', 42, []]) expectErrors(doc, [['$', /must be a JSON object/]]);
  });

  it('rejects a missing id, empty name and missing actions', () => {
    expectErrors({ name: '' }, [
      ['$.name', /must not be empty/],
      ['$.id', /is required/],
      ['$.actions', /is required/],
    ]);
  });

  it('rejects bad campaign and action ids', () => {
    const doc = welcome();
    doc.id = '-welcome';
    doc.actions[0].children[0].id = 'has space';
    expectErrors(doc, [
      ['$.id', /letters, digits/],
      ['$.actions[0].children[0].id', /letters, digits/],
    ]);
    expectErrors({ ...welcome(), id: 'x'.repeat(65) }, [['$.id', /1-64/]]);
    expectErrors({ ...welcome(), id: 7 }, [['$.id', /expected string/]]);
  });

  it('rejects duplicate action ids anywhere in the tree', () => {
    const doc = welcome();
    doc.actions.push(tag('tag-welcomed'));
    expectErrors(doc, [['$.actions[1].id', /duplicate action id "tag-welcomed" \(first used at \$\.actions\[0\]\.children\[0\]\.id\)/]]);
  });

  it('rejects an unknown action type', () => {
    const doc = welcome();
    doc.actions[0].children[0].type = 'sendSms';
    expectErrors(doc, [
      [
        '$.actions[0].children[0].type',
        /unknown action type "sendSms" \(known: sendEmail, setTag, wait, waitUntil, checkEmailStatus, split, controlGroup\)/,
      ],
    ]);
  });

  it('rejects unknown keys at every level', () => {
    const doc = welcome();
    doc.nmae = 'typo';
    doc.actions[0].setings = {};
    doc.actions[0].settings.from.nmae = 'Shop';
    doc.actions[0].settings.subjet = 'x';
    doc.actions[0].children[0].settings.color = 'red';
    expectErrors(doc, [
      [`${S}.from.nmae`, /unknown key "nmae"/],
      [`${S}.subjet`, /unknown key "subjet"/],
      // document order: setings was added after children
      ['$.actions[0].children[0].settings.color', /unknown key "color"/],
      ['$.actions[0].setings', /unknown key "setings" \(allowed: id, type, settings, children\)/],
      [
        '$.nmae',
        /unknown key "nmae" \(allowed: id, name, unknownDelivery, unknownDeliveryWait, sendWindow, messagesPerMinute, machineOpens, goal, actions\)/,
      ],
    ]);
  });

  it('rejects children that are not an array, and actions that are not objects', () => {
    const doc = welcome();
    doc.actions[0].children = { id: 'x' };
    doc.actions.push('setTag');
    expectErrors(doc, [
      ['$.actions[0].children', /must be an array of actions/],
      ['$.actions[1]', /must be a JSON object/],
    ]);
  });

  it(`rejects nesting deeper than ${MAX_DEPTH}`, () => {
    let node = tag(`a${MAX_DEPTH}`, []);
    for (let d = MAX_DEPTH - 1; d >= 1; d--) node = tag(`a${d}`, [node]);
    assert.ok(validateCampaign({ id: 'c', name: 'C', actions: [node] }, ctx).ok, 'exactly MAX_DEPTH is fine');
    let leaf: any = node;
    while (leaf.children.length) leaf = leaf.children[0];
    leaf.children.push(tag('too-deep'));
    expectErrors({ id: 'c', name: 'C', actions: [node] }, [
      [`$.actions[0]${'.children[0]'.repeat(MAX_DEPTH)}`, /nested at most 20 levels/],
    ]);
  });

  it(`rejects more than ${MAX_ACTIONS} actions`, () => {
    const actions = Array.from({ length: MAX_ACTIONS }, (_, i) => tag(`t${i}`));
    assert.ok(validateCampaign({ id: 'c', name: 'C', actions }, ctx).ok, 'exactly MAX_ACTIONS is fine');
    actions[5].children = [tag('extra')]; // the 101st action in document order is now the last root
    expectErrors({ id: 'c', name: 'C', actions }, [[`$.actions[${MAX_ACTIONS - 1}]`, /at most 100 actions/]]);
  });

  it('rejects a bad from address and a line break in a name', () => {
    const doc = welcome();
    doc.actions[0].settings.from = { email: 'news@', name: 'Shop\r\nBcc: x@y.com' };
    delete doc.actions[0].settings.replyTo.email;
    expectErrors(doc, [
      [`${S}.from.email`, /not a valid e-mail address/],
      [`${S}.from.name`, /line breaks/],
      [`${S}.replyTo.email`, /is required/],
    ]);
  });

  it('accepts an internationalised sender domain only in its xn-- form (SendGrid refuses Unicode in from)', () => {
    const doc = welcome();
    doc.actions[0].settings.from = { email: 'news@bücher.de', name: 'Shop' };
    doc.actions[0].settings.replyTo = { email: 'care@bücher.de' };
    expectErrors(doc, [
      [`${S}.from.email`, /^write the domain in its xn-- form \(SendGrid refuses Unicode in the sender address\)$/],
      [`${S}.replyTo.email`, /^write the domain in its xn-- form/],
    ]);
    doc.actions[0].settings.from = { email: 'news@xn--bcher-kva.de', name: 'Shop' };
    doc.actions[0].settings.replyTo = { email: 'care@xn--bcher-kva.de' };
    assert.ok(validateCampaign(doc, ctx).ok);
  });

  it('stores bcc domains in their xn-- form, so both forms of one address count once', () => {
    const doc = welcome();
    doc.actions[0].settings.bcc = ['audit@bücher.de', 'Audit@XN--BCHER-KVA.DE', 'ivan@почта.рф'];
    const r = validateCampaign(doc, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    const action = r.campaign.actions[0];
    if (action.type === 'sendEmail') assert.deepEqual(action.settings.bcc, ['audit@xn--bcher-kva.de', 'ivan@xn--80a1acny.xn--p1ai']);
  });

  it('rejects a bad bcc address', () => {
    const doc = welcome();
    doc.actions[0].settings.bcc = ['ok@shop.example.com', 'not an address'];
    expectErrors(doc, [[`${S}.bcc[1]`, /not a valid e-mail address/]]);
  });

  it('normalizes and de-duplicates bcc', () => {
    const doc = welcome();
    doc.actions[0].settings.bcc = ['Audit@Shop.example.com', 'audit@shop.example.com', 'b@shop.example.com'];
    const r = validateCampaign(doc, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    const action = r.campaign.actions[0];
    assert.equal(action.type, 'sendEmail');
    if (action.type === 'sendEmail') assert.deepEqual(action.settings.bcc, ['audit@shop.example.com', 'b@shop.example.com']);
  });

  it(`rejects more than ${MAX_BCC} distinct bcc addresses (duplicates do not count)`, () => {
    const doc = welcome();
    const distinct = Array.from({ length: MAX_BCC }, (_, i) => `a${i}@shop.example.com`);
    doc.actions[0].settings.bcc = [...distinct, 'A0@shop.example.com'];
    assert.ok(validateCampaign(doc, ctx).ok);
    doc.actions[0].settings.bcc = [...distinct, 'one-more@shop.example.com'];
    expectErrors(doc, [[`${S}.bcc`, /at most 10 distinct addresses/]]);
  });

  it('rejects an unknown mailing category', () => {
    const doc = welcome();
    doc.actions[0].settings.categoryCode = 'newz';
    expectErrors(doc, [[`${S}.categoryCode`, /unknown mailing category "newz"/]]);
  });

  it('rejects a template that does not parse', () => {
    const doc = welcome();
    doc.actions[0].settings.html = '{% if customer.firstName %}Hi';
    expectErrors(doc, [[`${S}.html`, /template does not parse: tag \{% if customer.firstName %\} not closed/]]);
  });

  it('rejects unknown template variables, naming field and variable', () => {
    const doc = welcome();
    doc.actions[0].settings.subject = 'Hi {{ customer.first_name }}';
    doc.actions[0].settings.text = '{{ user.x }} {{ customer.phone }}';
    expectErrors(doc, [
      [`${S}.subject`, /unknown variable "customer.first_name"/],
      [`${S}.text`, /unknown variable "user.x"/],
      [`${S}.text`, /unknown variable "customer.phone"/],
    ]);
  });

  it('rejects unknown filters', () => {
    const doc = welcome();
    doc.actions[0].settings.subject = 'Hi {{ customer.firstName | capitalise }}';
    expectErrors(doc, [[`${S}.subject`, /undefined filter: capitalise/]]);
  });

  it('rejects empty templates and a missing subject', () => {
    const doc = welcome();
    delete doc.actions[0].settings.subject;
    doc.actions[0].settings.html = '  ';
    expectErrors(doc, [
      [`${S}.subject`, /is required/],
      [`${S}.html`, /must not be empty/],
    ]);
  });

  it('rejects unknown and empty utm keys', () => {
    const doc = welcome();
    doc.actions[0].settings.utm = { source: '', campagin: 'x' };
    expectErrors(doc, [
      [`${S}.utm.source`, /must not be empty/],
      [`${S}.utm.campagin`, /unknown key "campagin"/],
    ]);
  });

  it('rejects a bad tag', () => {
    const doc = welcome();
    doc.actions[0].children[0].settings.tag = 'no spaces';
    expectErrors(doc, [['$.actions[0].children[0].settings.tag', /letters, digits/]]);
  });

  it('reports every error, in document order, and still checks templates next to other bad fields', () => {
    const doc = welcome();
    doc.actions[0].settings.from.email = 'bad';
    doc.actions[0].settings.subject = '{{ nope }}';
    doc.actions[0].children[0].type = 'nope';
    doc.actions.push({ id: 'welcome-email', type: 'setTag', settings: {} });
    expectErrors(doc, [
      [`${S}.from.email`, /not a valid/],
      [`${S}.subject`, /unknown variable "nope"/],
      ['$.actions[0].children[0].type', /unknown action type/],
      ['$.actions[1].id', /duplicate action id/],
      ['$.actions[1].settings.tag', /is required/],
    ]);
  });

  it('quotes keys that are not identifiers in paths', () => {
    const doc = welcome();
    doc['bad key'] = 1;
    expectErrors(doc, [['$["bad key"]', /unknown key/]]);
  });
});

describe('validateCampaign: hostile input', () => {
  it('refuses NUL and unpaired surrogates in free text (Postgres cannot store them), naming field and position', () => {
    const doc = welcome();
    doc.name = 'Wel\u0000come';
    doc.actions[0].settings.from.name = 'Shop\ud800';
    doc.actions[0].settings.subject = 'Hi \udc00there';
    doc.actions[0].settings.utm.source = 'x\u0000';
    expectErrors(doc, [
      ['$.name', /^must not contain the NUL character \\u0000 \(character 4\)$/],
      [`${S}.from.name`, /^must not contain an unpaired surrogate "\\ud800" \(character 5\)$/],
      [`${S}.subject`, /^must not contain an unpaired surrogate "\\udc00" \(character 4\)$/],
      [`${S}.utm.source`, /^must not contain the NUL character/],
    ]);
    doc.name = 'Welcome \ud83d\ude00'; // a pair is fine
    doc.actions[0].settings.from.name = 'Shop';
    doc.actions[0].settings.subject = 'Hi';
    doc.actions[0].settings.utm.source = 'x';
    assert.ok(validateCampaign(doc, ctx).ok);
  });

  it('keeps every message on one printable line whatever the keys and types hold', () => {
    const doc = welcome();
    doc['a\nb'] = 1;
    doc.actions[0].children[0].type = 'setTag\r\n\u202e';
    doc.actions[0].settings.categoryCode = 'news\u0085';
    expectErrors(doc, [
      [`${S}.categoryCode`, /^unknown mailing category "news\\u0085"$/],
      [
        '$.actions[0].children[0].type',
        /^unknown action type "setTag\\r\\n\\u202e" \(known: sendEmail, setTag, wait, waitUntil, checkEmailStatus, split, controlGroup\)$/,
      ],
      ['$["a\\nb"]', /^unknown key "a\\nb" \(allowed: /],
    ]);
  });

  it('names a key too long for a path in the message, at its object', () => {
    const doc = welcome();
    const blob = '<html>'.repeat(200_000);
    doc[blob] = 1;
    doc.actions[0].settings[blob] = 1;
    expectErrors(doc, [
      [S, /^unknown key "<html><html>.{28}…" \(1200000 characters\)$/],
      [
        '$',
        /^unknown key "<html>.{34}…" \(1200000 characters; allowed: id, name, unknownDelivery, unknownDeliveryWait, sendWindow, messagesPerMinute, machineOpens, goal, actions\)$/,
      ],
    ]);
  });

  it(`stops checking actions after the ${MAX_ACTIONS + 1}st: a file of many actions is answered at once`, () => {
    const actions = Array.from({ length: 100_000 }, (_, i) => ({ id: 'same', type: 'setTag', settings: { tag: `bad tag ${i}` } }));
    const errors = errorsOf({ id: 'c', name: 'C', actions });
    assert.equal(errors.filter((e) => /at most 100 actions/.test(e.message)).length, 1);
    assert.ok(errors.length <= 2 * (MAX_ACTIONS + 1), `${errors.length} errors: nothing after the cap was checked`);
  });
});

describe('parseCampaign', () => {
  it('returns the campaign when valid', () => {
    assert.equal(parseCampaign(welcome(), ctx).id, 'welcome');
  });

  it('throws CampaignValidationError listing every error on its own line', () => {
    const doc = welcome();
    doc.id = '';
    doc.actions[0].settings.categoryCode = 'x';
    assert.throws(
      () => parseCampaign(doc, ctx),
      (e: unknown) => {
        assert.ok(e instanceof CampaignValidationError);
        assert.equal(e.errors.length, 2);
        assert.deepEqual(e.message.split('\n').slice(1), [
          `$.id: ${e.errors[0].message}`,
          `${S}.categoryCode: unknown mailing category "x"`,
        ]);
        return true;
      },
    );
  });
});

describe('walkActions', () => {
  it('visits depth-first in document order with paths and depths', () => {
    const campaign = parseCampaign({ id: 'c', name: 'C', actions: [tag('a', [tag('b', [tag('c')]), tag('d')]), tag('e')] }, ctx);
    const seen: string[] = [];
    walkActions(campaign.actions, (a, path, depth) => seen.push(`${a.id} ${path} ${depth}`));
    assert.deepEqual(seen, [
      'a $.actions[0] 1',
      'b $.actions[0].children[0] 2',
      'c $.actions[0].children[0].children[0] 3',
      'd $.actions[0].children[1] 2',
      'e $.actions[1] 1',
    ]);
  });
});

describe('campaign validation: errors that used to hide each other', () => {
  it('reports an unknown category together with a template error in the same settings', () => {
    const doc = welcome();
    doc.actions[0].settings.categoryCode = 'nope';
    doc.actions[0].settings.subject = '{{ customer.phone }}';
    const paths = errorsOf(doc).map((e) => e.path);
    assert.deepEqual(paths, ['$.actions[0].settings.subject', '$.actions[0].settings.categoryCode']);
  });

  it('refuses the raw filter in the HTML body (customer data must stay escaped) but allows it in the subject', () => {
    const doc = welcome();
    doc.actions[0].settings.html = '<p>{{ customer.firstName | raw }}</p>';
    doc.actions[0].settings.subject = '{{ customer.firstName | raw }}';
    const errors = errorsOf(doc);
    assert.deepEqual(errors, [
      { path: '$.actions[0].settings.html', message: 'the raw filter is not allowed: customer data in HTML stays escaped' },
    ]);
  });
});
