// Turns an untrusted campaign document (parsed JSON) into a Campaign, or into the full list of what is wrong with it.
// Fields are checked one by one in document order, so one bad field never hides the errors of its siblings; each
// error carries a JSON path such as $.actions[0].children[1].settings.subject.
import { z } from 'zod';
import { MACHINE_OPENS } from '../contract';
import { quote } from '../email/quote';
import { storableString } from './storableText';
import {
  MAX_ACTIONS,
  MAX_DEPTH,
  MAX_GOAL_DAYS,
  MAX_MESSAGES_PER_MINUTE,
  MAX_UNKNOWN_DELIVERY_WAIT_DAYS,
  UNKNOWN_DELIVERY,
  type Action,
  type Campaign,
} from './types';
import { actionDefinitions, definitionOf } from '../actions';
import type { ActionDefinition, ValidationContext } from '../actions/definition';
import { joinPath, MAX_KEY_IN_PATH } from './jsonPath';
import { durationSchema, sendWindowSchema } from './timingSchemas';
import { tagSchema } from '../actions/setTag/definition';

export type { ValidationContext };
export interface ValidationError {
  path: string;
  message: string;
}
export type ValidationResult = { ok: true; campaign: Campaign } | { ok: false; errors: ValidationError[] };

export class CampaignValidationError extends Error {
  readonly errors: ValidationError[];
  constructor(errors: ValidationError[]) {
    super(`invalid campaign:\n${errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'CampaignValidationError';
    this.errors = errors;
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Whether `s` can be a campaign's (or an action's) id. */
export function isValidId(s: string): boolean {
  return ID.test(s);
}

const idSchema = z.string().regex(ID, 'must be 1-64 characters: letters, digits, _ and -, starting with a letter or digit');
const nameSchema = storableString
  .refine((s) => s.trim() !== '', 'must not be empty')
  .refine((s) => s.length <= 200, 'must be at most 200 characters');

const unknownDeliveryWait = durationSchema(MAX_UNKNOWN_DELIVERY_WAIT_DAYS);
const messagesPerMinute = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_MESSAGES_PER_MINUTE, `must be at most ${MAX_MESSAGES_PER_MINUTE}`);

const machineOpens = z.enum(MACHINE_OPENS, { error: `must be one of: ${MACHINE_OPENS.join(', ')}` });

const goalSchema = z.strictObject(
  {
    tag: tagSchema,
    withinDays: z
      .number({ error: (i) => (i.input === undefined ? undefined : 'must be a number of days') })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1')
      .max(MAX_GOAL_DAYS, `must be at most ${MAX_GOAL_DAYS}`),
  },
  {
    error: (i) => (i.code === 'invalid_type' && i.input !== undefined ? 'must be an object: { "tag": ..., "withinDays": ... }' : undefined),
  },
);

// Zod says "expected string, received undefined" for a missing key; "is required" is what a campaign author needs.
const errorMap: z.core.$ZodErrorMap = (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Validator {
  readonly errors: ValidationError[] = [];
  private readonly idPaths = new Map<string, string>();
  private actionCount = 0;
  /** the actions above the one being checked, as the document has them (checks of the tree need its place) */
  private readonly ancestors: Record<string, unknown>[] = [];
  // One schema per action type and validation: building a zod schema costs far more than using it.
  private readonly settingsSchemas = new Map<ActionDefinition<unknown, unknown>, z.ZodType<unknown, unknown>>();

  constructor(private readonly ctx: ValidationContext) {}

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /**
   * An unknown key, at its own path; a key too long to be read in a path (a pasted blob) is named, cut, in the message
   * at its object's path instead.
   */
  unknownKey(objectPath: string, key: string, allowed?: readonly string[]): void {
    const also = allowed ? `allowed: ${allowed.join(', ')}` : '';
    if (key.length <= MAX_KEY_IN_PATH) this.error(joinPath(objectPath, [key]), `unknown key ${quote(key)}${also && ` (${also})`}`);
    else this.error(objectPath, `unknown key ${quote(key)} (${key.length} characters${also && `; ${also}`})`);
  }

  settingsSchema(def: ActionDefinition<unknown, unknown>): z.ZodType<unknown, unknown> {
    let schema = this.settingsSchemas.get(def);
    if (!schema) this.settingsSchemas.set(def, (schema = def.settingsSchema(this.ctx)));
    return schema;
  }

  /** The parsed value, or undefined after recording every zod issue under `path`. */
  zod<T>(schema: z.ZodType<T, unknown>, value: unknown, path: string): T | undefined {
    const r = schema.safeParse(value, { error: errorMap });
    if (r.success) return r.data;
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) this.unknownKey(joinPath(path, issue.path), key);
      } else {
        this.error(joinPath(path, issue.path), issue.message);
      }
    }
    return undefined;
  }

  /**
   * Checks an object's fields in document order: `fields` validates each known key, other keys are errors, then
   * missing required keys are reported. Returns false if anything at or below this object was wrong.
   */
  object(
    obj: Record<string, unknown>,
    path: string,
    fields: Record<string, (value: unknown, path: string) => void>,
    required: readonly string[],
  ): boolean {
    const before = this.errors.length;
    const allowed = Object.keys(fields);
    for (const [key, value] of Object.entries(obj)) {
      if (Object.hasOwn(fields, key)) fields[key](value, joinPath(path, [key]));
      else this.unknownKey(path, key, allowed);
    }
    for (const key of required) if (!Object.hasOwn(obj, key)) this.error(joinPath(path, [key]), 'is required');
    return this.errors.length === before;
  }

  campaign(doc: unknown): Campaign | undefined {
    if (!isObject(doc)) {
      this.error('$', 'a campaign must be a JSON object');
      return undefined;
    }
    const c: Partial<Campaign> = {};
    const ok = this.object(
      doc,
      '$',
      {
        id: (v, p) => (c.id = this.zod(idSchema, v, p)),
        name: (v, p) => (c.name = this.zod(nameSchema, v, p)),
        unknownDelivery: (v, p) =>
          (c.unknownDelivery = this.zod(z.enum(UNKNOWN_DELIVERY, { error: `must be one of: ${UNKNOWN_DELIVERY.join(', ')}` }), v, p)),
        unknownDeliveryWait: (v, p) => (c.unknownDeliveryWait = this.zod(unknownDeliveryWait, v, p)),
        sendWindow: (v, p) => (c.sendWindow = this.zod(sendWindowSchema, v, p)),
        messagesPerMinute: (v, p) => (c.messagesPerMinute = this.zod(messagesPerMinute, v, p)),
        machineOpens: (v, p) => (c.machineOpens = this.zod(machineOpens, v, p)),
        goal: (v, p) => (c.goal = this.zod(goalSchema, v, p)),
        actions: (v, p) => (c.actions = this.actions(v, p, 1)),
      },
      ['id', 'name', 'actions'],
    );
    return ok ? (c as Campaign) : undefined;
  }

  /** `depth` is the depth of the elements of `value` (roots = 1). */
  actions(value: unknown, path: string, depth: number): Action[] | undefined {
    if (!Array.isArray(value)) {
      this.error(path, 'must be an array of actions');
      return undefined;
    }
    if (depth > MAX_DEPTH && value.length > 0) {
      // Not descending further also bounds recursion on hostile documents.
      this.error(`${path}[0]`, `actions may be nested at most ${MAX_DEPTH} levels deep`);
      return undefined;
    }
    const out: Action[] = [];
    let ok = true;
    for (let i = 0; i < value.length && this.actionCount <= MAX_ACTIONS; i++) {
      const action = this.action(value[i], `${path}[${i}]`, depth);
      if (action) out.push(action);
      else ok = false;
    }
    return ok ? out : undefined;
  }

  action(node: unknown, path: string, depth: number): Action | undefined {
    if (++this.actionCount > MAX_ACTIONS) {
      // Reported once, and nothing after it is checked: a file of a million actions is answered as fast as one of 101.
      this.error(path, `a campaign may have at most ${MAX_ACTIONS} actions`);
      return undefined;
    }
    if (!isObject(node)) {
      this.error(path, 'an action must be a JSON object');
      return undefined;
    }
    // The type decides how settings are checked, wherever the two keys appear in the document.
    const def = definitionOf(node.type);
    const a: Partial<Record<keyof Action, unknown>> = { children: [] };
    const ok = this.object(
      node,
      path,
      {
        id: (v, p) => {
          a.id = this.zod(idSchema, v, p);
          if (a.id === undefined) return;
          const first = this.idPaths.get(a.id as string);
          if (first) this.error(p, `duplicate action id "${a.id}" (first used at ${first})`);
          else this.idPaths.set(a.id as string, p);
        },
        type: (v, p) => {
          a.type = this.zod(z.string(), v, p);
          if (a.type !== undefined && !def) {
            this.error(p, `unknown action type ${quote(a.type as string)} (known: ${Object.keys(actionDefinitions).join(', ')})`);
          }
        },
        settings: (v, p) => {
          // Settings of an unknown type cannot be judged; the type error covers the action.
          if (!def) return;
          a.settings = this.zod(this.settingsSchema(def), v, p);
        },
        // undefined only reaches us from JS callers (JSON has none); treat it like an absent key.
        children: (v, p) => {
          this.ancestors.push(node);
          a.children = v === undefined ? [] : this.actions(v, p, depth + 1);
          this.ancestors.pop();
        },
      },
      ['id', 'type', 'settings'],
    );
    // Checked on the document itself, even when the settings have other errors, so that every problem shows at once.
    const treeOk = def?.checkInTree && isObject(node.settings) ? this.inTree(def, node, path, node.settings) : true;
    return ok && treeOk ? (a as Action) : undefined;
  }

  /** The type's checks of the action's place in the tree; false if they found anything wrong. */
  inTree(def: ActionDefinition<unknown, unknown>, node: Record<string, unknown>, path: string, settings: Record<string, unknown>): boolean {
    const before = this.errors.length;
    def.checkInTree!({ node, settings, path, ancestors: this.ancestors, definitionOf, error: (p, message) => this.error(p, message) });
    return this.errors.length === before;
  }
}

/** Checks a campaign document; on failure lists every error found, in document order. */
export function validateCampaign(doc: unknown, ctx: ValidationContext): ValidationResult {
  const v = new Validator(ctx);
  const campaign = v.campaign(doc);
  if (campaign && v.errors.length === 0) return { ok: true, campaign };
  return { ok: false, errors: v.errors };
}

/** Like validateCampaign, but throws CampaignValidationError (whose message lists every error) when invalid. */
export function parseCampaign(doc: unknown, ctx: ValidationContext): Campaign {
  const r = validateCampaign(doc, ctx);
  if (!r.ok) throw new CampaignValidationError(r.errors);
  return r.campaign;
}

/** Visits every action depth-first in document order; roots have depth 1 and paths like $.actions[0].children[2]. */
export function walkActions(actions: Action[], visit: (a: Action, path: string, depth: number) => void): void {
  const walk = (list: Action[], path: string, depth: number): void =>
    list.forEach((a, i) => {
      visit(a, `${path}[${i}]`, depth);
      walk(a.children, `${path}[${i}].children`, depth + 1);
    });
  walk(actions, '$.actions', 1);
}
