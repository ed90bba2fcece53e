// What an action type is, outside the workflow: the part of its module (src/actions/<type>/definition.ts) that the
// campaign document, the run's tree, the worker's cache and the report read. Its workflow handler and its activities
// are registered apart (workflows.ts, activities.ts): the workflow sandbox may import neither zod nor the database.
import type { z } from 'zod';
import type { ActionNode, MachineOpens, SendWindow } from '../contract';

export interface ValidationContext {
  categoryCodes: ReadonlySet<string>;
}

/** What a check of an action's place in the tree sees: the document as it is, before the settings are trusted. */
export interface TreeCheck {
  /** the action, as the document has it */
  node: Record<string, unknown>;
  /** its settings, as the document has them */
  settings: Record<string, unknown>;
  /** its JSON path ($.actions[0].children[1]) */
  path: string;
  /** the actions above it, the root first, as the document has them */
  ancestors: readonly Record<string, unknown>[];
  /** the definition of another action's type (undefined for a type that does not exist) */
  definitionOf(type: unknown): ActionDefinition<unknown, unknown> | undefined;
  error(path: string, message: string): void;
}

/** What of the campaign (not of the action) an action's tree fields may take. */
export interface CampaignDefaults {
  sendWindow?: SendWindow;
  machineOpens?: MachineOpens;
}

/** The fields an action type may put in the run's tree, beside id, type and children (contract: ActionNode). */
export type TreeFields = Omit<ActionNode, 'id' | 'type' | 'children'>;

/** `S`: its settings; `P`: what a worker prepares once per stored action. Methods, so that any definition is a Definition<unknown>. */
export interface ActionDefinition<S, P = Record<string, never>> {
  /** what a marketer calls it: the report's headings ("Send e-mail") */
  title: string;
  /**
   * Everything about `settings`, including checks that need the context (e.g. which categories exist), so that all
   * problems are reported together. May normalize: its output is what the validated campaign holds.
   */
  settingsSchema(ctx: ValidationContext): z.ZodType<S, unknown>;
  /** checks that need the action's place in the tree (what is above it, its children); run even when settings are wrong */
  checkInTree?(check: TreeCheck): void;
  /**
   * What a run needs of the settings, copied into its tree when it starts (so into its input and history: ids and timing,
   * never customer data). The workflow handler reads these, never the stored settings.
   */
  treeFields?(settings: S, campaign: CampaignDefaults): TreeFields;
  /**
   * What of its node a tree handed in by a client must match of the stored version's (default: all but the children): a
   * type may leave out what follows from the rest and may differ between processes (time-zone data, say).
   */
  comparedInTree?(node: Partial<ActionNode>): unknown;
  /** what a worker prepares once per stored action, so that each run's activity only renders and writes */
  prepare?(settings: S): P;
  /**
   * Whether it sends an e-mail: its sends are the send ledger's (the report draws its funnel), its children run once it
   * is sent, and a Check e-mail status may check it.
   */
  sendsEmail?: boolean;
  /** how the report shows it */
  report: {
    /**
     * a flow action (the run records reaching it and the branch it took, src/db/flowLog.ts): its branches; from the
     * settings when they name them (a Split's variants)
     */
    branches?: readonly string[] | ((settings: S) => readonly string[]);
    /** what the branches section is called (default: where they are) */
    branchesCaption?: string;
    /** what a marketer knows the action by (a subject, a tag): campaign text */
    label?(settings: S): string;
    /** under this action: the statuses on which its child `childId` runs, when children run on statuses */
    childRunsOn?(settings: S, childId: string): readonly string[] | undefined;
  };
}
