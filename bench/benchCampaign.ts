// The campaign every benchmark measures: Send e-mail (category check, Liquid, UTM, the fake over HTTP) then Set tag.
// One definition, so that bench.ts's phases and scale.ts's launches measure the same run.
import { parseCampaign } from '../src/campaigns/validate';
import { upsertCategory } from '../src/db/categories';
import { storeCampaign } from '../src/db/campaigns';
import type { Db } from '../src/db/knex';

export async function storeBenchCampaign(db: Db) {
  await upsertCategory(db, { code: 'news', name: 'News', visible: true, defaultEmailSubscribed: true });
  const doc = {
    id: 'bench',
    name: 'Benchmark',
    actions: [
      {
        id: 'email',
        type: 'sendEmail',
        settings: {
          from: { email: 'news@shop.example.com', name: 'Shop' },
          subject: 'Hi {{ customer.firstName }}',
          html: '<p>Hi {{ customer.firstName }}</p><a href="https://shop.example.com/">shop</a>',
          categoryCode: 'news',
          utm: { source: 'bench' },
        },
        children: [{ id: 'tag', type: 'setTag', settings: { tag: 'benched' } }],
      },
    ],
  };
  return storeCampaign(db, parseCampaign(doc, { categoryCodes: new Set(['news']) }));
}
