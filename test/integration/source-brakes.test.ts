import { describe, expect, it } from 'vitest';
import { registrationBrake, trialBrake } from '#lib/net/source-brakes.js';
import { call, newInstallation } from '../support/api.js';
import type { CallResult } from '../support/api.js';
import { machine } from '../support/scenario.js';

// Each trial here is a new installation key and a new fingerprint, each registration a new name and
// email: what an abuser would send. Only the address is what it cannot mint freely.
const trialFrom = async (sourceIp: string) =>
  call<{ code?: string }>('startTrial', { installation: await newInstallation(), sourceIp, body: { productId: 'authserver', ...machine() } });

let registrations = 0;
const registrationFrom = (sourceIp: string) => {
  registrations += 1;
  return call<{ code?: string }>('registerAccount', { sourceIp, body: { name: `Registrant ${registrations}`, email: `r${registrations}@registrant.example` } });
};

const secondsToMidnight = () => (Date.parse(new Date().toISOString().slice(0, 10)) + 86_400_000 - Date.now()) / 1000;

async function inTurn(count: number, send: (index: number) => Promise<CallResult<{ code?: string }>>): Promise<CallResult<{ code?: string }>[]> {
  const answers = [];
  for (let index = 0; index < count; index += 1) answers.push(await send(index));
  return answers;
}

describe.each([
  { what: 'trials', brake: trialBrake, from: trialFrom, created: 201 },
  { what: 'anonymous registrations', brake: registrationBrake, from: registrationFrom, created: 201 },
])('the brake on $what', ({ brake, from, created }) => {
  it(`lets at most ${brake.perAddressPerDay} a day through from one address, then 429 until the next UTC day; another /24 is not braked`, async () => {
    const answers = await inTurn(brake.perAddressPerDay + 1, () => from('198.51.100.7'));
    const refused = answers.at(-1);

    expect(answers.slice(0, -1).map((answer) => answer.status)).toEqual(Array(brake.perAddressPerDay).fill(created));
    expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Math.abs(Number(refused?.headers['retry-after']) - secondsToMidnight())).toBeLessThan(60);
    expect((await from('198.51.101.7')).status).toBe(created);
  });

  it(`lets at most ${brake.perNetworkPerDay} a day through from one /24, whatever addresses in it ask`, async () => {
    const statuses = (await inTurn(brake.perNetworkPerDay + 1, (index) => from(`203.0.113.${index + 1}`))).map((answer) => answer.status);

    expect(statuses.filter((status) => status === created)).toHaveLength(brake.perNetworkPerDay);
    expect(statuses.at(-1)).toBe(429);
    expect((await from('203.0.114.1')).status).toBe(created);
  });

  it('counts an IPv6 /56 as one network and loopback (npm start) not at all', async () => {
    const statuses = (await inTurn(brake.perNetworkPerDay + 1, (index) => from(`2001:db8:0:12${(index % 256).toString(16).padStart(2, '0')}::${index + 1}`))).map((answer) => answer.status);

    expect(statuses.at(-1)).toBe(429);
    expect((await from('2001:db8:0:1300::1')).status).toBe(created);
    expect((await inTurn(brake.perAddressPerDay + 1, () => from('127.0.0.1'))).every((answer) => answer.status === created)).toBe(true);
  });
});

describe('on the license site\'s domain (CloudFront in front of the API)', () => {
  /** As API Gateway hands it on: CloudFront's edge as the source, the viewer's address in x-viewer-address, WAF's mark when the secret origin header matched. */
  const throughSite = (viewer: string, edge: string, marked = true) => {
    registrations += 1;
    return call<{ code?: string }>('registerAccount', {
      sourceIp: edge,
      headers: { 'x-viewer-address': viewer, ...(marked ? { 'x-amzn-waf-site-origin': 'true' } : {}) },
      body: { name: `Registrant ${registrations}`, email: `r${registrations}@registrant.example` },
    });
  };

  it("brakes a viewer by its own address, whichever CloudFront edges its requests come through", async () => {
    const statuses = (await inTurn(registrationBrake.perAddressPerDay + 1, (index) => throughSite('192.0.2.77', `130.176.${index}.10`))).map((answer) => answer.status);

    expect(statuses.slice(0, -1).every((status) => status === 201)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('does not brake the viewers behind one edge together', async () => {
    const statuses = (await inTurn(registrationBrake.perAddressPerDay + 1, (index) => throughSite(`100.20.${index}.1`, '130.176.200.10'))).map((answer) => answer.status);

    expect(statuses.every((status) => status === 201)).toBe(true);
  });

  it('believes no viewer address without the mark: a direct caller cannot choose the address it is braked by', async () => {
    const statuses = (await inTurn(registrationBrake.perAddressPerDay + 1, (index) => throughSite(`203.0.113.${index + 1}`, '192.0.2.200', false))).map((answer) => answer.status);

    expect(statuses.at(-1)).toBe(429);
  });
});
