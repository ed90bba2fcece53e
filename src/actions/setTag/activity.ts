import { ApplicationFailure } from '@temporalio/activity';
import { addTag } from '../../db/customers';
import type { Db } from '../../db/knex';
import { FailureTypes, type ActionActivityInput, type SetTagResult } from '../../contract';
import type { CampaignCache } from '../../activities/campaignCache';

export function createSetTag(deps: { db: Db; campaigns: CampaignCache }) {
  return async function setTag(input: ActionActivityInput): Promise<SetTagResult> {
    const loaded = await deps.campaigns.action(input.campaignId, input.campaignVersion, input.actionId, 'setTag');
    if (!loaded) {
      throw ApplicationFailure.nonRetryable(
        `campaign ${input.campaignId} version ${input.campaignVersion} has no setTag action ${input.actionId}`,
        FailureTypes.badCampaign,
      );
    }
    const applied = await addTag(deps.db, input.customerId, loaded.action.settings.tag);
    return { status: 'done', applied };
  };
}

export function setTagActivities(deps: { db: Db; campaigns: CampaignCache }) {
  return { setTag: createSetTag(deps) };
}
