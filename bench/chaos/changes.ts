// Changes to customers while the launch runs: unsubscribes from the channel or a category, hard quality codes and
// deletions, each made to a customer not yet sent to, and the moment each became visible (just after its commit).
import type { Client } from '@temporalio/client';
import { campaignRunWorkflowId } from '../../src/contract';
import type { CustomerLine } from '../../src/db/customerImport';
import type { Db } from '../../src/db/knex';
import { CATEGORY_A, CATEGORY_B, expectedReasons, type ChangeKind } from './customers';

export interface AppliedChange {
  customerId: string;
  kind: ChangeKind;
  /**
   * Epoch ms no earlier than the change's commit: a decision (the ledger's decided_at, the start of the claim's statement)
   * at or after it saw the change.
   */
  at: number;
}

/** Which customers have had each e-mail accepted by the fake so far, and the furthest customer reached. */
export interface SendProgress {
  sentA: Set<string>;
  sentB: Set<string>;
  /** index of the furthest customer (in id order) that has had a message */
  frontier: number;
}

const SQL: Record<ChangeKind, string> = {
  channel: "update channel_subscriptions set active = false, updated_at = now() where customer_id = ? and channel = 'email'",
  categoryA: `insert into category_subscriptions (customer_id, category_code, email_subscribed) values (?, '${CATEGORY_A.code}', false)
    on conflict (customer_id, category_code) do update set email_subscribed = false, updated_at = now()`,
  categoryB: `insert into category_subscriptions (customer_id, category_code, email_subscribed) values (?, '${CATEGORY_B.code}', false)
    on conflict (customer_id, category_code) do update set email_subscribed = false, updated_at = now()`,
  hardCode: 'update customers set email_quality_code = 50, updated_at = now() where external_id = ?',
  delete: 'delete from customers where external_id = ?',
};

export class ChangeInjector {
  readonly applied: AppliedChange[] = [];
  private readonly pending: ChangeKind[];
  private readonly changed = new Set<string>();
  /** a change whose statement failed: it may have committed anyway, so it is made again before any other */
  private unsure: { customerId: string; kind: ChangeKind } | null = null;

  constructor(
    private readonly db: Db,
    private readonly client: Client,
    private readonly campaignId: string,
    private readonly customers: CustomerLine[],
    kinds: ChangeKind[],
    private readonly random: () => number,
  ) {
    this.pending = [...kinds];
  }

  /**
   * Makes the changes due by now: the first five (one of each kind) at once, the rest spread evenly until `progress`
   * (the share of runs closed) reaches `until`. A kind with no fitting customer right now waits for a later tick.
   */
  async tick(progress: number, until: number, sent: SendProgress): Promise<void> {
    const total = this.applied.length + this.pending.length;
    const due = Math.min(total, Math.ceil(5 + (total - 5) * Math.min(1, progress / until)));
    if (this.unsure && !(await this.apply(this.unsure.customerId, this.unsure.kind))) return;
    for (let i = 0; i < this.pending.length && this.applied.length < due;) {
      const kind = this.pending[i];
      const c = await this.candidate(kind, sent);
      if (!c) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      if (!(await this.apply(c.id, kind))) return; // the database is away: made again next tick
    }
  }

  /**
   * A customer the change would affect (eligible for the e-mail it touches) and not yet sent that e-mail: half of the
   * time one just ahead of the furthest customer sent to (its run may be deciding right now), else anyone. A deletion
   * needs a customer whose run already started, so that the audience is the same as the launch enrolled.
   */
  private async candidate(kind: ChangeKind, sent: SendProgress): Promise<CustomerLine | null> {
    const fits = (c: CustomerLine) =>
      !this.changed.has(c.id) &&
      (kind === 'categoryB'
        ? !sent.sentB.has(c.id) && expectedReasons(c, CATEGORY_B).length === 0
        : !sent.sentA.has(c.id) && expectedReasons(c, CATEGORY_A).length === 0);
    const near = this.random() < 0.5;
    const lo = near ? Math.max(0, sent.frontier - 50) : 0;
    const hi = near ? Math.min(this.customers.length, sent.frontier + 300) : this.customers.length;
    for (let tries = 0; tries < 20; tries++) {
      const c = this.customers[lo + Math.floor(this.random() * (hi - lo))];
      if (!c || !fits(c)) continue;
      if (kind === 'delete' && !(await this.runStarted(c.id))) continue;
      return c;
    }
    return null;
  }

  private async runStarted(customerId: string): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(campaignRunWorkflowId(this.campaignId, customerId)).describe();
      return true;
    } catch {
      return false; // not started, or the server is away
    }
  }

  /** Applies one change; false when the statement failed (the database is restarting). Idempotent, so made again. */
  private async apply(customerId: string, kind: ChangeKind): Promise<boolean> {
    this.changed.add(customerId);
    try {
      await this.db.raw(SQL[kind], [customerId]);
    } catch {
      this.unsure = { customerId, kind };
      return false;
    }
    this.unsure = null;
    // Epoch ms are whole: the next whole ms is certainly no earlier than the commit.
    this.applied.push({ customerId, kind, at: Date.now() + 1 });
    return true;
  }
}
