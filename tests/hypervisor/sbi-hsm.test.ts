import { describe, expect, test } from 'vitest';
import { EID, SbiError } from '../../src/hypervisor/sbi/abi.ts';
import { HSM_STATE_NAMES, HsmState, hsmBootStates, hsmTransition, type HsmEvent } from '../../src/hypervisor/sbi/hsm.ts';
import { call, fakeHost, RAM_BASE, RAM_BYTES, START_PC } from './sbi-fakes.ts';

const { STARTED, STOPPED, START_PENDING, STOP_PENDING, SUSPENDED, SUSPEND_PENDING, RESUME_PENDING } = HsmState;
const ENTRY = RAM_BASE + 0x20_0000n % BigInt(RAM_BYTES);
const SIGN = 0xffff_ffff_0000_0000n;

describe('HSM state machine (SBI v2.0 §9, figure "SBI HSM State Machine")', () => {
  test('state ids follow table "HSM Hart States"', () => {
    expect(HsmState).toEqual({ STARTED: 0, STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, SUSPENDED: 4, SUSPEND_PENDING: 5, RESUME_PENDING: 6 });
    expect(Object.values(HSM_STATE_NAMES)).toEqual(Object.keys(HsmState));
  });

  const arrows: [HsmEvent, HsmState, HsmState][] = [
    ['start', STOPPED, START_PENDING],
    ['started', START_PENDING, STARTED],
    ['stop', STARTED, STOP_PENDING],
    ['stopped', STOP_PENDING, STOPPED],
    ['suspend', STARTED, SUSPEND_PENDING],
    ['suspended', SUSPEND_PENDING, SUSPENDED],
    ['wake', SUSPENDED, RESUME_PENDING],
    ['resumed', RESUME_PENDING, STARTED],
  ];
  test.each(arrows)('%s: %d → %d, and from nowhere else', (event, from, to) => {
    for (const s of Object.values(HsmState)) expect(hsmTransition(s, event)).toBe(s === from ? to : null);
  });

  test('a domain boots with vCPU 0 STARTED and the others STOPPED', () => {
    expect(hsmBootStates(3)).toEqual([STARTED, STOPPED, STOPPED]);
  });
});

describe('hart_start (§9.1)', () => {
  test('a STOPPED hart: success; the core is told to start it at start_addr with opaque', () => {
    const fake = fakeHost();
    const r = call(fake, EID.HSM, 0, [2n, ENTRY, 0xdead_beefn]);
    expect([r.a0, r.a1]).toEqual([0n, 0n]);
    expect(r.vcpu.pc).toBe(START_PC + 4n);
    expect(r.outcome).toEqual({ ext: EID.HSM, fid: 0, args: [2n, ENTRY, 0xdead_beefn], error: 0n, value: 0n, kind: 'hart-start', hart: 2, startAddr: ENTRY, opaque: 0xdead_beefn });
  });

  test.each([
    ['STARTED (the caller itself)', 0, STARTED],
    ['START_PENDING', 1, START_PENDING],
    ['SUSPENDED', 1, SUSPENDED],
    ['STOP_PENDING', 1, STOP_PENDING],
  ])('a hart that is %s → SBI_ERR_ALREADY_AVAILABLE', (_name, hart, state) => {
    const fake = fakeHost();
    fake.states[hart] = state;
    const r = call(fake, EID.HSM, 0, [BigInt(hart), ENTRY, 0n]);
    expect(r.error).toBe(SbiError.ALREADY_AVAILABLE);
    expect(r.outcome.kind).toBe('continue');
  });

  test.each([4n, 1n << 32n, (1n << 64n) - 1n])('hartid %d outside the domain → SBI_ERR_INVALID_PARAM', (hartid) => {
    expect(call(fakeHost(), EID.HSM, 0, [hartid, ENTRY, 0n]).error).toBe(SbiError.INVALID_PARAM);
  });

  test.each([
    ['below RAM', RAM_BASE - 2n],
    ['the last 2-byte slot of RAM is fine', RAM_BASE + BigInt(RAM_BYTES) - 2n],
    ['the end of RAM', RAM_BASE + BigInt(RAM_BYTES)],
    ['an MMIO address', 0x1000_0000n],
    ['an odd address', ENTRY + 1n],
    ['zero', 0n],
  ])('start_addr %s', (name, addr) => {
    const r = call(fakeHost(), EID.HSM, 0, [1n, addr, 0n]);
    expect(r.error).toBe(name.endsWith('fine') ? 0n : SbiError.INVALID_ADDRESS);
  });
});

describe('hart_stop (§9.1-9.2)', () => {
  test('asks the core to stop the caller', () => {
    const r = call(fakeHost(), EID.HSM, 1, [], 1);
    expect(r.outcome).toEqual({ ext: EID.HSM, fid: 1, args: [], error: 0n, value: 0n, kind: 'hart-stop' });
  });
});

