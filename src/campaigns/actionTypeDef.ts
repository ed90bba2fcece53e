// What the validator needs from each action type. Kept apart from registry.ts and validate.ts so that the action
// modules, the registry and the validator import in one direction only.
import type { z } from 'zod';

export interface ValidationContext {
  categoryCodes: ReadonlySet<string>;
}

export interface ActionTypeDef<S> {
  /**
   * Everything about `settings`, including checks that need the context (e.g. which categories exist), so that all
   * problems are reported together. May normalize: its output is what the validated campaign holds.
   */
  settingsSchema(ctx: ValidationContext): z.ZodType<S, unknown>;
}
