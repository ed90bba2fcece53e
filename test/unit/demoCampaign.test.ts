// The demo's follow-up campaign (`npm start` runs it after the welcome campaign's events): valid against the demo
// categories, and it shows a Wait (of seconds, so that the demo ends quickly), then a Split of two subjects.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCampaign, walkActions } from '../../src/campaigns/validate';
import type { Action } from '../../src/campaigns/types';
import { fromRoot } from '../support/paths';

const DEMO = fromRoot('demo');

describe('the demo follow-up campaign', () => {
  it('validates, waits a few seconds, then splits its customers between two subjects (A/B)', () => {
    const categories = JSON.parse(readFileSync(path.join(DEMO, 'categories.json'), 'utf8')) as { code: string }[];
    const campaign = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'followup-campaign.json'), 'utf8')), {
      categoryCodes: new Set(categories.map((c) => c.code)),
    });
    const all: Action[] = [];
    walkActions(campaign.actions, (a) => all.push(a));
    const wait = all.find((a) => a.type === 'wait');
    assert.ok(wait && wait.type === 'wait', 'the demo has a Wait');
    assert.deepEqual(wait.settings.duration, { seconds: 5 });
    const split = wait.children[0];
    assert.ok(split?.type === 'split', 'the Wait leads to a Split');
    assert.deepEqual(
      split.settings.variants.map((v) => [v.name, v.weight]),
      [
        ['A', 50],
        ['B', 50],
      ],
    );
    const subjects = split.children.map((c) => (c.type === 'sendEmail' ? c.settings.subject : c.type));
    assert.equal(new Set(subjects).size, 2, `two subjects: ${subjects.join(' | ')}`);
  });
});

describe('the demo welcome campaign', () => {
  it('validates and checks its e-mail (Check e-mail status, up to 10 seconds) with a branch for each status', () => {
    const categories = JSON.parse(readFileSync(path.join(DEMO, 'categories.json'), 'utf8')) as { code: string }[];
    const campaign = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'welcome-campaign.json'), 'utf8')), {
      categoryCodes: new Set(categories.map((c) => c.code)),
    });
    const all: Action[] = [];
    walkActions(campaign.actions, (a) => all.push(a));
    const check = all.find((a) => a.type === 'checkEmailStatus');
    assert.ok(check && check.type === 'checkEmailStatus', 'the demo has a Check e-mail status');
    assert.deepEqual(check.settings.waitUpTo, { seconds: 10 });
    assert.deepEqual(Object.values(check.settings.branches).flat().sort(), [
      'clicked',
      'delivered_not_opened',
      'opened_not_clicked',
      'undelivered',
    ]);
  });
});
