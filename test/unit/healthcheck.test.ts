// The image's HEALTHCHECK asks the service where it listens, through loopback when it listens on every interface.
import assert from 'node:assert/strict';
import { readyzUrl } from '../../src/service/healthcheck';

describe("The image's HEALTHCHECK", () => {
  it('asks /readyz on loopback for a service on every interface, else where it listens', () => {
    assert.equal(readyzUrl('0.0.0.0', 3040), 'http://127.0.0.1:3040/readyz');
    assert.equal(readyzUrl('::', 3040), 'http://[::1]:3040/readyz');
    assert.equal(readyzUrl('127.0.0.1', 8080), 'http://127.0.0.1:8080/readyz');
    assert.equal(readyzUrl('10.1.2.3', 3040), 'http://10.1.2.3:3040/readyz');
    assert.equal(readyzUrl('[fd00::5]', 3040), 'http://[fd00::5]:3040/readyz');
  });
});