describe('hart_get_status (§9.3)', () => {
  test.each(Object.values(HsmState))('reports state %d as the host tracks it', (state) => {
    const fake = fakeHost();
    fake.states[3] = state;
    const r = call(fake, EID.HSM, 2, [3n]);
    expect([r.a0, r.a1]).toEqual([0n, BigInt(state)]);
  });

  test('an invalid hartid → SBI_ERR_INVALID_PARAM', () => {
    expect(call(fakeHost(), EID.HSM, 2, [4n]).error).toBe(SbiError.INVALID_PARAM);
  });
});

describe('hart_suspend (§9.4)', () => {
  test('default retentive (0): block until an interrupt, then return SBI_SUCCESS at pc + 4', () => {
    const r = call(fakeHost(), EID.HSM, 3, [0n, 0n, 0n], 2);
    expect([r.a0, r.a1]).toEqual([0n, 0n]);
    expect(r.vcpu.pc).toBe(START_PC + 4n);
    expect(r.outcome).toMatchObject({ kind: 'hart-suspend', retentive: true, suspendType: 0 });
  });

  test.each([0x8000_0000n, SIGN | 0x8000_0000n])('default non-retentive (%#x): resume at resume_addr with opaque', (type) => {
    const r = call(fakeHost(), EID.HSM, 3, [type, ENTRY, 42n], 1);
    expect(r.outcome).toMatchObject({ kind: 'hart-suspend', retentive: false, suspendType: 0x8000_0000, resumeAddr: ENTRY, opaque: 42n, error: 0n });
  });

  test('non-retentive with a resume_addr outside RAM → SBI_ERR_INVALID_ADDRESS', () => {
    const r = call(fakeHost(), EID.HSM, 3, [0x8000_0000n, 0x1000n, 0n]);
    expect(r.error).toBe(SbiError.INVALID_ADDRESS);
    expect(r.outcome.kind).toBe('continue');
  });

  test('retentive ignores resume_addr', () => {
    expect(call(fakeHost(), EID.HSM, 3, [0n, 1n, 0n]).error).toBe(0n);
  });

  test.each([
    ['reserved 0x00000001', 0x1n],
    ['reserved 0x0FFFFFFF', 0x0fff_ffffn],
    ['platform retentive 0x10000000', 0x1000_0000n],
    ['platform retentive 0x7FFFFFFF', 0x7fff_ffffn],
    ['reserved 0x80000001', SIGN | 0x8000_0001n],
    ['reserved 0x8FFFFFFF', SIGN | 0x8fff_ffffn],
    ['platform non-retentive 0x90000000', SIGN | 0x9000_0000n],
    ['platform non-retentive 0xFFFFFFFF', SIGN | 0xffff_ffffn],
  ])('%s → SBI_ERR_INVALID_PARAM', (_name, type) => {
    const r = call(fakeHost(), EID.HSM, 3, [type, ENTRY, 0n]);
    expect(r.error).toBe(SbiError.INVALID_PARAM);
    expect(r.outcome.kind).toBe('continue');
  });
});

describe('a start/stop/suspend sequence, with the fake core applying each action', () => {
  test('states move as the figure says and calls answer accordingly', () => {
    const fake = fakeHost({ vcpus: 2 });
    const apply = (hart: number, ...events: HsmEvent[]) => {
      for (const e of events) fake.states[hart] = hsmTransition(fake.states[hart], e) ?? (() => { throw new Error(`no ${e} from ${fake.states[hart]}`); })();
    };
    const status = (hart: number) => call(fake, EID.HSM, 2, [BigInt(hart)]).a1;

    expect(status(1)).toBe(BigInt(STOPPED));
    expect(call(fake, EID.HSM, 0, [1n, ENTRY, 0n]).outcome.kind).toBe('hart-start');
    apply(1, 'start');
    expect(status(1)).toBe(BigInt(START_PENDING));
    expect(call(fake, EID.HSM, 0, [1n, ENTRY, 0n]).error).toBe(SbiError.ALREADY_AVAILABLE);
    apply(1, 'started');
    expect(status(1)).toBe(BigInt(STARTED));
    expect(call(fake, EID.HSM, 3, [0n, 0n, 0n], 1).outcome.kind).toBe('hart-suspend');
    apply(1, 'suspend', 'suspended');
    expect(status(1)).toBe(BigInt(SUSPENDED));
    apply(1, 'wake', 'resumed');
    expect(call(fake, EID.HSM, 1, [], 1).outcome.kind).toBe('hart-stop');
    apply(1, 'stop', 'stopped');
    expect(status(1)).toBe(BigInt(STOPPED));
    expect(call(fake, EID.HSM, 0, [1n, ENTRY, 7n]).error).toBe(0n);
  });
});
