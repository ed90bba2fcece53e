// Stored campaign versions never change, so each worker parses and compiles one at most once.
import type { Action, Campaign } from '../campaigns/types';
import { walkActions } from '../campaigns/validate';
import { loadCampaignVersion } from '../db/campaigns';
import type { Db } from '../db/knex';
import { compileEmail, type CompiledEmail } from '../email/render';

export interface LoadedAction {
  campaign: Campaign;
  action: Action;
  /** present for sendEmail actions */
  email?: CompiledEmail;
}

export class CampaignCache {
  private readonly entries = new Map<string, Promise<{ campaign: Campaign; actions: Map<string, LoadedAction> } | null>>();

  constructor(private readonly db: Db, private readonly maxEntries = 200) {}

  async action(campaignId: string, version: number, actionId: string): Promise<LoadedAction | null> {
    return (await this.entry(campaignId, version))?.actions.get(actionId) ?? null;
  }

  async campaign(campaignId: string, version: number): Promise<Campaign | null> {
    return (await this.entry(campaignId, version))?.campaign ?? null;
  }

  private entry(campaignId: string, version: number) {
    const key = `${campaignId}@${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.load(campaignId, version);
      this.entries.set(key, entry);
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      // A failed load (database down) must not stay cached.
      entry.catch(() => this.entries.delete(key));
    }
    return entry;
  }

  private async load(campaignId: string, version: number): Promise<{ campaign: Campaign; actions: Map<string, LoadedAction> } | null> {
    const campaign = await loadCampaignVersion(this.db, campaignId, version);
    if (!campaign) return null;
    const byId = new Map<string, LoadedAction>();
    walkActions(campaign.actions, (action) => {
      byId.set(action.id, { campaign, action, email: action.type === 'sendEmail' ? compileEmail(action.settings) : undefined });
    });
    return { campaign, actions: byId };
  }
}
