import assert from 'node:assert/strict';
import type { TemplateContext } from '../../src/campaigns/types';
import type { SendEmailSettings } from '../../src/actions/sendEmail/definition';
import { TEMPLATE_LIMITS, TemplateRenderError, checkTemplate, compileEmail, renderEmail } from '../../src/email/render';
import { isAllowedHref } from '../../src/email/links';
import { addUtmToLinks } from '../../src/email/utm';

function context(over: Partial<TemplateContext['customer']> = {}): TemplateContext {
  return {
    customer: {
      id: 'c-1',
      email: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      attributes: { plan: 'gold', points: 42 },
      tags: ['vip', 'new'],
      ...over,
    },
    campaign: { id: 'welcome', name: 'Welcome' },
  };
}

function settings(over: Partial<SendEmailSettings> = {}): SendEmailSettings {
  return {
    from: { email: 'news@shop.example.com', name: 'Shop' },
    subject: 'Hello {{ customer.firstName | default: "friend" }}',
    html: '<p>Hi {{ customer.firstName }}</p>',
    ...over,
  };
}

async function render(over: Partial<SendEmailSettings>, ctx = context()) {
  return renderEmail(compileEmail(settings(over)), ctx);
}

const utm = { source: 'campaign-runner', medium: 'email', campaign: 'welcome' };
const UTM_QS = 'utm_source=campaign-runner&amp;utm_medium=email&amp;utm_campaign=welcome';

describe('renderEmail', () => {
  it('personalizes subject, html and text', async () => {
    const out = await render({ text: '{{ campaign.name }} for {{ customer.lastName }}' });
    assert.deepEqual(out, { subject: 'Hello Ann', html: '<p>Hi Ann</p>', text: 'Welcome for Lee' });
  });

  it('uses defaults for missing data and omits text when there is no text template', async () => {
    const out = await render({}, context({ firstName: null }));
    assert.equal(out.subject, 'Hello friend');
    assert.equal(out.html, '<p>Hi </p>');
    assert.equal('text' in out, false);
  });

  it('HTML-escapes customer data in the html body only', async () => {
    const firstName = '<script>alert("x")</script> & Co';
    const out = await render({ subject: 'Hi {{ customer.firstName }}', text: 'Hi {{ customer.firstName }}' }, context({ firstName }));
    assert.equal(out.html, '<p>Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co</p>');
    assert.equal(out.subject, `Hi ${firstName}`);
    assert.equal(out.text, `Hi ${firstName}`);
  });

  it('keeps line breaks of customer data out of the subject', async () => {
    const out = await render({ subject: 'Hi {{ customer.firstName }}' }, context({ firstName: 'A\r\nBcc: x@y.com' }));
    assert.equal(out.subject, 'Hi A Bcc: x@y.com');
  });

  it('reads attributes, and renders a missing attribute as empty', async () => {
    const out = await render({
      html: '{{ customer.attributes.plan }}/{{ customer.attributes.points | plus: 1 }}/[{{ customer.attributes.nope }}]',
    });
    assert.equal(out.html, 'gold/43/[]');
  });

  it('supports loops and locals over tags', async () => {
    const out = await render({ html: '{% for t in customer.tags %}{{ t | upcase }};{% endfor %}{{ customer.tags.size }}' });
    assert.equal(out.html, 'VIP;NEW;2');
  });

  it('never exposes prototype members of attributes', async () => {
    const out = await render({ html: '[{{ customer.attributes.constructor }}]' });
    assert.equal(out.html, '[]');
  });

  it('compiles once and renders for many customers', async () => {
    const compiled = compileEmail(settings());
    const a = await renderEmail(compiled, context({ firstName: 'A' }));
    const b = await renderEmail(compiled, context({ firstName: 'B' }));
    assert.deepEqual([a.html, b.html], ['<p>Hi A</p>', '<p>Hi B</p>']);
  });

  it('adds UTM tags to the links of the html body, not to subject or text', async () => {
    const out = await render({
      utm,
      subject: 'See https://shop.example.com/',
      text: 'See https://shop.example.com/',
      html: '<a href="https://shop.example.com/x?id={{ customer.id }}">x</a>',
    });
    assert.equal(out.html, `<a href="https://shop.example.com/x?id=c-1&amp;${UTM_QS}">x</a>`);
    assert.equal(out.subject, 'See https://shop.example.com/');
    assert.equal(out.text, 'See https://shop.example.com/');
  });
});

