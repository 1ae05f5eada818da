import { describe, expect, it } from 'vitest';
import { trialSourceOf, trialsPerAddressPerDay, trialsPerNetworkPerDay } from '#lib/installations/trial-sources.js';
import { call, newInstallation } from '../support/api.js';
import { machine } from '../support/scenario.js';

// Each trial here is a new installation key and a new fingerprint: what an abuser would send.
const trialFrom = async (sourceIp: string) =>
  call<{ code?: string }>('startTrial', { installation: await newInstallation(), sourceIp, body: { productId: 'authserver', ...machine() } });

describe('trial brakes', () => {
  it(`starts at most ${trialsPerAddressPerDay} new trials a day from one address, then 429 until the next UTC day`, async () => {
    const answers = [];
    for (let trial = 0; trial <= trialsPerAddressPerDay; trial += 1) answers.push(await trialFrom('198.51.100.7'));
    const refused = answers.at(-1);

    expect(answers.slice(0, -1).map((answer) => answer.status)).toEqual(Array(trialsPerAddressPerDay).fill(201));
    expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    const secondsToMidnight = (Date.parse(new Date().toISOString().slice(0, 10)) + 86_400_000 - Date.now()) / 1000;
    expect(Math.abs(Number(refused?.headers['retry-after']) - secondsToMidnight)).toBeLessThan(60);
    expect((await trialFrom('198.51.101.7')).status).toBe(201);
  });

  it(`starts at most ${trialsPerNetworkPerDay} a day from one /24, whatever addresses in it ask`, async () => {
    const statuses = [];
    for (let trial = 0; trial <= trialsPerNetworkPerDay; trial += 1) statuses.push((await trialFrom(`203.0.113.${trial + 1}`)).status);

    expect(statuses.filter((status) => status === 201)).toHaveLength(trialsPerNetworkPerDay);
    expect(statuses.at(-1)).toBe(429);
    expect((await trialFrom('203.0.114.1')).status).toBe(201);
  });

  it('groups IPv6 addresses by /56 and IPv4-mapped ones as IPv4; loopback (npm start) is not braked', () => {
    expect(trialSourceOf('2001:db8:0:12ab::1')?.network).toBe(trialSourceOf('2001:0db8:0000:12ff:ffff::2')?.network);
    expect(trialSourceOf('2001:db8:0:12ab::1')?.network).not.toBe(trialSourceOf('2001:db8:0:13ab::1')?.network);
    expect(trialSourceOf('::ffff:192.0.2.9')).toEqual({ address: '192.0.2.9', network: '192.0.2.0/24' });
    expect([trialSourceOf('127.0.0.1'), trialSourceOf('::1'), trialSourceOf(undefined)]).toEqual([undefined, undefined, undefined]);
  });
});
