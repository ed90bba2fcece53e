// The demo's follow-up campaign (`npm start` runs it after the welcome campaign's events): valid against the demo
// categories, and it shows a Wait (of seconds, so that the demo ends quickly) before its e-mail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCampaign, walkActions } from '../../src/campaigns/validate';
import type { Action } from '../../src/campaigns/types';

const DEMO = path.resolve(__dirname, '..', '..', '..', 'demo');

describe('the demo follow-up campaign', () => {
  it('validates and waits a few seconds before its e-mail', () => {
    const categories = JSON.parse(readFileSync(path.join(DEMO, 'categories.json'), 'utf8')) as { code: string }[];
    const campaign = parseCampaign(JSON.parse(readFileSync(path.join(DEMO, 'followup-campaign.json'), 'utf8')), {
      categoryCodes: new Set(categories.map((c) => c.code)),
    });
    const all: Action[] = [];
    walkActions(campaign.actions, (a) => all.push(a));
    const wait = all.find((a) => a.type === 'wait');
    assert.ok(wait && wait.type === 'wait', 'the demo has a Wait');
    assert.deepEqual(wait.settings.duration, { seconds: 5 });
    assert.deepEqual(
      wait.children.map((c) => c.type),
      ['sendEmail'],
    );
  });
});
