// The production topology's Temporal server: configured from the image's own template with the topology's variables
// (a value set in dev/topology.ts is the value the server runs with, not the template's default), and, in the
// suite's PostgreSQL pass, the server under test really is that server, on PostgreSQL with SQL visibility.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contract';
import { sprigTemplate } from '../../dev/temporalPostgres';
import { PROJECT_ROOT } from '../../dev/temporalServer';
import { NUM_HISTORY_SHARDS, databasesNamed, offsetPorts, temporalServerEnv } from '../../dev/topology';
import { testEnv } from '../support/env';

const TOOLS = path.join(PROJECT_ROOT, '.tools', 'server');
const postgresPass = loadConfig().testTopology === 'postgres';

describe('production topology: the Temporal server', () => {
  it("rewrites every variable of the image's template from dockerize's form into the server's own", () => {
    assert.equal(
      sprigTemplate('a: {{ default .Env.DBNAME "temporal" }}\nb: {{ default .Env.X $y }}\n{{- if .Env.Z }}c{{ end }}')
        .split('\n')
        .slice(1)
        .join('\n'),
      'a: {{ default "temporal" (env "DBNAME") }}\nb: {{ default $y (env "X") }}\n{{- if (env "Z") }}c{{ end }}',
    );
    if (existsSync(TOOLS)) assert.doesNotMatch(sprigTemplate(readFileSync(path.join(TOOLS, 'config_template.yaml'), 'utf8')), /\.Env/);
  });

  it('runs with the values of dev/topology.ts, not the template defaults (the server renders its config)', function () {
    if (!existsSync(path.join(TOOLS, 'temporal-server'))) {
      if (postgresPass) assert.fail(`${TOOLS} is missing: run scripts/setup-temporal-server.sh`);
      this.skip(); // a developer's dev-server run before the production topology was installed
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cr-topology-'));
    try {
      mkdirSync(path.join(dir, 'config'));
      writeFileSync(path.join(dir, 'config', 'docker.yaml'), sprigTemplate(readFileSync(path.join(TOOLS, 'config_template.yaml'), 'utf8')));
      const env = temporalServerEnv({
        databases: databasesNamed('cr_render'),
        ports: offsetPorts(300),
        dynamicConfigPath: '/somewhere/dynamicconfig.yaml',
        metricsEndpoint: '127.0.0.1:9123',
      });
      const out = execFileSync(
        path.join(TOOLS, 'temporal-server'),
        ['--root', dir, '--config', path.join(dir, 'config'), '--env', 'docker', 'render-config'],
        { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const cfg = parse(out);
      const stores = cfg.persistence.datastores;
      assert.equal(cfg.persistence.numHistoryShards, NUM_HISTORY_SHARDS);
      assert.equal(stores[cfg.persistence.defaultStore].sql.databaseName, 'cr_render');
      assert.equal(stores[cfg.persistence.visibilityStore].sql.databaseName, 'cr_render_visibility');
      assert.equal(stores[cfg.persistence.defaultStore].sql.pluginName, 'postgres12');
      assert.equal(stores[cfg.persistence.defaultStore].sql.connectAddr, '127.0.0.1:5432');
      assert.equal(stores[cfg.persistence.defaultStore].sql.maxConns, 20); // unset: the template's default still applies
      const ports = offsetPorts(300);
      assert.equal(cfg.services.frontend.rpc.grpcPort, ports.frontendGrpc);
      assert.equal(cfg.services.history.rpc.membershipPort, ports.historyMembership);
      assert.equal(cfg.services.matching.rpc.grpcPort, ports.matchingGrpc);
      assert.equal(cfg.services.worker.rpc.grpcPort, ports.workerGrpc);
      assert.equal(cfg.dynamicConfigClient.filepath, '/somewhere/dynamicconfig.yaml');
      assert.equal(cfg.global.metrics.prometheus.listenAddress, '127.0.0.1:9123');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the Temporal server on PostgreSQL with SQL visibility and the project search attributes (PostgreSQL pass)', async function () {
    if (!postgresPass) this.skip();
    const { client, namespace } = testEnv();
    const info = await client.workflowService.getClusterInfo({});
    assert.equal(info.persistenceStore, 'postgres12');
    assert.match(info.visibilityStore ?? '', /postgres12/);
    const sa = await client.connection.operatorService.listSearchAttributes({ namespace });
    for (const key of ALL_SEARCH_ATTRIBUTES) assert.ok(sa.customAttributes?.[key.name] !== undefined, `${key.name} is registered`);
  });
});
