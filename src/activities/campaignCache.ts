// Stored campaign versions never change, so each worker parses and prepares one at most once (each type's definition
// says what it prepares: a Send e-mail's templates are compiled here, not per send).
import type { ActionType } from '../contract';
import { definitionOf, type PreparedOf } from '../actions';
import type { ActionOf, Campaign } from '../campaigns/types';
import { walkActions } from '../campaigns/validate';
import { loadCampaignVersion } from '../db/campaigns';
import type { Db } from '../db/knex';

export interface LoadedAction<T extends ActionType = ActionType> {
  campaign: Campaign;
  action: ActionOf<T>;
  prepared: PreparedOf<T>;
}

interface Entry {
  campaign: Campaign;
  actions: Map<string, LoadedAction>;
}

export class CampaignCache {
  private readonly entries = new Map<string, Promise<Entry | null>>();

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 200,
  ) {}

  /** The stored action with this id, if it exists and is of `type`. */
  async action<T extends ActionType>(campaignId: string, version: number, actionId: string, type: T): Promise<LoadedAction<T> | null> {
    const loaded = (await this.entry(campaignId, version))?.actions.get(actionId);
    return loaded && loaded.action.type === type ? (loaded as unknown as LoadedAction<T>) : null;
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

  private async load(campaignId: string, version: number): Promise<Entry | null> {
    const campaign = await loadCampaignVersion(this.db, campaignId, version);
    if (!campaign) return null;
    const byId = new Map<string, LoadedAction>();
    walkActions(campaign.actions, (action) => {
      const prepared = definitionOf(action.type).prepare?.(action.settings) ?? {};
      byId.set(action.id, { campaign, action, prepared } as LoadedAction);
    });
    return { campaign, actions: byId };
  }
}