/** Asserts that rendering fails with a TemplateRenderError whose message matches and quotes none of `secrets`. */
async function rejectsWith(p: Promise<unknown>, message: RegExp, secrets: string[] = []): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.ok(err instanceof TemplateRenderError, `expected a TemplateRenderError, got ${err?.name}: ${err?.message}`);
    assert.match(err.message, message);
    for (const s of secrets) assert.ok(!err.message.includes(s), `the message quotes ${JSON.stringify(s)}: ${err.message}`);
    return true;
  });
}

describe('template limits', () => {
  it('a (1..N) loop with N from customer data fails at once with the memory limit instead of building N items', async () => {
    const html = '{% for i in (1..customer.attributes.n) %}x{% endfor %}';
    await rejectsWith(
      render({ html }, context({ attributes: { n: 1e9 } })),
      /^the html template exceeded the render memory limit \(1000000 units\) \(line 1, column 1\)$/,
      ['1000000000', '1e9'],
    );
    // The same template within the limit renders.
    assert.equal((await render({ html }, context({ attributes: { n: 3 } }))).html, 'xxx');
  });

  it('a render that runs longer than the time limit is stopped', async () => {
    // 100^4 iterations over customer data: nothing is allocated, so only the time limit can stop it.
    const tags = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const loop = (v: string, body: string) => `{% for ${v} in customer.tags %}${body}{% endfor %}`;
    const text = loop('a', loop('b', loop('c', loop('d', ''))));
    await rejectsWith(
      render({ text }, context({ tags })),
      /^the text template took longer than 1000 ms to render \(line 1, column \d+\)$/,
      ['t0'],
    );
  });

  it(`a template longer than ${TEMPLATE_LIMITS.length} characters is refused at validation and cannot be compiled`, () => {
    const long = `Hi ${'x'.repeat(TEMPLATE_LIMITS.length)}`;
    assert.deepEqual(checkTemplate(long), ['template is longer than 1000000 characters']);
    assert.deepEqual(checkTemplate(long.slice(0, TEMPLATE_LIMITS.length)), []);
    assert.throws(() => compileEmail(settings({ html: long })), /parse length limit exceeded/);
  });
});

describe('link schemes', () => {
  it('fails the html body when an href from customer data has a scheme other than http, https, mailto or tel', async () => {
    const html = '<a href="https://shop.example.com/">shop</a> <a href="{{ customer.attributes.site }}">site</a>';
    const site = 'javascript:alert("c-1 secret")';
    await rejectsWith(
      render({ html }, context({ attributes: { site } })),
      /^the html template renders link 2 with a scheme other than http, https, mailto or tel$/,
      ['javascript', 'alert', 'secret'],
    );
    assert.match((await render({ html }, context({ attributes: { site: 'https://ann.example.org/' } }))).html, /ann\.example\.org/);
  });

  it('checks every href attribute, however it is written', async () => {
    for (const link of [
      '<a href="javascript:alert(1)">',
      '<a href="data:text/html;base64,PHNjcmlwdD4=">',
      "<a href='vbscript:msgbox(1)'>",
      '<a href=javascript:alert(1)>',
      '<a/href="javascript:alert(1)">',
      '<area HREF="JavaScript:alert(1)">',
      '<a title="x" href="javascript:alert(1)" >',
    ]) {
      await rejectsWith(render({ html: `<p>${link}x</a></p>` }), /^the html template renders link 1 with a scheme other than/);
    }
  });
});

