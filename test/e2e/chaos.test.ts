// A small chaos run (bench/chaos.ts) in CI: a few hundred customers, every fault at least once (worker kills, a dev-server
// restart, a Postgres restart of the chaos cluster, an outage of the HTTP service that hears SendGrid's events, each
// SendGrid fault kind, each kind of customer change), and every check must hold, the ledger's sent equal to what the
// fake accepted among them. It runs as its own process with its own dev server, fake, service and PostgreSQL cluster,
// so it disturbs nothing else in the suite.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CHANGE_KINDS } from '../../bench/chaos/customers';
import { CHAOS_FAULTS } from '../../bench/chaos/plan';

const CHAOS = path.resolve(__dirname, '..', '..', 'bench', 'chaos.js');

/** Runs the chaos script to its end, killed with everything it started (its process group) if it outlives `ms`. */
function chaos(args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CHAOS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), ms);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function chaosHolds(args: string[]): Promise<void> {
  const { code, stdout, stderr } = await chaos([...args, '--json'], 170_000);
  const why = `exit ${code}\n${stderr.split('\n').slice(-25).join('\n')}`;
  const last = stdout.trim().split('\n').pop() ?? '';
  assert.ok(last.startsWith('{'), `no JSON summary: ${why}`);
  const s = JSON.parse(last);
  assert.equal(s.ok, true, `checks failed: ${JSON.stringify(s.checks.filter((c: { ok: boolean }) => !c.ok))}\n${why}`);
  assert.equal(code, 0, why);
  assert.ok(s.faults.workerKills >= 1, `worker kills: ${s.faults.workerKills}`);
  assert.equal(s.faults.temporalRestarts, 1);
  assert.equal(s.faults.postgresRestarts, 1);
  assert.equal(s.faults.serviceOutages, 1);
  assert.equal(s.eventsNotAnswered, 0, "the fake's events did not all reach the service");
  for (const kind of CHAOS_FAULTS) assert.ok(s.faults.sendgrid[kind] >= 1, `SendGrid fault ${kind}: ${s.faults.sendgrid[kind] ?? 0}`);
  for (const kind of CHANGE_KINDS) assert.ok(s.faults.changes[kind] >= 1, `customer change ${kind}: ${s.faults.changes[kind]}`);
  assert.equal(s.lostRuns, 0);
}

describe('chaos (bench/chaos.ts, small)', () => {
  it('300 customers, unknown deliveries held: no run lost, no duplicate, no send to an ineligible customer, all agree', async function () {
    this.timeout(180_000);
    await chaosHolds(['300', '--seed', '1', '--unknown-delivery', 'hold']);
  });

  it('150 customers, unknown deliveries resent: duplicates only where the ledger says possible_duplicate', async function () {
    this.timeout(180_000);
    await chaosHolds(['150', '--seed', '2', '--unknown-delivery', 'resend']);
  });
});
