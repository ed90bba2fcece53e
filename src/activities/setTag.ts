import { ApplicationFailure } from '@temporalio/activity';
import type { SetTagAction } from '../campaigns/types';
import { addTag } from '../db/customers';
import type { Db } from '../db/knex';
import { FailureTypes, type ActionActivityInput, type SetTagResult } from '../workflows/types';
import type { CampaignCache } from './campaignCache';

export function createSetTag(deps: { db: Db; campaigns: CampaignCache }) {
  return async function setTag(input: ActionActivityInput): Promise<SetTagResult> {
    const loaded = await deps.campaigns.action(input.campaignId, input.campaignVersion, input.actionId);
    if (!loaded || loaded.action.type !== 'setTag') {
      throw ApplicationFailure.nonRetryable(
        `campaign ${input.campaignId} version ${input.campaignVersion} has no setTag action ${input.actionId}`,
        FailureTypes.badCampaign,
      );
    }
    const applied = await addTag(deps.db, input.customerId, (loaded.action as SetTagAction).settings.tag);
    return { status: 'done', applied };
  };
}