describe('isAllowedHref', () => {
  const allowed = [
    'https://shop.example.com/a?b=1&amp;c=2#top',
    'HTTP://shop.example.com/',
    'mailto:care@shop.example.com?subject=Hi',
    'tel:+4912345',
    '#top',
    '/account',
    '?q=1',
    '//cdn.example.com/x',
    '',
    'https://shop.example.com/&copy;',
  ];
  const refused: Array<[string, string]> = [
    ['javascript:alert(1)', 'javascript:'],
    ['  javascript:alert(1)', 'leading spaces'],
    ['&#x20;javascript:alert(1)', 'a leading space as a character reference'],
    ['java\tscript:alert(1)', 'a tab inside (the URL parser drops it)'],
    ['java&#9;script:alert(1)', 'a tab as a character reference'],
    ['jav&#x61;script:alert(1)', 'a letter as a character reference'],
    ['javascript&colon;alert(1)', 'a colon as a named reference we do not decode'],
    ['data:text/html,x', 'data:'],
    ['file:///etc/passwd', 'file:'],
    ['sms:+4912345', 'any other scheme'],
    ['page:1', 'a word followed by a colon is a scheme'],
  ];
  for (const h of allowed) it(`allows ${JSON.stringify(h)}`, () => assert.equal(isAllowedHref(h), true));
  for (const [h, why] of refused) it(`refuses ${why}`, () => assert.equal(isAllowedHref(h), false));
});

describe('addUtmToLinks', () => {
  it('tags every http(s) link, in any tag', () => {
    const html =
      '<a href="https://shop.example.com/a">a</a><area shape="rect" href="http://shop.example.com/b">' +
      '<A HREF="HTTPS://shop.example.com/c#top">c</A>';
    assert.equal(
      addUtmToLinks(html, utm),
      `<a href="https://shop.example.com/a?${UTM_QS}">a</a><area shape="rect" href="http://shop.example.com/b?${UTM_QS}">` +
        `<A HREF="HTTPS://shop.example.com/c?${UTM_QS}#top">c</A>`,
    );
  });

  it('keeps an existing query, decoding and re-encoding &amp;', () => {
    assert.equal(
      addUtmToLinks('<a href="https://s.example.com/p?a=1&amp;b=2">x</a>', utm),
      `<a href="https://s.example.com/p?a=1&amp;b=2&amp;${UTM_QS}">x</a>`,
    );
    // A raw & is the same URL to a browser; output is normalized to &amp;.
    assert.equal(
      addUtmToLinks('<a href="https://s.example.com/p?a=1&b=2">x</a>', { source: 's' }),
      '<a href="https://s.example.com/p?a=1&amp;b=2&amp;utm_source=s">x</a>',
    );
  });

  it('handles single-quoted hrefs', () => {
    assert.equal(
      addUtmToLinks("<a class='btn' href='https://s.example.com/?q=1'>x</a>", { source: 'news', term: "it's" }),
      "<a class='btn' href='https://s.example.com/?q=1&amp;utm_source=news&amp;utm_term=it&#39;s'>x</a>",
    );
  });

  it('lets a utm param already on the link win', () => {
    assert.equal(
      addUtmToLinks('<a href="https://s.example.com/?utm_source=partner&amp;x=1">x</a>', utm),
      '<a href="https://s.example.com/?utm_source=partner&amp;x=1&amp;utm_medium=email&amp;utm_campaign=welcome">x</a>',
    );
  });

  it('URL-encodes UTM values', () => {
    assert.equal(
      addUtmToLinks('<a href="https://s.example.com/">x</a>', { campaign: 'spring sale & more' }),
      '<a href="https://s.example.com/?utm_campaign=spring%20sale%20%26%20more">x</a>',
    );
  });

  it('leaves mailto:, tel:, anchors, relative, protocol-relative and malformed links untouched', () => {
    const html = [
      '<a href="mailto:care@shop.example.com?subject=Hi">m</a>',
      '<a href="tel:+4912345">t</a>',
      '<a href="#top">a</a>',
      '<a href="/account">r</a>',
      '<a href="//cdn.example.com/x">p</a>',
      '<a href="https://">bad</a>',
      '<a href="https://exa mple.com/">bad</a>',
      '<a href="https://s.example.com/&copy;">unknown entity</a>',
      '<a href=https://s.example.com/unquoted>u</a>',
    ].join('');
    assert.equal(addUtmToLinks(html, utm), html);
  });

  it('only rewrites real href attributes', () => {
    const html =
      '<p>href="https://s.example.com/"</p><a title="href=\'https://s.example.com/t\'" data-href="https://s.example.com/d">x</a>';
    assert.equal(addUtmToLinks(html, utm), html);
  });

  it('returns the html unchanged when no UTM key is set', () => {
    const html = '<a href="https://s.example.com/">x</a>';
    assert.equal(addUtmToLinks(html, {}), html);
  });
});

