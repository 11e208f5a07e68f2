import { loopGuard, RepeatWindow } from '../../../src/sidecar/limits/loop-detector.js';
import { admit } from '../../../src/sidecar/proxy/guards.js';
import { guardedCall } from '../../helpers/guarded-call.js';

describe('RepeatWindow', () => {
  it('allows maxRepeats within the window, refuses the next until the oldest leaves it', () => {
    const window = new RepeatWindow(3, 10_000);
    expect([0, 1000, 2000].map((t) => window.hit('k', t).ok)).toEqual([true, true, true]);
    expect(window.hit('k', 3000)).toEqual({ ok: false, repeats: 3, retryAfterMs: 7000 });
    // Refused repeats are not counted: the oldest admitted one leaving frees a slot.
    expect(window.hit('k', 9999).ok).toBe(false);
    expect(window.hit('k', 10_000).ok).toBe(true);
    expect(window.hit('other', 10_000).ok).toBe(true);
  });

  it('slides over long windows with many repeats', () => {
    const window = new RepeatWindow(1000, 1000);
    for (let t = 0; t < 5000; t++) expect(window.hit('busy', t).ok).toBe(true); // 1000 per window at most
    let admitted = 0;
    for (let i = 0; i < 2000; i++) if (window.hit('busy', 5000).ok) admitted++;
    expect(admitted).toBe(1);
    expect(window.hit('busy', 5000)).toEqual({ ok: false, repeats: 1000, retryAfterMs: 1 });
  });

  it('keeps memory bounded: idle keys are dropped, and never more than maxKeys', () => {
    const window = new RepeatWindow(2, 1000, 100);
    for (let i = 0; i < 50; i++) window.hit(`old-${i}`, 0);
    expect(window.trackedKeys).toBe(50);
    window.hit('new', 5000); // every old key's window has passed
    expect(window.trackedKeys).toBe(1);
    for (let i = 0; i < 1000; i++) window.hit(`burst-${i}`, 6000);
    expect(window.trackedKeys).toBe(100);
  });
});

describe('loopGuard', () => {
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again?' }], temperature: 0 };

  it('refuses the same canonical request past loopMaxRepeats, saying it looks like a loop', async () => {
    let now = 0;
    const guard = loopGuard({ loopMaxRepeats: 2, loopWindowSeconds: 60, now: () => now });
    expect(await admit([guard], guardedCall('openai.chat', body))).toEqual({ settles: [] });
    // Same request with keys in another order and another token: still the same request.
    const reordered = { temperature: 0, messages: body.messages, model: body.model };
    const other = guardedCall('openai.chat', reordered, { headers: { authorization: 'Bearer x' } });
    expect(await admit([guard], other)).toEqual({ settles: [] });
    now = 15_000;
    const refused = await admit([guard], guardedCall('openai.chat', body));
    expect(refused).toEqual({
      rejected: {
        status: 429,
        kind: 'loop_detected',
        code: 'loop_detected',
        message:
          'This looks like a loop: the same request was already sent 2 times in the last 60 s, so llmdev refused this repeat (it is allowed again in 45 s). If the repeats are intended, raise limits.loopMaxRepeats (now 2) or lower limits.loopWindowSeconds (now 60) in llmdev.config.yaml.',
        headers: { 'retry-after': '45', 'x-should-retry': 'false' },
      },
    });
    // A different body, or the same body to another endpoint, is another request.
    const changed = { ...body, temperature: 1 };
    expect(await admit([guard], guardedCall('openai.chat', changed))).toEqual({ settles: [] });
    now = 60_001;
    expect(await admit([guard], guardedCall('openai.chat', body))).toEqual({ settles: [] });
  });
});