describe('checkTemplate', () => {
  it('accepts known fields, attributes, locals and built-in properties', () => {
    const source =
      '{{ customer.id }}{{ customer.email }}{{ customer.firstName | default: "x" }}{{ customer.lastName }}' +
      '{{ customer.attributes }}{{ customer.attributes.any.depth }}{{ customer.attributes["with space"] }}' +
      '{{ campaign.id }}{{ campaign.name }}{{ customer.tags.size }}{{ customer.tags[0] }}' +
      '{% for t in customer.tags %}{{ t }}{{ forloop.index }}{% endfor %}{% assign n = customer.firstName %}{{ n }}' +
      '{% capture c %}x{% endcapture %}{{ c }}';
    assert.deepEqual(checkTemplate(source), []);
  });

  it('names each unknown variable once, in source order', () => {
    assert.deepEqual(checkTemplate('{{ user.x }} {{ customer.first_name }}\n{{ customer.phone }}{{ user.x }}'), [
      'unknown variable "user.x" (line 1, column 4)',
      'unknown variable "customer.first_name" (line 1, column 17)',
      'unknown variable "customer.phone" (line 2, column 4)',
    ]);
  });

  it('rejects reading into scalar fields and whole objects', () => {
    assert.deepEqual(checkTemplate('{{ customer.email.domain }}{{ customer }}'), [
      'unknown variable "customer.email.domain" (line 1, column 4)',
      'unknown variable "customer" (line 1, column 31)',
    ]);
  });

  it('reports parse errors, unknown filters and file tags', () => {
    assert.match(checkTemplate('{% if customer.id %}')[0], /^template does not parse: tag \{% if customer.id %\} not closed/);
    assert.match(checkTemplate('{{ customer.id | shout }}')[0], /undefined filter: shout/);
    assert.match(checkTemplate("{% include 'x' %}")[0], /tag "include" is not supported/);
    assert.match(checkTemplate("{% render 'x' %}")[0], /tag "render" is not supported/);
  });
});

describe("rendering at a given time ('now' in date filters)", () => {
  it("renders 'now' and 'today' as the time it is given, and the clock's otherwise", async () => {
    const email = compileEmail(
      settings({
        subject: "{{ 'now' | date: '%Y-%m-%d %H:%M:%S' }}",
        html: "<p>{{ 'today' | date_to_xmlschema }} {{ 'now' | date: '%s' }} {{ '2020-02-03T00:00:00Z' | date: '%Y' }}</p>",
      }),
    );
    const at = new Date('2031-05-06T07:08:09Z');
    const fixed = await renderEmail(email, context(), { now: at });
    assert.equal(fixed.html.split(' ')[1], String(at.getTime() / 1000));
    assert.ok(fixed.html.endsWith(' 2020</p>'), fixed.html);
    assert.equal((await renderEmail(email, context(), { now: at })).subject, fixed.subject, 'the same time renders the same');
    const before = Math.floor(Date.now() / 1000);
    const live = Number((await renderEmail(email, context())).html.split(' ')[1]);
    assert.ok(live >= before && live <= before + 5, `the clock's time: ${live}`);
  });
});
